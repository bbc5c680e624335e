"""The demo looks like a network with a past: charts have something to show, and the outbox
holds only mail someone would have sent."""

from __future__ import annotations

from network.core.time import utcnow


def test_demo_history_fills_the_charts_and_leaves_no_loading_mail(app, runner, db):
    from network.admin import figures
    from network.demo import DEMO_STAFF_EMAIL
    from network.events.models import Registration
    from network.outbox.models import OutboxMessage, OutboxStatus

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    pending = db.session.query(OutboxMessage).filter_by(status=OutboxStatus.PENDING).all()
    # Only the demo member's own registration confirmations (with their badges) are waiting.
    assert pending and {(m.kind, m.to_address) for m in pending} == {
        ("event_confirmed", "membre@example.org")}
    assert not any(m.to_address == DEMO_STAFF_EMAIL for m in pending)
    f = figures.parse_filters({})
    over_time = figures.members_over_time(f).rows
    assert over_time[0][1] < over_time[-1][1]  # members joined over the months
    per_month = [v for _m, v in figures.registrations_per_month(f).rows]
    assert sum(1 for v in per_month if v) >= 6
    rates = dict(figures.attendance_rate(f).rows)
    assert all(50 <= r <= 100 for r in rates.values())
    assert sum(v for _t, v in figures.waitlist_use(f).rows) > 0
    assert db.session.query(Registration).filter(Registration.checked_in_at.is_not(None)) \
        .count() > 300
    assert len(rates) == 9  # eight past events and the past ESSpresso
    counts = _past_esspresso(db)
    _staff_see_the_impact(app, db, held=counts[1])
    count = db.session.query(Registration).count()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and db.session.query(Registration).count() == count
    assert _past_esspresso(db) == counts  # loading twice adds nothing


def _past_esspresso(db) -> tuple[int, ...]:
    """The past ESSpresso session: meetings marked held or missed in the room, outcomes
    reported with amounts, each at its date."""
    from network.esspresso.demo import PAST_TITLE
    from network.esspresso.models import AmountBracket
    from network.meetings.models import (
        Attendance,
        FollowUp,
        Meeting,
        MeetingOutcome,
        MeetingSession,
    )

    session = db.session.query(MeetingSession).filter_by(title=PAST_TITLE).one()
    assert session.ends_at < utcnow() and session.published_at < session.starts_at
    meetings = db.session.query(Meeting).filter_by(session_id=session.id).all()
    held = [m for m in meetings if m.attendance == Attendance.HELD]
    assert 0 < len(held) < len(meetings)  # some missed: two suppliers did not come
    assert all(m.attendance is not None for m in meetings)
    said = db.session.query(MeetingOutcome).filter_by(session_id=session.id).all()
    contracts = [o for o in said if o.follow_up == FollowUp.CONTRACT]
    deals = {a.value for a in AmountBracket} - {AmountBracket.UNKNOWN.value}
    assert contracts and all(o.amount in deals for o in contracts)
    assert {o.follow_up for o in said} >= {FollowUp.NONE, FollowUp.QUOTE, FollowUp.CONTRACT}
    assert all(session.starts_at <= o.reported_at < utcnow() for o in said)
    return len(meetings), len(held), len(said)


def _staff_see_the_impact(app, db, *, held: int) -> None:
    """The staff's impact page and dashboard count them (logged in with the second factor,
    as the demo's staff account must)."""
    import re

    from network.accounts import second_factor
    from network.accounts.services import get_user_by_email
    from network.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
    from network.esspresso import impact
    from network.esspresso.demo import PAST_TITLE
    from network.meetings.models import MeetingSession

    session = db.session.query(MeetingSession).filter_by(title=PAST_TITLE).one()
    staff = get_user_by_email(DEMO_STAFF_EMAIL)
    fig = impact.figures(acting=staff, session_id=session.id)
    assert fig.totals.held == held and fig.totals.contracts > 0
    assert fig.totals.follow_ups >= fig.totals.contracts
    app.config["WTF_CSRF_ENABLED"] = False
    c = app.test_client()
    login = c.post("/connexion", data={"email": DEMO_STAFF_EMAIL, "password": DEMO_PASSWORD})
    assert login.headers["Location"] == "/connexion/code"
    code = second_factor.code_at(staff.totp_secret, second_factor.current_step())
    assert c.post("/connexion/code", data={"code": code}).status_code == 302
    page = c.get(f"/esspresso/impact?session={session.id}")
    assert page.status_code == 200
    facts = re.findall(r"<dd>(\d+)</dd>", page.get_data(as_text=True))
    assert facts == [str(n) for n in (fig.totals.meetings, fig.totals.held,
                                      fig.totals.follow_ups, fig.totals.contracts)]
    dashboard = c.get("/equipe/").get_data(as_text=True)
    everything = impact.figures(acting=staff)
    for label, value in (("Rendez-vous tenus", everything.totals.held),
                         ("Contrats ou commandes annoncés", everything.totals.contracts)):
        assert f">{value}</a></p><p>{label}</p>" in dashboard, label
        assert value > 0
