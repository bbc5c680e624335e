"""Directory pages, staff pages under /annuaire/gestion/, and the open-data API /api/v1/.

Views call one service with plain values and `current_user`; the services check the rights,
the form/action helpers (`core.web`) map refusals to answers.
"""

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
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.accounts.models import OrgRole
from network.core import i18n
from network.core.auth import staff_required, verified_required
from network.core.errors import DomainError
from network.core.time import utcnow
from network.core.web import act, page_arg, public_json, render_form, submit
from network.directory import exports, forms, membership, profiles, reference, search
from network.directory.fields import CHANGE_LABELS, CHOICES
from network.directory.models import STATUSES
from network.directory.rules import can_edit, can_manage, get_structure, role_of
from network.extensions import limiter

bp = Blueprint("directory", __name__)

OPENAPI = Path(__file__).with_name("openapi.json")


def _user():
    return current_user if current_user.is_authenticated else None


def _structure_form(structure=None) -> forms.StructureForm:
    form = forms.StructureForm()
    return form.setup(territories=reference.list_territories(),
                      sectors=reference.list_sectors(), categories=reference.list_categories(),
                      structure=structure)


def _members_url(structure_id: int) -> str:
    return url_for(".members", structure_id=structure_id)


# --- public directory ---------------------------------------------------------------------------


@bp.get("/annuaire/")
def index():
    filters = search.SearchFilters.from_args(request.args)
    q = request.args.get("q", "")[:200].replace("\x00", "")
    result = search.search_structures(q, filters, request.args.get("tri", ""), page_arg())
    sectors, categories = reference.list_sectors(), reference.list_categories()
    suggestions = []
    if q and i18n.current() != i18n.DEFAULT:  # French words are in the index already
        suggestions = [("categorie", c) for c in search.matching_labels(q, categories)
                       if c.code not in filters.categories] + [
            ("secteur", s) for s in search.matching_labels(q, sectors)
            if s.code not in filters.sectors]
    return render_template("directory/index.html", result=result, q=q, filters=filters,
                           territories=reference.list_territories(), sectors=sectors,
                           categories=categories, suggestions=suggestions[:5],
                           sorts=search.SORTS, choices=CHOICES)


@bp.get("/annuaire/<int:structure_id>")
def profile(structure_id: int):
    user = _user()
    structure, full = profiles.get_profile_page(structure_id, user)
    if not full:  # a pending structure, to a verified person who may ask to join it
        return render_template("directory/pending.html", structure=structure,
                               join_form=forms.JoinForm(),
                               requested=membership.has_pending_request(structure, user))
    return render_template(
        "directory/profile.html", structure=structure,
        description_html=profiles.description_html(structure),
        json_ld=profiles.json_ld(structure, url_for(".profile", structure_id=structure.id,
                                                    _external=True)),
        logo_version=profiles.logo_version(structure),
        role=role_of(user, structure), can_edit=can_edit(user, structure),
        join_form=forms.JoinForm(), choices=CHOICES)


@bp.get("/annuaire/<int:structure_id>/logo")
def logo(structure_id: int):
    profiles.get_visible_structure(structure_id, _user())
    image = profiles.get_logo(structure_id)
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
@login_required
def join(structure_id: int):
    structure, _full = profiles.get_profile_page(structure_id, current_user)
    form = forms.JoinForm()
    back = url_for(".profile", structure_id=structure.id)
    if not form.validate_on_submit():
        flash(_("Le message est trop long (1 000 caractères au plus)."), "error")
        return redirect(back)
    return act(lambda: membership.request_to_join(structure, acting=current_user,
                                                  message=form.message.data or ""),
               to=back, done=_("Votre demande a été envoyée aux responsables de la structure."))


# --- members' pages -----------------------------------------------------------------------------


@bp.route("/annuaire/inscrire", methods=["GET", "POST"])
@verified_required
def create():
    form = _structure_form()
    outcome = submit(form, lambda: profiles.create_structure(
        form.to_data(), acting=current_user, logo=form.logo_bytes()))
    if outcome.ok:
        flash(_("Votre structure est enregistrée. L'équipe du réseau va la vérifier avant de "
                "la publier ; vous recevrez un courriel."), "info")
        return redirect(url_for(".mine", _anchor=f"structure-{outcome.value.id}"))
    duplicate = profiles.duplicate_of(form.siret.data) if form.siret.errors else None
    return render_form("directory/form.html", form, structure=None, duplicate=duplicate)


@bp.get("/annuaire/mes-structures")
@login_required
def mine():
    structures = profiles.list_my_structures(current_user)
    return render_template("directory/mine.html", items=[
        (s, profiles.completeness(s), role_of(current_user, s)) for s in structures],
        statuses=STATUSES, form=EmptyForm())


@bp.route("/annuaire/<int:structure_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(structure_id: int):
    structure = profiles.get_editable_structure(structure_id, acting=current_user)
    form = _structure_form(structure)
    outcome = submit(form, lambda: profiles.update_structure(
        structure, form.to_data(), acting=current_user, logo=form.logo_bytes(),
        remove_logo=bool(form.remove_logo.data)))
    if outcome.ok:
        flash(_("Fiche enregistrée.") if outcome.value else _("Aucune modification."), "info")
        return redirect(url_for(".edit", structure_id=structure.id))
    score, missing = profiles.completeness(structure)
    duplicate = profiles.duplicate_of(form.siret.data, structure_id=structure.id) \
        if form.siret.errors else None
    return render_form("directory/form.html", form, structure=structure, score=score,
                       missing=missing, statuses=STATUSES, duplicate=duplicate,
                       logo_version=profiles.logo_version(structure))


@bp.post("/annuaire/<int:structure_id>/renvoyer")
@login_required
def resubmit(structure_id: int):
    structure = get_structure(structure_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".mine"))
    return act(lambda: profiles.resubmit_structure(structure, acting=current_user),
               to=url_for(".mine"), done=_("Votre demande a été renvoyée à l'équipe du réseau."))


@bp.get("/annuaire/<int:structure_id>/membres")
@login_required
def members(structure_id: int):
    structure = profiles.get_editable_structure(structure_id, acting=current_user)
    return render_template(
        "directory/members.html", structure=structure,
        members=membership.list_members(structure),
        requests=membership.list_join_requests(structure),
        invitations=membership.list_invitations(structure),
        can_manage=can_manage(current_user, structure),
        invite_form=forms.InviteForm(), role_form=forms.RoleForm(), form=EmptyForm())


@bp.post("/annuaire/<int:structure_id>/membres/inviter")
@limiter.limit(MAIL_LIMIT)
@login_required
def invite(structure_id: int):
    structure = get_structure(structure_id)
    form = forms.InviteForm()
    back = _members_url(structure.id)
    if not form.validate_on_submit():
        flash(_("Indiquez une adresse e-mail valide."), "error")
        return redirect(back)
    return act(lambda: membership.invite(structure, email=form.email.data,
                                         role=OrgRole(form.role.data), acting=current_user),
               to=back, done=_("Invitation envoyée à %(email)s.", email=form.email.data))


@bp.post("/annuaire/<int:structure_id>/membres/<int:user_id>/role")
@login_required
def change_role(structure_id: int, user_id: int):
    structure = get_structure(structure_id)
    form = forms.RoleForm()
    back = _members_url(structure.id)
    if not form.validate_on_submit():
        return redirect(back)
    return act(lambda: membership.change_role(structure, user_id, OrgRole(form.role.data),
                                              acting=current_user),
               to=back, done=_("Rôle modifié."))


@bp.post("/annuaire/<int:structure_id>/membres/<int:user_id>/retirer")
@login_required
def remove_member(structure_id: int, user_id: int):
    structure = get_structure(structure_id)
    back = _members_url(structure.id)
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    if user_id == current_user.id:
        return act(lambda: membership.remove_from_structure(structure, user_id,
                                                            acting=current_user),
                   to=url_for(".mine"), failed_to=back,
                   done=_("Vous avez quitté « %(name)s ».", name=structure.name))
    return act(lambda: membership.remove_from_structure(structure, user_id,
                                                        acting=current_user),
               to=back, done=_("La personne a été retirée de la structure."))


@bp.post("/annuaire/demandes/<int:request_id>/<any(accepter, refuser):decision>")
@login_required
def decide_request(request_id: int, decision: str):
    join_request = membership.get_join_request(request_id)
    back = _members_url(join_request.structure_id)
    if request.form.get("from") == "staff" and current_user.is_staff:
        back = url_for(".staff_queue")
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    accept = decision == "accepter"
    return act(lambda: membership.decide_join_request(join_request, acting=current_user,
                                                      accept=accept),
               to=back, done=_("Demande acceptée.") if accept else _("Demande refusée."))


@bp.post("/annuaire/invitations/<int:invitation_id>/annuler")
@login_required
def revoke_invitation(invitation_id: int):
    back = _members_url(membership.get_invitation(invitation_id).structure_id)
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    return act(lambda: membership.revoke_invitation(invitation_id, acting=current_user),
               to=back, done=_("Invitation annulée."))


@bp.route("/annuaire/invitation/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str):
    pending = membership.invitation_from_token(token)  # a dead link: the error page says why
    form = EmptyForm()
    outcome = submit(form, lambda: membership.accept_invitation(token, acting=current_user))
    if outcome.ok:
        flash(_("Vous faites maintenant partie de « %(name)s ».", name=outcome.value.name),
              "info")
        return redirect(url_for(".mine"))
    return render_form("directory/invitation.html", form, invitation=pending, error=None)


# --- staff pages --------------------------------------------------------------------------------


@bp.get("/annuaire/gestion/")
@staff_required
def staff_queue():
    return render_template("directory/staff_queue.html",
                           structures=search.list_pending_structures(),
                           requests=membership.list_join_requests(),
                           reason_form=forms.ReasonForm(), form=EmptyForm())


@bp.get("/annuaire/gestion/structures")
@staff_required
def staff_structures():
    status = request.args.get("statut", "")
    q = request.args.get("q", "")[:200].replace("\x00", "")
    return render_template("directory/staff_structures.html",
                           structures=search.list_structures_for_staff(status, q),
                           status=status, q=q, statuses=STATUSES, form=EmptyForm(),
                           reason_form=forms.ReasonForm())


def _staff_back() -> str:
    return url_for(".staff_structures") if request.form.get("next") == "list" \
        else url_for(".staff_queue")


@bp.post("/annuaire/gestion/<int:structure_id>/valider")
@staff_required
def staff_approve(structure_id: int):
    structure = get_structure(structure_id)
    if not EmptyForm().validate_on_submit():
        return redirect(_staff_back())
    return act(lambda: profiles.approve_structure(structure, acting=current_user),
               to=_staff_back(),
               done=_("« %(name)s » est publiée ; ses responsables sont prévenus.",
                      name=structure.name))


@bp.post("/annuaire/gestion/<int:structure_id>/<any(refuser, suspendre):action>")
@staff_required
def staff_refuse(structure_id: int, action: str):
    structure = get_structure(structure_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        flash(_("Indiquez la raison (de 5 à 2 000 caractères) : elle est envoyée à la "
                "structure."), "error")
        return redirect(_staff_back())
    if action == "refuser":
        return act(lambda: profiles.refuse_structure(structure, acting=current_user,
                                                     reason=form.reason.data),
                   to=_staff_back(), done=_("« %(name)s » : refusée ; ses responsables sont "
                                            "prévenus.", name=structure.name))
    return act(lambda: profiles.suspend_structure(structure, acting=current_user,
                                                  reason=form.reason.data),
               to=_staff_back(), done=_("« %(name)s » : suspendue ; ses responsables sont "
                                        "prévenus.", name=structure.name))


@bp.get("/annuaire/gestion/<int:structure_id>/historique")
@staff_required
def staff_history(structure_id: int):
    structure, changes = profiles.list_history(structure_id, acting=current_user)
    return render_template("directory/history.html", structure=structure, changes=changes,
                           field_labels=CHANGE_LABELS,
                           statuses={k.value: v for k, v in STATUSES.items()})


@bp.get("/annuaire/gestion/export.<any(csv, json):fmt>")
@staff_required
def staff_export(fmt: str):
    status = (request.args.get("statut") or "").replace("\x00", "") or None
    body = exports.export(fmt, status, acting=current_user)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    stamp = utcnow().strftime("%Y%m%d")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="annuaire-ess-moselle-{stamp}.{fmt}"',
        "Cache-Control": "no-store"})


@bp.route("/annuaire/gestion/listes/<any(territoires, secteurs, categories):kind>",
          methods=["GET", "POST"])
@staff_required
def staff_reference(kind: str):
    form = forms.ReferenceForm()
    parents = [s for s in reference.list_reference("secteurs") if s.parent_id is None] \
        if kind == "secteurs" else []
    form.parent.choices = forms.parent_choices(parents)
    outcome = submit(form, lambda: reference.add_reference(
        kind, form.name.data, acting=current_user, parent_code=form.parent.data or None))
    if outcome.ok:
        flash(_("Élément ajouté."), "info")
        return redirect(url_for(".staff_reference", kind=kind))
    return render_form("directory/staff_reference.html", form, kind=kind,
                       items=reference.list_reference(kind), action_form=EmptyForm())


@bp.post("/annuaire/gestion/listes/<any(territoires, secteurs, categories):kind>/<int:item_id>"
         "/<any(renommer, activer, desactiver):action>")
@staff_required
def staff_reference_update(kind: str, item_id: int, action: str):
    back = url_for(".staff_reference", kind=kind)
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    if action == "renommer":
        return act(lambda: reference.rename_reference(kind, item_id,
                                                      request.form.get("name", ""),
                                                      acting=current_user),
                   to=back, done=_("Liste mise à jour."))
    return act(lambda: reference.set_reference_active(kind, item_id, action == "activer",
                                                      acting=current_user),
               to=back, done=_("Liste mise à jour."))


# --- open data API ------------------------------------------------------------------------------


def _json(body: bytes, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api/v1/structures")
def api_structures():
    try:
        body, etag = exports.api_payload(request.args, base_url=_site_url())
    except DomainError as err:  # the API's documented error body: {"erreur": "..."}
        return _json(exports.json.dumps({"erreur": err.message}).encode(), 400)
    return public_json(body, etag=etag)


@bp.get("/api/v1/structures/<int:structure_id>")
def api_structure(structure_id: int):
    try:
        structure = profiles.get_visible_structure(structure_id, None)
    except DomainError:  # documented as {"erreur": "structure introuvable"}, 404
        return _json(b'{"erreur":"structure introuvable"}', 404)
    return _json(exports.structure_json(structure, base_url=_site_url()))


@bp.get("/api/v1/openapi.json")
def api_openapi():
    response = _json(OPENAPI.read_bytes())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _site_url() -> str:
    return current_app.config["SITE_URL"]
