"""ESSpresso pages for the day and after: agendas (page, PDF, .ics), the room screen, the
table plan and sheets, meetings marked held or missed, walk-ins, moves, outcomes, impact.

Routes hang on the `esspresso` blueprint (endpoints stay `esspresso.*`)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from network.core.auth import staff_required
from network.core.forms import int_or_zero
from network.core.time import utcnow
from network.core.web import act, render_form, submit
from network.esspresso import agendas, forms, impact, outcomes, room
from network.esspresso.meetings import slot_label
from network.esspresso.rules import AMOUNTS
from network.esspresso.views import _me, _session, bp
from network.meetings import day
from network.meetings import rules as engine_rules
from network.meetings.booking import list_meetings
from network.meetings.models import SIDE_A, SIDE_B
from network.meetings.scheduling import list_participants


def _participant(session):
    """The participant named by `?pour=` (an organiser may read anyone's), else mine."""
    wanted = request.args.get("pour", type=int)
    if wanted:
        p = engine_rules.get_participant(session, wanted)
    else:
        p, _mine = _me(session)
        if p is None:
            abort(403)
    agendas.require_agenda(current_user, session, p)
    return p


def _file(data: bytes, mimetype: str, name: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{name}"',
        "Cache-Control": "private, no-store"})


# --- agendas ------------------------------------------------------------------------------------


@bp.get("/<int:session_id>/agenda.pdf")
@login_required
def agenda_pdf(session_id: int):
    session = _session(session_id)
    p = _participant(session)
    return _file(agendas.agenda_pdf(session, p), "application/pdf",
                 f"agenda-esspresso-{p.id}.pdf", inline=True)


@bp.get("/<int:session_id>/agenda.ics")
@login_required
def agenda_ics(session_id: int):
    session = _session(session_id)
    p = _participant(session)
    return _file(agendas.agenda_ics(session, p), "text/calendar; charset=utf-8",
                 f"agenda-esspresso-{p.id}.ics")


# --- the room -----------------------------------------------------------------------------------


@bp.get("/<int:session_id>/ecran")
def screen(session_id: int):
    """The room's TV: no login; a published schedule, organisations' names only."""
    session = _session(session_id)
    data = room.screen(session, utcnow())
    response = Response(render_template("esspresso/screen.html", screen=data, sess=session,
                                         slot_label=lambda i: slot_label(session, i)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:session_id>/plan-des-tables.pdf")
@login_required
def table_plan(session_id: int):
    session = _session(session_id)
    return _file(room.table_plan_pdf(session, acting=current_user), "application/pdf",
                 f"plan-des-tables-{session.id}.pdf", inline=True)


@bp.get("/<int:session_id>/fiches-tables.pdf")
@login_required
def table_sheets(session_id: int):
    session = _session(session_id)
    return _file(room.table_sheets_pdf(session, acting=current_user), "application/pdf",
                 f"fiches-tables-{session.id}.pdf", inline=True)


def _setup_walk_in(session, form):
    people = list_participants(session)
    form.buyer.choices = forms.choices([(0, _("— choisir —"))] + [
        (p.id, p.display_name) for p in people if p.side == SIDE_A])
    form.supplier.choices = forms.choices([(0, _("— choisir —"))] + [
        (p.id, p.display_name) for p in people if p.side == SIDE_B])
    now = utcnow()
    form.slot.choices = forms.choices((s.index, slot_label(session, s.index))
                                      for s in session.slots if s.ends_at > now)


@bp.route("/<int:session_id>/salle", methods=["GET", "POST"])
@login_required
def room_page(session_id: int):
    """The organisers' page for the day: this round and the next, mark held or missed, seat
    walk-ins on free tables, move a meeting."""
    session = _session(session_id)
    engine_rules.require_organiser(current_user, session)
    form = forms.WalkInForm(prefix="walkin")
    _setup_walk_in(session, form)
    outcome = submit(form, lambda: day.add_walk_in(
        session, form.buyer.data or 0, form.supplier.data or 0, form.slot.data,
        form.table.data, acting=current_user))
    if outcome.ok:
        m = outcome.value
        flash(_("Rendez-vous ajouté : table %(n)s, %(when)s.", n=m.table_number,
                when=slot_label(session, m.slot_index)), "success")
        return redirect(url_for(".room_page", session_id=session.id))
    now = utcnow()
    state = day.rounds(session, now)
    move_form = forms.MoveForm(prefix="move")
    move_form.slot.choices = forms.choices((s.index, slot_label(session, s.index))
                                           for s in session.slots)
    return render_form("esspresso/room.html", form, sess=session, state=state,
                       meetings=list_meetings(session), now=now,
                       attendance_form=forms.AttendanceForm(), move_form=move_form,
                       slot_label=lambda i: slot_label(session, i))


@bp.post("/<int:session_id>/rendez-vous/<int:meeting_id>/presence")
@login_required
def mark_attendance(session_id: int, meeting_id: int):
    session = _session(session_id)
    form = forms.AttendanceForm()
    form.validate_on_submit() or abort(400)
    value = form.attendance.data if form.attendance.data in ("held", "missed") else None
    done = {"held": _("Rendez-vous marqué tenu."), "missed": _("Rendez-vous marqué manqué.")}
    return act(lambda: day.mark(session, meeting_id, value, acting=current_user),
               to=url_for(".room_page", session_id=session.id, _anchor=f"m{meeting_id}"),
               done=done.get(value or "", _("Marque retirée.")))


@bp.post("/<int:session_id>/rendez-vous/<int:meeting_id>/deplacer")
@login_required
def move_meeting(session_id: int, meeting_id: int):
    session = _session(session_id)
    engine_rules.require_organiser(current_user, session)
    form = forms.MoveForm(prefix="move")
    form.slot.choices = forms.choices((s.index, slot_label(session, s.index))
                                      for s in session.slots)

    def move():
        meeting, slot, table = day.move(session, meeting_id, form.slot.data, form.table.data,
                                        acting=current_user)
        if (slot, table) != (meeting.slot_index, meeting.table_number) \
                and session.published_at is not None:
            agendas.meeting_moved(session, meeting, slot, table)

    if not form.validate_on_submit():
        flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for(".room_page", session_id=session.id))
    return act(move, to=url_for(".room_page", session_id=session.id),
               done=_("Rendez-vous déplacé : les deux participants reçoivent l'invitation "
                      "mise à jour."))


# --- outcomes -----------------------------------------------------------------------------------


def _outcome_form(data=None):
    form = forms.OutcomeForm(formdata=data)
    form.follow_up.choices = forms.choices((k.value, v) for k, v in outcomes.FOLLOW_UPS.items())
    form.amount.choices = forms.choices([("", _("— non précisé —"))] + [
        (k.value, v) for k, v in AMOUNTS.items()])
    return form


@bp.route("/<int:session_id>/bilan", methods=["GET", "POST"])
@login_required
def outcomes_page(session_id: int):
    session = _session(session_id)
    wanted = request.values.get("pour", type=int)
    if wanted:
        me = engine_rules.get_participant(session, wanted)
    else:
        me, _mine = _me(session)
    if me is None:
        abort(403)
    engine_rules.require_acts_for(current_user, me)
    form = _outcome_form(request.form if request.method == "POST" else None)
    meeting_id = int_or_zero(form.meeting.data)
    result = submit(form, lambda: outcomes.report(
        session, me.id, meeting_id, outcomes.OutcomeData(
            was_held=form.was_held.data or "", follow_up=form.follow_up.data or "none",
            amount=form.amount.data or ""), acting=current_user))
    if result.ok:
        flash(_("Merci : bilan enregistré."), "success")
        return redirect(url_for(".outcomes_page", session_id=session.id, pour=me.id,
                                _anchor=f"m{meeting_id}"))
    now = utcnow()
    items = agendas.items(session, me)
    return render_form("esspresso/outcomes.html", form, sess=session, me=me, items=items,
                       answers=outcomes.outcomes_of(session, me), failed=meeting_id,
                       is_open=lambda m: outcomes.is_open(session, m, now),
                       follow_ups=outcomes.FOLLOW_UPS, amounts=AMOUNTS,
                       make_form=_outcome_form)


# --- impact (staff) -----------------------------------------------------------------------------


def _impact_args():
    session_id = request.args.get("session", type=int)
    return session_id if session_id and 0 < session_id < 2**31 else None


@bp.get("/impact")
@staff_required
def impact_page():
    from network.core.charts import bar_svg

    session_id = _impact_args()
    fig = impact.figures(acting=current_user, session_id=session_id)
    charts = [(d, chart, Markup(bar_svg(chart))) for d, chart in impact.charts(fig)]
    return render_template("esspresso/impact.html", fig=fig, charts=charts,
                           titles=impact.dimension_titles(), session_id=session_id)


@bp.get("/impact.csv")
@staff_required
def impact_csv():
    fig = impact.figures(acting=current_user, session_id=_impact_args())
    return _file(impact.csv_export(fig), "text/csv; charset=utf-8", "impact-esspresso.csv")
