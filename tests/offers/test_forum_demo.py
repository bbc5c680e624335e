"""`flask demo load` shows the January forum: exhibitors, stands, a plan, interviews booked."""

from __future__ import annotations

from sqlalchemy import func, select

from network.core.time import PARIS


def test_demo_january_forum(app, db, runner, client):
    from network.meetings.models import Meeting
    from network.offers import exhibitors, jobdating
    from network.outbox.models import OutboxMessage

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "forum de janvier : 5 stands, un plan, 6 entretiens" in result.output
    from network.core.time import utcnow
    from network.offers.forum_demo import january

    target = january(utcnow().astimezone(PARIS).date())
    (event,) = [e for e in exhibitors.list_forums() if exhibitors.list_stands(e)]
    start = event.start_at.astimezone(PARIS)
    assert (start.year, start.month) == (target.year, 1)
    stands = exhibitors.list_stands(event)
    assert [s.exhibitor.stand_number for s in stands] == [1, 2, 3, 4, 5]
    assert all(s.offers for s in stands)
    assert exhibitors.get_plan(event).mimetype == "image/png"
    session = jobdating.session_of(event)
    meetings = db.session.scalars(select(Meeting).where(Meeting.session_id == session.id))
    owned = {t.number: t.owner_id for t in session.tables}
    assert all(owned[m.table_number] == m.b_id for m in meetings)  # each at its stand
    page = client.get(f"/forum/{event.id}").get_data(as_text=True)
    assert "Stand 1" in page and "Plan de la salle" in page
    assert "/forum/" in client.get("/offres/").get_data(as_text=True)
    # Loading again adds nothing, and the forum's demo queued no mail to its visitors.
    again = runner.invoke(args=["demo", "load"])
    assert "forum de janvier" not in again.output
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.to_address == "lea.martin@example.net",
        OutboxMessage.subject.like("%job-dating%"))) == 0


def test_the_demo_forum_is_the_next_january():
    from datetime import date

    from network.offers.forum_demo import january

    assert january(date(2026, 11, 26)) == date(2027, 1, 21)  # the January 2027 forum
    assert january(date(2027, 1, 1)) == date(2027, 1, 21)
    assert january(date(2027, 3, 2)) == date(2028, 1, 21)
