"""The demo's ESSpresso session is published: agendas and the room screen can be seen."""

from __future__ import annotations


def test_demo_session_is_published_with_agendas(runner, client, db):
    from sqlalchemy import select

    from network.core.time import utcnow
    from network.esspresso import agendas
    from network.meetings.models import MeetingSession
    from network.meetings.rules import participants_of

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "agenda publié" in result.output
    session = db.session.scalar(select(MeetingSession).where(  # the coming one, not the past
        MeetingSession.kind == "esspresso", MeetingSession.starts_at > utcnow()))
    assert session.published_at is not None
    screen = client.get(f"/esspresso/{session.id}/ecran")
    assert screen.status_code == 200 and "Tour suivant" in screen.get_data(as_text=True)
    from network.accounts.services import get_user_by_email

    buyer = get_user_by_email("acheteur@example.org")
    [me] = participants_of(buyer, session)
    assert agendas.items(session, me)
