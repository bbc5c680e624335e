"""Directory pages, staff pages under /annuaire/gestion/, and the open-data API /api/v1/."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.accounts.models import OrgRole
from network.core.auth import staff_required, verified_required
from network.core.errors import DomainError
from network.core.time import utcnow
from network.core.web import form_error, page_arg
from network.directory import forms, services
from network.directory.models import STATUSES
from network.extensions import limiter

bp = Blueprint("directory", __name__)

OPENAPI = Path(__file__).with_name("openapi.json")


def _user():
    return current_user if current_user.is_authenticated else None


def _structure_form(structure=None) -> forms.StructureForm:
    form = forms.StructureForm()
    return form.setup(territories=services.list_territories(),
                      sectors=services.list_sectors(), categories=services.list_categories(),
                      structure=structure)


# --- public directory ---------------------------------------------------------------------------


@bp.get("/annuaire/")
def index():
    filters = services.SearchFilters.from_args(request.args)
    q = request.args.get("q", "")[:200]
    result = services.search_structures(q, filters, request.args.get("tri", ""), page_arg())
    return render_template("directory/index.html", result=result, q=q, filters=filters,
                           territories=services.list_territories(),
                           sectors=services.list_sectors(),
                           categories=services.list_categories(),
                           sorts=services.SORTS, choices=services.CHOICES)


@bp.get("/annuaire/<int:structure_id>")
def profile(structure_id: int):
    structure = services.get_visible_structure(structure_id, _user())
    user = _user()
    return render_template(
        "directory/profile.html", structure=structure,
        description_html=services.description_html(structure),
        json_ld=services.json_ld(structure, url_for(".profile", structure_id=structure.id,
                                                    _external=True)),
        logo_version=services.logo_version(structure),
        role=services.role_of(user, structure), can_edit=services.can_edit(user, structure),
        join_form=forms.JoinForm(), choices=services.CHOICES)


@bp.get("/annuaire/<int:structure_id>/logo")
def logo(structure_id: int):
    services.get_visible_structure(structure_id, _user())
    image = services.get_logo(structure_id)
    if image is None:
        abort(404)
    if request.if_none_match and image.sha256 in request.if_none_match:
        return Response(status=304)
    response = Response(image.data, mimetype=image.content_type)
    response.set_etag(image.sha256)
    # The URL carries ?v=<hash>: a new logo gets a new URL, so the old one may be cached long.
    response.cache_control.public = True
    response.cache_control.max_age = 31_536_000 if request.args.get("v") else 3600
    return response


# Both send mail to people who did not ask for it: keep a ceiling per address.
MAIL_LIMIT = "20 per hour;60 per day"


@bp.post("/annuaire/<int:structure_id>/rejoindre")
@limiter.limit(MAIL_LIMIT)
@verified_required
def join(structure_id: int):
    structure = services.get_visible_structure(structure_id, current_user)
    form = forms.JoinForm()
    if form.validate_on_submit():
        try:
            services.request_to_join(structure, current_user, form.message.data or "")
            flash("Votre demande a été envoyée aux responsables de la structure.", "info")
        except DomainError as err:
            flash(err.message, "error")
    return redirect(url_for(".profile", structure_id=structure.id))


# --- members' pages -----------------------------------------------------------------------------


@bp.route("/annuaire/inscrire", methods=["GET", "POST"])
@verified_required
def create():
    form = _structure_form()
    if form.validate_on_submit():
        try:
            structure = services.create_structure(current_user, form.to_data(),
                                                  logo=form.logo_bytes())
        except DomainError as err:
            form_error(form, err)
        else:
            flash("Votre structure est enregistrée. L'équipe du réseau va la vérifier avant "
                  "de la publier ; vous recevrez un courriel.", "info")
            return redirect(url_for(".mine", _anchor=f"structure-{structure.id}"))
    return render_template("directory/form.html", form=form, structure=None)


@bp.get("/annuaire/mes-structures")
@login_required
def mine():
    structures = services.list_my_structures(current_user)
    return render_template("directory/mine.html", items=[
        (s, services.completeness(s), services.role_of(current_user, s)) for s in structures],
        statuses=STATUSES, form=EmptyForm())


@bp.route("/annuaire/<int:structure_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(structure_id: int):
    structure = services.get_structure(structure_id)
    if not services.can_edit(current_user, structure):
        abort(403)
    form = _structure_form(structure)
    if form.validate_on_submit():
        try:
            changed = services.update_structure(structure, form.to_data(), acting=current_user,
                                                logo=form.logo_bytes(),
                                                remove_logo=bool(form.remove_logo.data))
        except DomainError as err:
            form_error(form, err)
        else:
            flash("Fiche enregistrée." if changed else "Aucune modification.", "info")
            return redirect(url_for(".edit", structure_id=structure.id))
    score, missing = services.completeness(structure)
    return render_template("directory/form.html", form=form, structure=structure,
                           score=score, missing=missing, statuses=STATUSES,
                           logo_version=services.logo_version(structure))


@bp.post("/annuaire/<int:structure_id>/renvoyer")
@login_required
def resubmit(structure_id: int):
    structure = services.get_structure(structure_id)
    if EmptyForm().validate_on_submit():
        services.resubmit_structure(structure, acting=current_user)
        flash("Votre demande a été renvoyée à l'équipe du réseau.", "info")
    return redirect(url_for(".mine"))


@bp.get("/annuaire/<int:structure_id>/membres")
@login_required
def members(structure_id: int):
    structure = services.get_structure(structure_id)
    if not services.can_edit(current_user, structure):
        abort(403)
    return render_template(
        "directory/members.html", structure=structure,
        members=services.list_members(structure),
        requests=services.list_join_requests(structure),
        invitations=services.list_invitations(structure),
        can_manage=services.can_manage(current_user, structure),
        invite_form=forms.InviteForm(), role_form=forms.RoleForm(), form=EmptyForm())


@bp.post("/annuaire/<int:structure_id>/membres/inviter")
@limiter.limit(MAIL_LIMIT)
@verified_required
def invite(structure_id: int):
    structure = services.get_structure(structure_id)
    form = forms.InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(structure, email=form.email.data, role=OrgRole(form.role.data),
                            acting=current_user)
            flash(f"Invitation envoyée à {form.email.data}.", "info")
        except DomainError as err:
            if err.status == 403:
                raise
            flash(err.message, "error")
    else:
        flash("Indiquez une adresse e-mail valide.", "error")
    return redirect(url_for(".members", structure_id=structure.id))


@bp.post("/annuaire/<int:structure_id>/membres/<int:user_id>/role")
@login_required
def change_role(structure_id: int, user_id: int):
    structure = services.get_structure(structure_id)
    form = forms.RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(structure, user_id, OrgRole(form.role.data),
                                 acting=current_user)
            flash("Rôle modifié.", "info")
        except DomainError as err:
            if err.status == 403:
                raise
            flash(err.message, "error")
    return redirect(url_for(".members", structure_id=structure.id))


@bp.post("/annuaire/<int:structure_id>/membres/<int:user_id>/retirer")
@login_required
def remove_member(structure_id: int, user_id: int):
    structure = services.get_structure(structure_id)
    if EmptyForm().validate_on_submit():
        try:
            services.remove_from_structure(structure, user_id, acting=current_user)
        except DomainError as err:
            if err.status == 403:
                raise
            flash(err.message, "error")
            return redirect(url_for(".members", structure_id=structure.id))
        if user_id == current_user.id:
            flash(f"Vous avez quitté « {structure.name} ».", "info")
            return redirect(url_for(".mine"))
        flash("La personne a été retirée de la structure.", "info")
    return redirect(url_for(".members", structure_id=structure.id))


@bp.post("/annuaire/demandes/<int:request_id>/<any(accepter, refuser):decision>")
@login_required
def decide_request(request_id: int, decision: str):
    join_request = services.get_join_request(request_id)
    if EmptyForm().validate_on_submit():
        try:
            services.decide_join_request(join_request, acting=current_user,
                                         accept=decision == "accepter")
            flash("Demande acceptée." if decision == "accepter" else "Demande refusée.", "info")
        except DomainError as err:
            if err.status == 403:
                raise
            flash(err.message, "error")
    if request.form.get("from") == "staff" and current_user.is_staff:
        return redirect(url_for(".staff_queue"))
    return redirect(url_for(".members", structure_id=join_request.structure_id))


@bp.post("/annuaire/invitations/<int:invitation_id>/annuler")
@login_required
def revoke_invitation(invitation_id: int):
    structure_id = services.get_invitation(invitation_id).structure_id
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(invitation_id, acting=current_user)
        flash("Invitation annulée.", "info")
    return redirect(url_for(".members", structure_id=structure_id))


@bp.route("/annuaire/invitation/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str):
    try:
        pending = services.invitation_from_token(token)
    except DomainError as err:
        return render_template("directory/invitation.html", error=err.message, invitation=None,
                               form=None), err.status
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            structure = services.accept_invitation(token, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"Vous faites maintenant partie de « {structure.name} ».", "info")
            return redirect(url_for(".mine"))
    return render_template("directory/invitation.html", invitation=pending, form=form,
                           error=None)


# --- staff pages --------------------------------------------------------------------------------


@bp.get("/annuaire/gestion/")
@staff_required
def staff_queue():
    return render_template("directory/staff_queue.html",
                           structures=services.list_pending_structures(),
                           requests=services.list_join_requests(),
                           reason_form=forms.ReasonForm(), form=EmptyForm())


@bp.get("/annuaire/gestion/structures")
@staff_required
def staff_structures():
    status = request.args.get("statut", "")
    q = request.args.get("q", "")[:200]
    return render_template("directory/staff_structures.html",
                           structures=services.list_structures_for_staff(status, q),
                           status=status, q=q, statuses=STATUSES, form=EmptyForm(),
                           reason_form=forms.ReasonForm())


@bp.post("/annuaire/gestion/<int:structure_id>/valider")
@staff_required
def staff_approve(structure_id: int):
    structure = services.get_structure(structure_id)
    if EmptyForm().validate_on_submit():
        try:
            services.approve_structure(structure, staff=current_user)
            flash(f"« {structure.name} » est publiée ; ses responsables sont prévenus.", "info")
        except DomainError as err:
            flash(err.message, "error")
    return redirect(request.form.get("next") == "list" and url_for(".staff_structures")
                    or url_for(".staff_queue"))


@bp.post("/annuaire/gestion/<int:structure_id>/<any(refuser, suspendre):action>")
@staff_required
def staff_refuse(structure_id: int, action: str):
    structure = services.get_structure(structure_id)
    form = forms.ReasonForm()
    if form.validate_on_submit():
        try:
            if action == "refuser":
                services.refuse_structure(structure, staff=current_user, reason=form.reason.data)
            else:
                services.suspend_structure(structure, staff=current_user,
                                           reason=form.reason.data)
            flash(f"« {structure.name} » : {'refusée' if action == 'refuser' else 'suspendue'}"
                  "; ses responsables sont prévenus.", "info")
        except DomainError as err:
            flash(err.message, "error")
    else:
        flash("Indiquez la raison (au moins 5 caractères) : elle est envoyée à la structure.",
              "error")
    return redirect(request.form.get("next") == "list" and url_for(".staff_structures")
                    or url_for(".staff_queue"))


@bp.get("/annuaire/gestion/<int:structure_id>/historique")
@staff_required
def staff_history(structure_id: int):
    structure = services.get_structure(structure_id)
    return render_template("directory/history.html", structure=structure,
                           changes=services.list_changes(structure))


@bp.get("/annuaire/gestion/export.<any(csv, json):fmt>")
@staff_required
def staff_export(fmt: str):
    status = request.args.get("statut") or None
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "csv":
        body, mimetype = services.export_csv(status), "text/csv; charset=utf-8"
    else:
        body, mimetype = services.export_json(status), "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="annuaire-ess-moselle-{stamp}.{fmt}"',
        "Cache-Control": "no-store"})


@bp.route("/annuaire/gestion/listes/<any(territoires, secteurs, categories):kind>",
          methods=["GET", "POST"])
@staff_required
def staff_reference(kind: str):
    form = forms.ReferenceForm()
    parents = [s for s in services.list_reference("secteurs") if s.parent_id is None] \
        if kind == "secteurs" else []
    form.parent.choices = forms.parent_choices(parents)
    if form.validate_on_submit():
        try:
            services.add_reference(kind, form.name.data, staff=current_user,
                                   parent_code=form.parent.data or None)
        except DomainError as err:
            form_error(form, err)
        else:
            flash("Élément ajouté.", "info")
            return redirect(url_for(".staff_reference", kind=kind))
    return render_template("directory/staff_reference.html", kind=kind, form=form,
                           items=services.list_reference(kind), action_form=EmptyForm())


@bp.post("/annuaire/gestion/listes/<any(territoires, secteurs, categories):kind>/<int:item_id>"
         "/<any(renommer, activer, desactiver):action>")
@staff_required
def staff_reference_update(kind: str, item_id: int, action: str):
    if EmptyForm().validate_on_submit():
        try:
            if action == "renommer":
                services.rename_reference(kind, item_id, request.form.get("name", ""),
                                          staff=current_user)
            else:
                services.set_reference_active(kind, item_id, action == "activer",
                                              staff=current_user)
            flash("Liste mise à jour.", "info")
        except DomainError as err:
            flash(err.message, "error")
    return redirect(url_for(".staff_reference", kind=kind))


# --- open data API ------------------------------------------------------------------------------


def _json(body: bytes, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api/v1/structures")
def api_structures():
    try:
        body, etag = services.api_payload(request.args, base_url=_site_url())
    except DomainError as err:
        return _json(services.json.dumps({"erreur": err.message}).encode(), 400)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = _json(body)
    response.set_etag(etag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/api/v1/structures/<int:structure_id>")
def api_structure(structure_id: int):
    try:
        structure = services.get_visible_structure(structure_id, None)
    except DomainError:
        return _json(b'{"erreur":"structure introuvable"}', 404)
    body = services.json.dumps(services.public_dict(structure, base_url=_site_url()),
                               ensure_ascii=False).encode("utf-8")
    return _json(body)


@bp.get("/api/v1/openapi.json")
def api_openapi():
    response = _json(OPENAPI.read_bytes())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _site_url() -> str:
    return current_app.config["SITE_URL"]
