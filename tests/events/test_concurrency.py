"""200 people register at once for 150 seats, through real HTTP: exactly 150 seats, 50 waiting.

Guests are used (no log-in round trip): a guest's pending hold counts as a taken seat, so the
capacity check is the same conditional UPDATE that signed-in registrations go through.
Duplicates are sent too: the same e-mail twice must never take two seats.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from network.core.time import utcnow


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, data: dict) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_200_concurrent_registrations_for_150_seats(live_server):
    from network.accounts.models import User
    from network.directory.models import Territory
    from network.events import queries, staff
    from network.events.models import Event, EventKind, EventStatus, Registration
    from network.extensions import db

    app = live_server.app
    with app.app_context():
        start = utcnow() + timedelta(days=7)
        metz = Territory(code="metz", name="Metz")
        boss = User(email="equipe@example.org", name="Équipe", password_hash="x", is_staff=True)
        db.session.add_all([metz, boss])
        db.session.flush()
        event = staff.create_event(staff.EventData(
            kind=EventKind.EVENING, title="Soirée très demandée", start_at=start,
            end_at=start + timedelta(hours=3), territory_id=metz.id, capacity=150), acting=boss)
        event.status = EventStatus.PUBLISHED
        db.session.commit()
        event_id = event.id
        db.session.remove()

    url = f"{live_server.url}/evenements/{event_id}/inscription"
    people = [{"name": f"Personne {i}", "email": f"p{i}@example.org"} for i in range(200)]
    duplicates = people[:15] + people[-15:]  # the same e-mails again, concurrently
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda d: post(url, d), people + duplicates))
    assert statuses.count(302) == 230, sorted(set(statuses))

    with app.app_context():
        event = db.session.get(Event, event_id)
        rows = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.event_id == event_id)
            .group_by(Registration.status)).all())
        assert event.seats_taken == 150
        assert rows == {"pending": 150, "waitlisted": 50}
        positions = sorted(queries.waitlist_position(r) for r in db.session.scalars(
            select(Registration).where(Registration.event_id == event_id,
                                       Registration.status == "waitlisted")))
        assert positions == list(range(1, 51))
        db.session.remove()
