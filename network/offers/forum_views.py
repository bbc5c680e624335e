"""Forum pages (/forum/): stands and plan, exhibitors' registration, job-dating for visitors
(account or mailed link), the agenda and its .ics, staff's stands/plan/scheduler/figures, and
the exhibitors' outcomes. Routes of the `offers` blueprint."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from network.accounts.forms import EmptyForm
from network.core import charts
from network.core.auth import staff_required
from network.core.errors import NotFound
from network.core.tokens import TokenError
from network.core.web import act, render_form, submit
from network.directory import reference as directory_reference
from network.offers import exhibitors, forum_forms, forum_outcomes, jobdating
from network.offers.models import ExhibitorStatus
from network.offers.rules import KIND_LABELS, can_manage
from network.offers.views import bp

VISITS_KEY = "forum_visits"
GUEST_KEY = "forum_guest"


def _forum(event_id: int):
    return exhibitors.get_forum(event_id)


def _acting(event):
    """The account, or the guest whose mailed link this browser opened (signed cookie)."""
    if current_user.is_authenticated:
        return current_user
    token = session.get(GUEST_KEY, {}).get(str(event.id))
    if token:
        try:
            return jobdating.guest_from_token(token)[0]
        except (TokenError, NotFound):
            session.get(GUEST_KEY, {}).pop(str(event.id), None)
    return current_user


def _cookie_visits() -> list[int]:
    return [i for i in session.get(VISITS_KEY, []) if isinstance(i, int)][:200]


@bp.get("/forum/")
def forum_index():
    return render_template("offers/forum_index.html", forums=exhibitors.list_forums())


@bp.get("/forum/<int:event_id>")
def forum_detail(event_id: int):
    event = _forum(event_id)
    filters = exhibitors.Filters(kind=request.args.get("type", "")[:40],
                                 sector=request.args.get("secteur", "")[:60],
                                 territory=request.args.get("territoire", "")[:60])
    stands = exhibitors.list_stands(event, filters)
    acting = _acting(event)
    js = jobdating.session_of(event)
    visitor = jobdating.visitor_of(js, acting) if js is not None else None
    slots = {}
    mine = exhibitors.mine(event, current_user)
    interviews = {ex.id: jobdating.stand_interviews(js, ex, acting=acting) for ex in mine
                  if ex.participant_id}
    if js is not None:
        for stand in stands:
            if stand.exhibitor.participant_id:
                p = jobdating.exhibitor_participant(js, stand.exhibitor)
                slots[stand.exhibitor.id] = jobdating.free_slots_at(js, visitor, p)
    return render_template(
        "offers/forum.html", event=event, stands=stands, filters=filters,
        plan=exhibitors.get_plan(event), jobdating=js, visitor=visitor, slots=slots,
        visits=set(exhibitors.visits_of(event, current_user, _cookie_visits())),
        territories=directory_reference.list_territories(),
        sectors=directory_reference.list_sectors(), kind_labels=KIND_LABELS,
        mine=mine, interviews=interviews,
        registrable=exhibitors.registrable_structures(event, current_user),
        guest_form=forum_forms.GuestLinkForm(), slot_form=forum_forms.SlotForm(),
        empty_form=EmptyForm(), is_guest=not current_user.is_authenticated and visitor,
        slot_label=lambda i: _slot_label(js, i))


def _slot_label(js, index: int) -> str:
    from network.core.i18n import when

    slot = js.slots[index]
    return f"{when(slot.starts_at, 'time')}–{when(slot.ends_at, 'time')}"


@bp.get("/forum/<int:event_id>/plan")
def forum_plan(event_id: int):
    plan = exhibitors.get_plan(_forum(event_id))
    if plan is None:
        abort(404)
    return Response(plan.data, mimetype=plan.mimetype, headers={
        "Content-Disposition": "inline; filename=plan" + (
            ".pdf" if plan.mimetype == "application/pdf" else ""),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"})


@bp.post("/forum/<int:event_id>/stands/<int:exhibitor_id>/visite")
def forum_visit(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    form = EmptyForm()
    if not form.validate_on_submit() or exhibitor.status != ExhibitorStatus.ACCEPTED:
        abort(400)
    on = request.form.get("on") == "1"
    back = url_for("offers.forum_detail", event_id=event.id) + f"#stand-{exhibitor.id}"
    if current_user.is_authenticated:
        return act(lambda: exhibitors.toggle_visit(exhibitor, acting=current_user, on=on),
                   to=back)
    ids = [i for i in _cookie_visits() if i != exhibitor.id]
    session[VISITS_KEY] = ids + [exhibitor.id] if on else ids
    return redirect(back)


# --- exhibitors ----------------------------------------------------------------------------------


@bp.route("/forum/<int:event_id>/exposer", methods=["GET", "POST"])
@login_required
def forum_exhibit(event_id: int):
    event = _forum(event_id)
    structures = exhibitors.registrable_structures(event, current_user)
    if not structures:
        flash(_("Aucune de vos structures publiées ne peut encore s'inscrire à ce forum."),
              "info")
        return redirect(url_for("offers.forum_detail", event_id=event.id))
    form = forum_forms.ExhibitorForm()
    form.structure.choices = [(str(s.id), s.display_name) for s in structures]
    chosen = next((s for s in structures if str(s.id) == (form.structure.data or "")),
                  structures[0])
    form.offers.choices = [(o.id, f"{o.title} ({KIND_LABELS[o.kind]})")
                           for s in structures for o in exhibitors.open_offers_of(s)]

    def send():
        return exhibitors.register_exhibitor(event, chosen, list(form.offers.data or []),
                                             acting=current_user, note=form.note.data or "")

    outcome = submit(form, send)
    if outcome.ok:
        flash(_("Inscription envoyée : l'équipe du réseau vous attribuera un stand."),
              "success")
        return redirect(url_for("offers.forum_detail", event_id=event.id))
    return render_form("offers/forum_exhibit.html", form, event=event)


@bp.route("/forum/<int:event_id>/exposants/<int:exhibitor_id>/bilan", methods=["GET", "POST"])
@login_required
def forum_report(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    if not can_manage(current_user, exhibitor.structure):
        abort(403)
    offers = list(exhibitor.offers)
    known = {o.offer_id: o for o in forum_outcomes.outcomes_of(exhibitor)}
    form = forum_forms.outcome_form(offers, data={
        **{f"hired_{i}": str(o.hired) for i, o in known.items()},
        **{f"volunteers_{i}": str(o.volunteers) for i, o in known.items()}})

    def send():
        counts = {o.id: (form[f"hired_{o.id}"].data, form[f"volunteers_{o.id}"].data)
                  for o in offers}
        return forum_outcomes.report(exhibitor, counts, acting=current_user)

    if submit(form, send).ok:
        flash(_("Merci : le bilan de votre stand est enregistré."), "success")
        return redirect(url_for("offers.forum_report", event_id=event.id,
                                exhibitor_id=exhibitor.id))
    return render_form("offers/forum_report.html", form, event=event, exhibitor=exhibitor,
                       offers=offers, kind_labels=KIND_LABELS)


# --- job-dating ----------------------------------------------------------------------------------


@bp.post("/forum/<int:event_id>/jobdating/lien")
def forum_link(event_id: int):
    event = _forum(event_id)
    form = forum_forms.GuestLinkForm()
    outcome = submit(form, lambda: jobdating.send_guest_link(
        event, form.name.data or "", form.email.data or ""))
    if outcome.ok:
        return render_template("offers/forum_check_inbox.html", event=event)
    return render_form("offers/forum_link_form.html", form, event=event)


@bp.get("/forum/<int:event_id>/jobdating/invite/<token>")
def forum_guest(event_id: int, token: str):
    event = _forum(event_id)
    guest, name = jobdating.guest_from_token(token)
    js = jobdating.session_of(event)
    if js is None or guest.scope != f"meetings:{js.id}":
        abort(404)
    links = dict(session.get(GUEST_KEY, {}))
    links[str(event.id)] = token
    session[GUEST_KEY] = links
    return act(lambda: jobdating.join_as_visitor(event, acting=guest, name=name),
               to=url_for("offers.forum_detail", event_id=event.id) + "#jobdating",
               done=_("Adresse confirmée : réservez vos entretiens aux stands."))


@bp.post("/forum/<int:event_id>/jobdating/rejoindre")
@login_required
def forum_join(event_id: int):
    event = _forum(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: jobdating.join_as_visitor(event, acting=current_user),
               to=url_for("offers.forum_detail", event_id=event.id) + "#jobdating",
               done=_("Vous participez au job-dating : réservez vos entretiens."))


@bp.post("/forum/<int:event_id>/stands/<int:exhibitor_id>/reserver")
def forum_book(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    form = forum_forms.SlotForm()
    if not form.validate_on_submit():
        abort(400)
    return act(lambda: jobdating.book_interview(event, exhibitor, form.slot.data,
                                                acting=_acting(event)),
               to=url_for("offers.forum_agenda", event_id=event.id),
               failed_to=url_for("offers.forum_detail", event_id=event.id)
               + f"#stand-{exhibitor.id}",
               done=_("Entretien réservé au stand %(n)s.", n=exhibitor.stand_number))


@bp.post("/forum/<int:event_id>/stands/<int:exhibitor_id>/souhait")
def forum_wish(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    form = forum_forms.WishForm()
    if not form.validate_on_submit():
        abort(400)
    return act(lambda: jobdating.set_wish(event, exhibitor, form.priority.data,
                                          acting=_acting(event)),
               to=url_for("offers.forum_detail", event_id=event.id) + f"#stand-{exhibitor.id}",
               done=_("Souhait enregistré : l'équipe organisatrice en tiendra compte."))


def _visitor_or_404(event):
    js = jobdating.session_of(event)
    visitor = jobdating.visitor_of(js, _acting(event)) if js is not None else None
    if visitor is None:
        abort(404)
    return js, visitor


@bp.get("/forum/<int:event_id>/agenda")
def forum_agenda(event_id: int):
    event = _forum(event_id)
    js, visitor = _visitor_or_404(event)
    stands = {e.participant_id: e for e in jobdating._exhibitors(event)}
    return render_template("offers/forum_agenda.html", event=event, visitor=visitor,
                           meetings=jobdating.agenda(js, visitor), stands=stands,
                           slot_label=lambda i: _slot_label(js, i), empty_form=EmptyForm())


@bp.get("/forum/<int:event_id>/agenda.ics")
def forum_agenda_ics(event_id: int):
    event = _forum(event_id)
    js, visitor = _visitor_or_404(event)
    return Response(jobdating.agenda_ics(event, js, visitor),
                    mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=entretiens.ics",
                             "Cache-Control": "private, no-store"})


@bp.post("/forum/<int:event_id>/agenda/<int:meeting_id>/annuler")
def forum_cancel(event_id: int, meeting_id: int):
    event = _forum(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    # The stand's team cancels from the forum page, a visitor from their agenda.
    back = url_for("offers.forum_detail", event_id=event.id, _anchor="exposer") \
        if request.form.get("retour") == "stand" else url_for("offers.forum_agenda",
                                                              event_id=event.id)
    return act(lambda: jobdating.cancel_interview(event, meeting_id, acting=_acting(event)),
               to=back, done=_("Entretien annulé."))


# --- staff ---------------------------------------------------------------------------------------


def _chart(title: str, key: str, rows) -> Markup:
    chart = charts.Chart(title=title, key=key, unit=_("personnes"),
                         rows=[(label, h + v) for label, h, v in rows])
    return Markup(charts.svg(chart))  # noqa: S704 -- the charts module escapes every label


@bp.get("/forum/<int:event_id>/gestion")
@staff_required
def forum_staff(event_id: int, plan_form=None, status: int = 200):
    event = _forum(event_id)
    figures = forum_outcomes.figures(event, acting=current_user)
    js = jobdating.session_of(event)
    from network.meetings import scheduling

    return render_template(
        "offers/forum_staff.html", event=event,
        exhibitors=exhibitors.list_for_staff(event, acting=current_user),
        plan=exhibitors.get_plan(event), plan_form=plan_form or forum_forms.PlanForm(),
        accept_form=forum_forms.AcceptForm(), empty_form=EmptyForm(), figures=figures,
        chart_territory=_chart(_("Recrutements et bénévoles par territoire"),
                               "forum-territoire", figures.by_territory),
        chart_sector=_chart(_("Par secteur"), "forum-secteur", figures.by_sector),
        chart_kind=_chart(_("Par type d'offre"), "forum-type", figures.by_kind),
        jobdating=js, run=scheduling.latest_run(js) if js else None,
        ExhibitorStatus=ExhibitorStatus), status


@bp.post("/forum/<int:event_id>/gestion/exposants/<int:exhibitor_id>/accepter")
@staff_required
def forum_accept(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    form = forum_forms.AcceptForm()
    back = url_for("offers.forum_staff", event_id=event.id)
    if not form.validate_on_submit():
        flash(_("Un numéro de stand entre 1 et 500."), "error")
        return redirect(back)
    return act(lambda: exhibitors.accept_exhibitor(exhibitor, form.stand_number.data or 0,
                                                   acting=current_user),
               to=back, done=_("Exposant accepté au stand %(n)s.", n=form.stand_number.data))


@bp.post("/forum/<int:event_id>/gestion/exposants/<int:exhibitor_id>/refuser")
@staff_required
def forum_refuse(event_id: int, exhibitor_id: int):
    event = _forum(event_id)
    exhibitor = exhibitors.get_exhibitor(exhibitor_id, event)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: exhibitors.refuse_exhibitor(exhibitor, acting=current_user),
               to=url_for("offers.forum_staff", event_id=event.id), done=_("Exposant refusé."))


@bp.post("/forum/<int:event_id>/gestion/plan")
@staff_required
def forum_upload_plan(event_id: int):
    event = _forum(event_id)
    form = forum_forms.PlanForm()
    upload = form.plan.data
    outcome = submit(form, lambda: exhibitors.upload_plan(
        event, upload.read(PLAN_READ) if upload else b"", form.description.data or "",
        acting=current_user))
    if outcome.ok:
        flash(_("Plan enregistré."), "success")
        return redirect(url_for("offers.forum_staff", event_id=event.id))
    return forum_staff(event.id, plan_form=form, status=422)


PLAN_READ = exhibitors.PLAN_MAX_BYTES + 1


@bp.post("/forum/<int:event_id>/gestion/planificateur")
@staff_required
def forum_run(event_id: int):
    event = _forum(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: jobdating.run_scheduler(event, acting=current_user),
               to=url_for("offers.forum_staff", event_id=event.id) + "#jobdating",
               done=_("Proposition calculée : vérifiez-la puis publiez."))


@bp.post("/forum/<int:event_id>/gestion/planificateur/<int:run_id>/publier")
@staff_required
def forum_publish(event_id: int, run_id: int):
    event = _forum(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: jobdating.publish_run(event, run_id, acting=current_user),
               to=url_for("offers.forum_staff", event_id=event.id) + "#jobdating",
               done=_("Entretiens publiés."))


@bp.get("/forum/<int:event_id>/bilan.csv")
@staff_required
def forum_figures_csv(event_id: int):
    event = _forum(event_id)
    return Response(forum_outcomes.figures_csv(event, acting=current_user),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=forum-{event.id}"
                                                    "-bilan.csv"})
