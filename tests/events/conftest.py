"""Event factories: a published event starting in a week unless told otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.time import utcnow


@pytest.fixture
def make_event(db):
    from network.events import services
    from network.events.models import EventKind, EventStatus

    counter = {"n": 0}

    def make(*, status=EventStatus.PUBLISHED, **overrides):
        counter["n"] += 1
        start = overrides.pop("start_at", utcnow().replace(microsecond=0) + timedelta(days=7))
        values = dict(kind=EventKind.EVENING, title=f"Soirée {counter['n']}", start_at=start,
                      end_at=start + timedelta(hours=3), territory="metz",
                      venue_name="Hôtel du Département", venue_room="Espace Pierre Messmer",
                      venue_address="Metz", capacity=10)
        values.update(overrides)
        event = services.create_event(services.EventData(**values))
        event.status = status
        db.session.commit()
        return event

    return make


@pytest.fixture
def guest():
    from network.events.services import Answers

    def make(n: int | str = 1, **overrides) -> Answers:
        values = dict(name=f"Invité {n}", email=f"invite{n}@example.org",
                      organisation_name="Association Exemple")
        values.update(overrides)
        return Answers(**values)

    return make
