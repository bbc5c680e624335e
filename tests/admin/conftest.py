"""Back-office fixtures: reference lists, structures, events in the past with registrations."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from network.core.time import utcnow


@pytest.fixture
def refdata(app):
    from network.directory import reference as services_reference

    services_reference.ensure_reference_data()


@pytest.fixture
def staff(make_staff):
    return make_staff(email="camille@example.org", name="Camille Équipe")


@pytest.fixture
def make_structure(db, refdata, make_user, staff):
    from network.directory import profiles as services
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.directory.models import StructureStatus

    counter = {"n": 0}

    def make(owner=None, *, approved=True, approved_at=None, **overrides):
        counter["n"] += 1
        n = counter["n"]
        values = dict(name=f"Association Test {n}", siret=make_siret(5_000 + n),
                      legal_form="association", rna=f"W57300{n:04d}", postcode="57000",
                      commune="Metz", territory="metz", sectors=["insertion"])
        values.update(overrides)
        owner = owner or make_user()
        structure = services.create_structure(acting=owner, data=StructureData(**values))
        if approved:
            services.approve_structure(structure, acting=staff)
            if approved_at is not None:
                structure.approved_at = approved_at
        db.session.commit()  # services flush; the pages read committed rows
        assert structure.status == (StructureStatus.APPROVED if approved
                                    else StructureStatus.PENDING)
        return structure

    return make


@pytest.fixture
def make_event(db, refdata, staff):
    from network.events import staff as events_staff
    from network.events.models import EventKind, EventStatus
    from network.events.territories import by_code

    counter = {"n": 0}

    def make(*, territory="metz", days=7, status=EventStatus.PUBLISHED, **overrides):
        counter["n"] += 1
        start = utcnow().replace(microsecond=0) + timedelta(days=days)
        values = dict(kind=EventKind.BREAKFAST, title=f"Petit-déjeuner {counter['n']}",
                      start_at=start, end_at=start + timedelta(hours=2),
                      territory_id=by_code(territory).id, venue_name="Salle Braun",
                      venue_address="Metz", capacity=50)
        values.update(overrides)
        event = events_staff.create_event(events_staff.EventData(**values), acting=staff)
        event.status = status
        db.session.commit()
        return event

    return make


@pytest.fixture
def add_registration(db):
    """A registration row as the past left it (confirmed, maybe checked in or waitlisted)."""
    from network.events.models import Registration, RegistrationStatus

    def add(event, *, came=False, waitlisted=False, status=RegistrationStatus.CONFIRMED,
            created_at=None):
        n = secrets.token_hex(4)
        reg = Registration(event_id=event.id, email=f"p{n}@example.org", name=f"P {n}",
                           status=status, ical_uid=f"{n}@test", is_email_confirmed=True,
                           created_at=created_at or event.start_at - timedelta(days=3),
                           confirmed_at=event.start_at - timedelta(days=3),
                           waitlisted_at=event.start_at - timedelta(days=4) if waitlisted
                           else None,
                           checked_in_at=event.start_at + timedelta(minutes=5) if came
                           else None)
        db.session.add(reg)
        if status in (RegistrationStatus.CONFIRMED,):
            event.seats_taken += 1
        db.session.commit()
        return reg

    return add
