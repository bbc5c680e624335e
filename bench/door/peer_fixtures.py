"""Seed the side-by-side benchmark for our app (adapted from ../shared/peers/network/fixtures.py,
which calls the old `network.events.services` API).

Run with the app's venv, DATABASE_URL set, the database migrated. Creates, without HTTP:
  - a staff account (accounts.create_staff, acting=System),
  - 'door' event: published, capacity N_TICKETS + 100, N_TICKETS confirmed registrations
    inserted through the ORM (what registration.register leaves behind, minus the mails),
  - 'sale' event: published, capacity SALE_QUOTA, empty,
  - one door device token per load client (devices.issue), like pretix's API token.
Writes FIXTURES_OUT (json) and prints a one-line summary.
"""
import json
import os
import secrets
from datetime import timedelta

from network import create_app
from network.accounts import services as accounts
from network.core.auth import System
from network.core.time import utcnow
from network.directory.reference import ensure_reference_data
from network.events import badges, devices, staff
from network.events.models import EventKind, Registration, RegistrationStatus, new_uid
from network.events.territories import by_code
from network.extensions import db

N_TICKETS = int(os.environ.get("N_TICKETS", "2000"))
SALE_QUOTA = int(os.environ.get("SALE_QUOTA", "1000"))
N_DEVICES = int(os.environ.get("N_DEVICES", "20"))
OUT = os.environ.get("FIXTURES_OUT", "fixtures.json")

app = create_app()
with app.app_context():
    ensure_reference_data()
    email = "bench-staff@example.org"
    password = "Bench-" + secrets.token_hex(12)
    boss = accounts.create_staff(email, name="Bench Staff", password=password,
                                 acting=System("bench"))
    db.session.commit()

    def make_event(title, capacity):
        start = utcnow() + timedelta(hours=1)
        ev = staff.create_event(staff.EventData(
            kind=EventKind.FORUM, title=title, start_at=start, end_at=start + timedelta(hours=6),
            territory_id=by_code("metz").id, capacity=capacity), acting=boss)
        staff.publish_event(ev, acting=boss)
        return ev

    door = make_event("Bench door", N_TICKETS + 100)
    now = utcnow()
    codes = set()
    regs = []
    while len(codes) < N_TICKETS:
        reg = Registration(
            event_id=door.id, email=f"guest{len(regs)}@example.org", name=f"Guest {len(regs)}",
            organisation_name=f"Structure {len(regs) % 97}",
            status=RegistrationStatus.CONFIRMED, is_email_confirmed=True, confirmed_at=now,
            ical_uid=f"{new_uid()}@127.0.0.1")
        reg.badge_code = badges.new_code()
        if reg.badge_code in codes:
            continue
        codes.add(reg.badge_code)
        regs.append(reg)
    db.session.add_all(regs)
    door.seats_taken = N_TICKETS
    tokens = [devices.issue(door, name=f"Bench {i}", acting=boss)[1] for i in range(N_DEVICES)]
    sale = make_event("Bench sale", SALE_QUOTA)
    db.session.commit()
    out = {
        "staff_email": email, "staff_password": password, "staff_id": boss.id,
        "door_event": door.id, "codes": [r.badge_code for r in regs], "tokens": tokens,
        "sale_event": sale.id, "sale_capacity": SALE_QUOTA,
    }
with open(OUT, "w") as f:
    json.dump(out, f)
print(f"fixtures: {N_TICKETS} confirmed registrations on event {out['door_event']}; "
      f"{N_DEVICES} device tokens; sale event {out['sale_event']} capacity {SALE_QUOTA}")
