"""Outcomes: each side reports each meeting (the wrong user refused, bad input named at the
field, one answer per side), the reminder a week later (once, only to those who did not
answer, through a real SMTP server), and staff's impact figures with their CSV."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.core.errors import Conflict, PermissionDenied, ValidationError


@pytest.fixture
def web(app, login):
    app.config["WTF_CSRF_ENABLED"] = False

    def as_user(user):
        c = app.test_client()
        login(user, on=c)
        return c

    return as_user


def report(session, side, meeting_id, held="oui", follow_up="none", amount="", *, acting=None):
    from network.esspresso import outcomes

    return outcomes.report(session, side.participant.id, meeting_id, outcomes.OutcomeData(
        was_held=held, follow_up=follow_up, amount=amount), acting=acting or side.user)


def test_each_side_reports_its_meetings(db, session, day, to_now, make_user):
    from network.meetings.models import MeetingOutcome

    buyer, supplier = day.buyers[0], day.suppliers[0]
    mid = day.meetings[0]
    with pytest.raises(Conflict) as early:
        report(session, buyer, mid)
    assert early.value.code == "too_early"
    to_now(session, minutes_in=200)  # the whole session is over
    with pytest.raises(PermissionDenied):
        report(session, buyer, mid, acting=make_user())
    with pytest.raises(PermissionDenied):
        report(session, buyer, mid, acting=supplier.user)  # not the buyer's team
    with pytest.raises(Conflict):
        report(session, day.buyers[1], mid)  # not their meeting
    with pytest.raises(ValidationError) as bad:
        report(session, buyer, mid, held="peut-être", follow_up="x", amount="1 M€")
    assert set(bad.value.field_errors) == {"was_held", "follow_up", "amount"}
    with pytest.raises(ValidationError) as odd:
        report(session, buyer, mid, held="non", follow_up="contract")
    assert odd.value.code == "no_follow_up"
    assert db.session.scalar(select(func.count(MeetingOutcome.id))) == 0
    report(session, buyer, mid, follow_up="quote")
    answer = report(session, buyer, mid, follow_up="contract", amount="40k-90k")  # changes
    report(session, supplier, mid, follow_up="contract")
    db.session.commit()
    assert db.session.scalar(select(func.count(MeetingOutcome.id))) == 2
    assert (answer.follow_up.value, answer.amount) == ("contract", "40k-90k")


def test_outcome_page_for_the_team_only(web, db, session, day, to_now, make_user):
    from network.meetings.models import MeetingOutcome

    to_now(session, minutes_in=200)
    supplier = day.suppliers[0]
    url = f"/esspresso/{session.id}/bilan?pour={supplier.participant.id}"
    assert web(make_user()).get(url).status_code == 403
    assert web(day.buyers[0].user).post(url, data={
        "meeting": day.meetings[0], "was_held": "oui", "follow_up": "quote"}).status_code == 403
    c = web(supplier.user)
    page = c.get(url)
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('name="was_held"') == 2 * 2  # two meetings
    bad = c.post(url, data={"meeting": day.meetings[0], "follow_up": "quote"})
    assert bad.status_code == 422
    assert "Dites si le rendez-vous a eu lieu." in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MeetingOutcome.id))) == 0
    ok = c.post(url, data={"meeting": day.meetings[0], "was_held": "oui",
                           "follow_up": "partnership", "amount": ""})
    assert ok.status_code == 302
    assert "Partenariat" in c.get(url).get_data(as_text=True)
    huge = c.post(url, data={"meeting": "9" * 30, "was_held": "oui", "follow_up": "quote"})
    assert huge.status_code == 422 and "existe plus" in huge.get_data(as_text=True)


def test_reminder_a_week_later_once_to_those_who_did_not_answer(
        smtp_config, app, db, session, day, to_now, runner):
    from network.outbox.services import deliver_due
    from support import mail_text

    to_now(session, minutes_in=200)
    report(session, day.buyers[1], day.meetings[1])  # buyer 2 answered its only meeting
    db.session.commit()
    deliver_due()
    db.session.commit()
    before = len(smtp_config.messages)
    result = runner.invoke(args=["esspresso", "remind-outcomes"])
    # French: zero is singular
    assert "0 participant." in result.output  # too early: the session ended today
    to_now(session, minutes_in=200 + 8 * 24 * 60)
    result = runner.invoke(args=["esspresso", "remind-outcomes"])
    assert "3 participants" in result.output, result.output
    deliver_due()
    db.session.commit()
    mails = smtp_config.wait_for(before + 3)[before:]
    to = sorted(m["To"] for m in mails)
    assert to == sorted([day.buyers[0].user.email, day.suppliers[0].user.email,
                         day.suppliers[1].user.email])
    assert "/bilan?pour=" in mail_text(mails[0])
    again = runner.invoke(args=["esspresso", "remind-outcomes"])
    assert "0 participant." in again.output  # French: zero is singular


def test_staff_see_the_impact_by_category_territory_and_kind(
        web, db, session, day, to_now, staff, make_user):
    from network.meetings import day as engine_day

    to_now(session, minutes_in=200)
    m0, m1, m2 = day.meetings
    engine_day.mark(session, m0, "held", acting=staff)
    engine_day.mark(session, m2, "missed", acting=staff)
    report(session, day.buyers[0], m0, follow_up="contract", amount="moins-40k")
    report(session, day.suppliers[0], m0, follow_up="quote")
    report(session, day.buyers[1], m1, follow_up="quote")  # held, says the buyer
    db.session.commit()
    assert web(make_user()).get("/esspresso/impact").status_code == 403
    assert web(day.buyers[0].user).get("/esspresso/impact.csv").status_code == 403
    c = web(staff)
    page = c.get("/esspresso/impact")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("<svg") == 3 and 'role="img"' in text
    for label in ("SIAE (insertion)", "Association ou fondation", "Thionville", "Metz",
                  "Traiteur", "Propreté"):
        assert label in text, label
    csv = c.get(f"/esspresso/impact.csv?session={session.id}")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    rows = [line.split(";") for line in csv.data.decode("utf-8-sig").splitlines()]
    assert rows[0] == ["Regroupement", "Valeur", "Rendez-vous", "Tenus", "Suites annoncées",
                       "Contrats annoncés"]
    assert rows[1] == ["Total", "", "3", "2", "2", "1"]
    siae = next(r for r in rows if r[1] == "SIAE (insertion)")
    assert siae[2:] == ["2", "2", "2", "1"]
    other = next(r for r in rows if r[1] == "Association ou fondation")
    assert other[2:] == ["1", "0", "0", "0"]
    assert c.get("/esspresso/impact?session=99999999999999").status_code == 200
