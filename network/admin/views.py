"""Espace équipe: the to-do, the figures as charts, accounts, writing to the network, the
launch import and the annual report. Each page calls one service; rights are checked there."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from network.accounts import services as accounts_queries
from network.accounts.forms import EmptyForm
from network.admin import (
    accounts,
    broadcast,
    figures,
    imports,
    member_import,
    report,
    services,
    todo,
)
from network.admin.forms import BroadcastForm, ImportForm, MemberImportForm
from network.core import charts
from network.core.auth import staff_required
from network.core.errors import ValidationError
from network.core.web import act, render_form, submit

bp = Blueprint("admin", __name__, url_prefix="/equipe")


@bp.get("/")
@staff_required
def index():
    return render_template("admin/index.html",
                           todo=todo.sections(url_for, acting=current_user),
                           sections=services.dashboard(), form=EmptyForm())


@bp.post("/a-faire/<any(approve, accept, retry, release):action>/<int:target_id>")
@staff_required
def todo_action(action: str, target_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = url_for(".index")
    if action == "approve":
        return act(lambda: todo.approve(target_id, acting=current_user), to=back,
                   done=_("Structure publiée ; ses responsables sont prévenus."))
    if action == "accept":
        return act(lambda: todo.accept_request(target_id, acting=current_user), to=back,
                   done=_("Demande acceptée."))
    if action == "release":
        return act(lambda: todo.release(target_id, acting=current_user), to=back,
                   done=_("L'équipe n'est plus responsable de cette structure."))
    return act(lambda: todo.retry_mail(target_id, acting=current_user), to=back,
               done=_("Le message est de nouveau en file d'envoi."))


# --- figures -----------------------------------------------------------------------------------


def _filters():
    try:
        return figures.parse_filters(request.args), {}
    except ValidationError as err:
        return figures.parse_filters({}), err.field_errors


@bp.get("/chiffres")
@staff_required
def figures_page():
    f, errors = _filters()
    by = request.args.get("carte", "membres")
    if by not in figures.MAP_FIGURES:
        by = "membres"
    tiles = figures.territory_tiles(
        by, f, lambda code: url_for(".figures_page", **f.args(territoire=code), carte=by))
    map_svg = Markup(charts.tile_map_svg(  # noqa: S704 - every label escaped in charts.py
        tiles, title=_("Carte des territoires : %(f)s", f=figures.MAP_FIGURES[by](f)),
        key="map"))
    shown = [(slug, c, Markup(charts.svg(c)))  # noqa: S704 - escaped in charts.py
             for slug, c in figures.all_charts(f, acting=current_user)]
    return render_template("admin/figures.html", f=f, errors=errors, charts=shown,
                           map_svg=map_svg, tiles=tiles, by=by, map_figures=figures.MAP_FIGURES,
                           territories=figures.list_territories(),
                           fmt=charts.fmt), 422 if errors else 200


@bp.get("/chiffres/<slug>.csv")
@staff_required
def figure_csv(slug: str):
    f = figures.parse_filters(request.args)
    chart = figures.chart(slug, f, acting=current_user)
    name = f"{slug}-{f.start.isoformat()}-{f.end.isoformat()}.csv"
    return Response(figures.chart_csv(chart), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- annual report -------------------------------------------------------------------------------


@bp.get("/rapport-annuel")
@staff_required
def annual_report():
    year = report.parse_year(request.args.get("annee"))
    data = report.build(year, acting=current_user)
    return render_template("admin/report.html", data=data, year=year,
                           years=report.years_available())


@bp.get("/rapport-annuel-<int:year>.<any(pdf, csv):fmt>")
@staff_required
def annual_report_file(year: int, fmt: str):
    year = report.parse_year(str(year))
    data = report.build(year, acting=current_user)
    if fmt == "pdf":
        body, mime = report.pdf_bytes(data), "application/pdf"
    else:
        body, mime = report.csv_bytes_of(data), "text/csv; charset=utf-8"
    return Response(body, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="rapport-annuel-{year}.{fmt}"'})


# --- accounts ------------------------------------------------------------------------------------


@bp.get("/comptes")
@staff_required
def users():
    q = request.args.get("q", "")[:200]
    return render_template("admin/users.html", q=q,
                           users=accounts_queries.list_users(q, acting=current_user),
                           journal=accounts.journal(limit=30), actions=accounts.ACTIONS,
                           form=EmptyForm())


@bp.post("/comptes/<int:user_id>/<any(deactivate, reactivate, resend, grant_staff, "
         "remove_staff):action>")
@staff_required
def user_action(user_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = accounts.get_user(user_id)
    back = url_for(".users", q=request.form.get("q", "")[:200] or None)
    return act(lambda: accounts.apply(user, action, acting=current_user), to=back,
               done=_("%(action)s : %(email)s", action=accounts.ACTIONS[action],
                      email=user.email))


# --- write to the network ----------------------------------------------------------------------


@bp.route("/ecrire", methods=["GET", "POST"])
@staff_required
def write():
    form = BroadcastForm()
    form.fill_choices()
    count = None
    if request.method == "POST" and form.preview.data:
        if form.validate_on_submit():
            try:
                count = len(broadcast.recipients(broadcast.check_filters(**form.filters())))
            except ValidationError as err:
                from network.core.web import form_error

                form_error(form, err)
        return render_form("admin/write.html", form, count=count,
                           history=broadcast.list_broadcasts())
    done = submit(form, lambda: broadcast.send(form.subject.data, form.body.data,
                                               form.filters(), acting=current_user))
    if done.ok:
        flash(ngettext("Message mis en file d'envoi pour %(num)s personne.",
                       "Message mis en file d'envoi pour %(num)s personnes.",
                       done.value.recipients), "success")
        return redirect(url_for(".write"))
    return render_form("admin/write.html", form, count=count,
                       history=broadcast.list_broadcasts())


# --- import at launch ----------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_page():
    """Check first (nothing written), then import the same bytes; errors are shown per line."""
    import base64

    form = ImportForm()
    form.fill_choices()
    result = None
    payload = ""
    if form.validate_on_submit():
        raw = form.raw()
        if not raw:
            form.file.errors = [_("Choisissez un fichier CSV.")]
        else:
            commit = bool(form.confirm.data and form.payload.data)
            done = submit_import(form, raw, commit)
            if done is not None:
                result = done
                payload = "" if commit else base64.b64encode(raw).decode("ascii")
                if commit:
                    flash(" ".join((
                        ngettext("Import terminé : %(num)s personne ajoutée,",
                                 "Import terminé : %(num)s personnes ajoutées,",
                                 result.count("added")),
                        _("%(num)s en liste d'attente,", num=result.count("waitlisted")),
                        ngettext("%(num)s déjà inscrite,", "%(num)s déjà inscrites,",
                                 result.count("already")),
                        ngettext("%(num)s ligne en erreur.", "%(num)s lignes en erreur.",
                                 len(result.errors)))), "success")
    return render_form("admin/import.html", form, result=result, payload=payload)


def submit_import(form: ImportForm, raw: bytes, commit: bool):
    from network.core import uow
    from network.core.errors import DomainError
    from network.core.web import PASS_THROUGH, form_error

    try:
        return imports.import_registrations(form.event.data, raw, acting=current_user,
                                            commit=commit, send_mail=bool(form.send_mail.data))
    except PASS_THROUGH:
        raise
    except DomainError as err:
        uow.doom()
        form_error(form, err)
        return None


@bp.route("/import/membres", methods=["GET", "POST"])
@staff_required
def import_members():
    """The member list at launch: check first (nothing written), then import the same bytes."""
    import base64

    form = MemberImportForm()
    result = None
    payload = ""
    if form.validate_on_submit():
        raw = form.raw()
        if not raw:
            form.file.errors = [_("Choisissez un fichier CSV.")]
        else:
            commit = bool(form.confirm.data and form.payload.data)
            result = _run(form, lambda: member_import.import_members(
                raw, acting=current_user, commit=commit))
            if result is not None:
                payload = "" if commit else base64.b64encode(raw).decode("ascii")
                if commit:
                    flash(" ".join((
                        ngettext("Import terminé : %(num)s structure ajoutée,",
                                 "Import terminé : %(num)s structures ajoutées,",
                                 result.count("created")),
                        ngettext("%(num)s personne invitée,", "%(num)s personnes invitées,",
                                 result.invited()),
                        ngettext("%(num)s ligne en erreur.", "%(num)s lignes en erreur.",
                                 len(result.errors)))), "success")
    return render_form("admin/import_members.html", form, result=result, payload=payload,
                       sample=member_import.TEMPLATE_HEADER + "\n"
                       + member_import.TEMPLATE_EXAMPLE)


@bp.get("/import/membres/modele.csv")
@staff_required
def import_members_template():
    return Response(member_import.template_csv(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="liste-des-membres-modele.csv"'})


def _run(form, job):
    from network.core import uow
    from network.core.errors import DomainError
    from network.core.web import PASS_THROUGH, form_error

    try:
        return job()
    except PASS_THROUGH:
        raise
    except DomainError as err:
        uow.doom()
        form_error(form, err)
        return None
