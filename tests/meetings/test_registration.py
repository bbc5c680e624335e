"""A registration made at its own clock (`now=`, as the demo's past session is made): the
participant joins the session's event at that clock too, not at the real one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from network.core.errors import Conflict
from network.core.time import PARIS, utcnow


def test_a_registration_at_its_own_clock_joins_the_event_then(db, staff, category, make_user):
    from network.directory.demo import make_siret
    from network.esspresso import buyers, planning, registration
    from network.events import staff as events_staff
    from network.events import territories
    from network.events.models import EventKind, Registration, RegistrationStatus
    from network.meetings.participants import Presence

    day = (utcnow() - timedelta(days=30)).astimezone(PARIS).date()

    def paris(d, hour: int) -> datetime:
        return datetime(d.year, d.month, d.day, hour, tzinfo=PARIS)

    event = events_staff.create_event(events_staff.EventData(
        kind=EventKind.ESSPRESSO, title="ESSpresso passé", start_at=paris(day, 9),
        end_at=paris(day, 12), territory_id=territories.by_code("metz").id, capacity=50),
        acting=staff)
    events_staff.publish_event(event, acting=staff)
    session = planning.create_session(planning.SessionForm(
        event_id=event.id, slot_minutes=20, tables_count=4), acting=staff)
    user = make_user(name="Acheteuse du passé")
    profile = buyers.create_buyer(buyers.BuyerData(
        name="Entreprise du passé", buyer_type="entreprise", siret=make_siret(881_000),
        naf_code="62.01Z", postcode="57000", commune="Metz", territory="metz"), acting=user)
    need = registration.NeedData(category_id=category("traiteur"),
                                 description="Repas pour 80 agents")
    with pytest.raises(Conflict) as late:  # today, the session is long over
        registration.register_buyer(session, profile, Presence(), need, acting=user)
    assert late.value.code == "registration_closed"

    then = paris(day, 10) - timedelta(days=20)
    participant = registration.register_buyer(session, profile, Presence(), need,
                                              acting=user, now=then)
    reg = db.session.get(Registration, participant.registration_id)
    assert reg.event_id == event.id and reg.status == RegistrationStatus.CONFIRMED
