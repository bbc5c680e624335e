"""The engine with other roles than ESSpresso's: a forum job-dating where a stand is a table
owned by one exhibitor and the visitors are guests holding a signed link."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.auth import Guest
from network.core.errors import PermissionDenied
from network.core.time import utcnow


@pytest.fixture
def job_dating(db, staff):
    from network.meetings import participants, sessions
    from network.meetings.models import SIDE_A, SIDE_B

    start = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    s = sessions.create_session(sessions.SessionData(
        kind="job-dating", title="Forum : job-dating", side_a_role="visitor",
        side_b_role="exhibitor", starts_at=start, ends_at=start + timedelta(hours=1),
        slot_minutes=10, tables_count=4), acting=staff)
    stand = participants.join(s, SIDE_B, display_name="Régie de quartier",
                              presence=participants.Presence())
    sessions.assign_table(s, 3, stand.id, acting=staff)
    guests = [participants.join(s, SIDE_A, display_name=f"Visiteur {i}",
                                guest_email=f"visiteur{i}@example.org",
                                presence=participants.Presence()) for i in (1, 2)]
    db.session.commit()
    return s, stand, guests


def test_a_guest_books_an_interview_at_the_exhibitors_stand(db, job_dating, make_user):
    from network.meetings import booking
    from network.meetings.booking import SlotTaken

    s, stand, (v1, v2) = job_dating
    me = Guest(email="visiteur1@example.org", scope=f"meetings:{s.id}")
    meeting = booking.book(s, v1, stand, 2, acting=me)
    assert meeting.table_number == 3  # the stand, not the first free table
    assert s.role_of(meeting.a.side) == "visitor" and s.role_of(meeting.b.side) == "exhibitor"
    other = Guest(email="visiteur2@example.org", scope=f"meetings:{s.id}")
    with pytest.raises(SlotTaken) as taken:
        booking.book(s, v2, stand, 2, acting=other)
    assert taken.value.alternatives == [0, 1, 3]
    for wrong in (Guest(email="visiteur2@example.org", scope=f"meetings:{s.id}"),
                  Guest(email="visiteur1@example.org", scope="meetings:999"),
                  make_user()):
        with pytest.raises(PermissionDenied):
            booking.book(s, v1, stand, 4, acting=wrong)


def test_only_organisers_assign_stands(db, job_dating, make_user):
    from network.meetings import sessions

    s, stand, _guests = job_dating
    with pytest.raises(PermissionDenied):
        sessions.assign_table(s, 1, stand.id, acting=make_user())
