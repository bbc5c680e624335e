"""ESSpresso on the meetings engine: an event, its session, buyers and suppliers registered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from network.core.time import PARIS, utcnow


def paris(day, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def refdata(app):
    from network.directory import reference

    reference.ensure_reference_data()


@pytest.fixture
def staff(make_staff):
    return make_staff(name="Camille Équipe")


@pytest.fixture
def esspresso_event(db, refdata, staff):
    from network.events import staff as _events_staff
    from network.events import territories as _territories
    from network.events.models import EventKind, EventStatus

    day = (utcnow() + timedelta(days=10)).astimezone(PARIS).date()
    event = _events_staff.create_event(_events_staff.EventData(
        kind=EventKind.ESSPRESSO, title="ESSpresso de test", start_at=paris(day, 14),
        end_at=paris(day, 17), territory_id=_territories.by_code("metz").id, capacity=200),
        acting=staff)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    return event


@pytest.fixture
def session(db, esspresso_event, staff):
    """9 slots of 20 minutes (14:00–17:00), 4 tables."""
    from network.esspresso import planning

    s = planning.create_session(planning.SessionForm(
        event_id=esspresso_event.id, slot_minutes=20, tables_count=4), acting=staff)
    db.session.commit()
    return s


def category_id(code: str) -> int:
    from sqlalchemy import select

    from network.directory.models import PurchaseCategory
    from network.extensions import db

    return db.session.scalar(select(PurchaseCategory.id).where(PurchaseCategory.code == code))


@dataclass
class Side:
    participant: object
    user: object
    organisation_id: int


@pytest.fixture
def make_buyer(db, make_user, session):
    from network.esspresso import buyers, registration
    from network.meetings.participants import Presence

    counter = {"n": 0}

    def make(*, user=None, category: str = "traiteur", presence: Presence | None = None,
             reservation: str = "aucune", of_session=None, **need):
        from network.directory.demo import make_siret

        counter["n"] += 1
        n = counter["n"]
        user = user or make_user(name=f"Acheteuse {n}")
        profile = buyers.create_buyer(buyers.BuyerData(
            name=f"Entreprise Acheteuse {n}", buyer_type="entreprise",
            siret=make_siret(880_000 + n), naf_code="62.01Z", postcode="57000",
            commune="Metz", territory="metz"), acting=user)
        participant = registration.register_buyer(
            of_session or session, profile, presence or Presence(),
            registration.NeedData(category_id=category_id(category),
                                  description=need.pop("description", "Repas pour 80 agents"),
                                  reservation=reservation, **need), acting=user)
        db.session.commit()
        return Side(participant, user, profile.organisation_id)

    return make


@pytest.fixture
def make_supplier(db, make_user, staff, session):
    from network.directory import profiles as directory
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.esspresso import registration
    from network.meetings.participants import Presence

    counter = {"n": 0}

    def make(*, user=None, categories=("traiteur",), buyer_kind: str = "none",
             presence: Presence | None = None, territory: str = "metz", of_session=None):
        counter["n"] += 1
        n = counter["n"]
        user = user or make_user(name=f"Fournisseur {n}")
        structure = directory.create_structure(acting=user, data=StructureData(
            name=f"Association Fournisseuse {n}", siret=make_siret(770_000 + n),
            legal_form="association", rna=f"W57300{n:04d}", postcode="57000", commune="Metz",
            territory=territory, buyer_kind=buyer_kind, sectors=["insertion"],
            offerings=[(c, "prestation", "territoire") for c in categories],
            description="Une association de Metz."))
        directory.approve_structure(structure, acting=staff)
        participant = registration.register_supplier(
            of_session or session, structure.organisation_id, presence or Presence(),
            [category_id(c) for c in categories], acting=user)
        db.session.commit()
        return Side(participant, user, structure.organisation_id)

    return make


@pytest.fixture
def category(refdata):
    """category(code) -> the purchase category's id."""
    return category_id


# --- a published day (agendas, room, outcomes) --------------------------------------------------


@dataclass
class Day:
    session: object
    buyers: list
    suppliers: list
    meetings: list


def publish_day(db, session, make_buyer, make_supplier, staff) -> Day:
    """Two buyers, two suppliers (one a SIAE), three meetings booked then published."""
    from network.esspresso import meetings, planning

    buyers = [make_buyer(), make_buyer(category="proprete")]
    suppliers = [make_supplier(buyer_kind="aci", categories=("traiteur", "proprete")),
                 make_supplier(territory="thionville")]
    booked = [meetings.book_meeting(session, buyers[0].participant.id,
                                    suppliers[0].participant.id, 0, acting=buyers[0].user),
              meetings.book_meeting(session, buyers[1].participant.id,
                                    suppliers[0].participant.id, 1, acting=buyers[1].user),
              meetings.book_meeting(session, buyers[0].participant.id,
                                    suppliers[1].participant.id, 2, acting=buyers[0].user)]
    db.session.commit()
    run = planning.run_scheduler(session, acting=staff, time_limit=2)
    planning.publish(session, run.id, acting=staff)
    db.session.commit()
    return Day(session, buyers, suppliers, [m.id for m in booked])


def shift_to_now(db, session, *, minutes_in: int = 5) -> None:
    """Move the session so that its first slot began `minutes_in` minutes ago."""
    from network.core.time import as_utc, utcnow

    delta = utcnow() - timedelta(minutes=minutes_in) - as_utc(session.starts_at)
    session.starts_at = as_utc(session.starts_at) + delta
    session.ends_at = as_utc(session.ends_at) + delta
    for slot in session.slots:
        slot.starts_at = as_utc(slot.starts_at) + delta
        slot.ends_at = as_utc(slot.ends_at) + delta
    db.session.commit()


@pytest.fixture
def day(db, session, make_buyer, make_supplier, staff) -> Day:
    return publish_day(db, session, make_buyer, make_supplier, staff)


@pytest.fixture
def to_now(db):
    return lambda session, minutes_in=5: shift_to_now(db, session, minutes_in=minutes_in)
