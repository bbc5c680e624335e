"""Event factories: a published event starting in a week unless told otherwise.

Territories are the directory's reference table: the `territory` fixture seeds the five
historical ones (by code; `make_event` asks for it), and `make_event(territory="metz")` takes a
code for readability.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.time import utcnow

TERRITORIES = (("metz", "Metz"), ("thionville", "Thionville"),
               ("forbach-boulay", "Forbach – Boulay-Moselle"),
               ("sarreguemines-bitche", "Sarreguemines – Bitche"),
               ("sarrebourg-chateau-salins", "Sarrebourg – Château-Salins"))


@pytest.fixture
def territory(db):
    """code → Territory row, for every test of this folder."""
    from network.directory.models import Territory

    rows = {}
    for position, (code, name) in enumerate(TERRITORIES):
        rows[code] = Territory(code=code, name=name, position=position)
        db.session.add(rows[code])
    db.session.commit()
    return rows


@pytest.fixture
def make_event(db, make_staff, territory):
    from network.events import staff
    from network.events.models import EventKind, EventStatus

    counter = {"n": 0}
    owner = {}

    def make(*, status=EventStatus.PUBLISHED, territory="metz", **overrides):
        counter["n"] += 1
        if "staff" not in owner:
            owner["staff"] = make_staff(email="equipe-evenements@example.org")
        start = overrides.pop("start_at", utcnow().replace(microsecond=0) + timedelta(days=7))
        from network.events.territories import by_code

        values = dict(kind=EventKind.EVENING, title=f"Soirée {counter['n']}", start_at=start,
                      end_at=start + timedelta(hours=3), territory_id=by_code(territory).id,
                      venue_name="Hôtel du Département", venue_room="Espace Pierre Messmer",
                      venue_address="Metz", capacity=10)
        values.update(overrides)
        event = staff.create_event(staff.EventData(**values), acting=owner["staff"])
        event.status = status
        db.session.commit()
        return event

    return make


@pytest.fixture
def make_member(db, make_user, make_org, territory):
    """A verified member of a structure the network approved (staff approval in the directory
    is simulated by the structure row's status)."""
    from network.directory.models import Structure, StructureStatus

    counter = {"n": 0}

    def make(user=None, *, name="Association Exemple", status=StructureStatus.APPROVED,
             place="metz", **user_values):
        counter["n"] += 1
        user = user or make_user(**user_values)
        org = make_org(user, name=name)
        db.session.add(Structure(organisation_id=org.id, name=name, status=status,
                                 siret=f"{counter['n']:014d}", siren=f"{counter['n']:09d}",
                                 legal_form=_legal_form(), postcode="57000", commune="Metz",
                                 territory_id=territory[place].id))
        db.session.commit()
        return user

    return make


def _legal_form():
    from network.directory.models import LegalForm

    return next(iter(LegalForm))


@pytest.fixture
def guest():
    from network.events.registration import Answers

    def make(n: int | str = 1, **overrides) -> Answers:
        values = dict(name=f"Invité {n}", email=f"invite{n}@example.org",
                      organisation_name="Association Exemple")
        values.update(overrides)
        return Answers(**values)

    return make
