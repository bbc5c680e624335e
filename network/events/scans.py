"""Scans from a device (the scanner page, the check-in API): the fast path, nonces, offline
uploads.

`checkin.check_in` is the precise rule; a device's scan takes a shorter road to the same
answers because the door on 2 December sees hundreds of scans in a few minutes. The usual
case is one conditional UPDATE … RETURNING, a refusal one read more (none on PostgreSQL),
with the same codes and words as `check_in`, which still decides the rare cases. A (device,
nonce) pair makes a retry harmless; an offline upload keeps its own time and the first scan
wins. Like every service, these functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from network.accounts.models import User
from network.core import signals
from network.core.time import utcnow
from network.events import badges
from network.events.checkin import (
    CheckInError,
    already_message,
    already_text,
    by_columns,
    check_in,
    checked_in_by,
    refusal,
    unknown_code,
)
from network.events.models import DoorVolunteer, Event, Registration, RegistrationStatus
from network.extensions import db

S = RegistrationStatus

#: An offline scan's own clock is trusted this far back (a phone set to the wrong day is not).
OFFLINE_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class ScanResult:
    ok: bool
    code: str
    message: str
    status: int
    registration_id: int | None = None
    name: str = ""
    organisation: str = ""
    accessibility: str = ""
    checked_in_at: datetime | None = None
    replayed: bool = False
    by: str = ""
    badge: str = ""


def _scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    if scanned_at is None or scanned_at > now or scanned_at < now - OFFLINE_WINDOW:
        return now
    return scanned_at


_STATEMENTS: dict[str, dict[str, Any]] = {}


def _statements() -> dict[str, Any]:
    """The scan's two statements, built once per dialect with bound parameters: Core on the
    tables, through the session's connection, so a scan pays neither the ORM's per-statement
    work nor the building of the statement (profiled: about half of a scan's Python time)."""
    from sqlalchemy import bindparam
    from sqlalchemy.dialects import postgresql, sqlite

    from network.events.door_models import DoorScan

    dialect = db.session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        t, d = Registration.__table__, DoorScan.__table__
        e, v, u = Event.__table__, DoorVolunteer.__table__, User.__table__
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _STATEMENTS[dialect] = {
            "check_in": t.update()
            .where(t.c.badge_code == bindparam("b_code"), t.c.event_id == bindparam("b_event"),
                   t.c.status == S.CONFIRMED, t.c.checked_in_at.is_(None))
            .values(checked_in_at=bindparam("at"), attended=True,
                    checked_in_by_id=bindparam("by_user"),
                    checked_in_by_volunteer_id=bindparam("by_volunteer"),
                    updated_at=bindparam("now"))
            .returning(t.c.id, t.c.name, t.c.organisation_name, t.c.accessibility_needs),
            "record": insert(d).values({c: bindparam(f"b_{c}") for c in (
                "event_id", "device_id", "nonce", "code", "registration_id", "outcome",
                "scanned_at", "received_at")})
            .on_conflict_do_nothing(index_elements=["device_id", "nonce"]).returning(d.c.id),
            # A refusal's one read: the registration, its event's title (a badge of another
            # event) and who let the person in, so the answer needs no ORM load.
            "lookup": select(t.c.id, t.c.event_id, t.c.status, t.c.checked_in_at, t.c.name,
                             t.c.organisation_name, e.c.title, v.c.name.label("by_volunteer"),
                             u.c.name.label("by_user"),
                             # this device already sent this nonce: a retry, answered as such
                             select(d.c.outcome).where(d.c.device_id == bindparam("b_device"),
                                                       d.c.nonce == bindparam("b_nonce"))
                             .scalar_subquery().label("replay"))
            .select_from(t.join(e, e.c.id == t.c.event_id)
                         .outerjoin(v, v.c.id == t.c.checked_in_by_volunteer_id)
                         .outerjoin(u, u.c.id == t.c.checked_in_by_id))
            .where(t.c.badge_code == bindparam("b_code")),
        }
        if dialect == "postgresql":
            # PostgreSQL: the UPDATE in a CTE and the read in one round trip, so a refusal
            # costs what an admit costs. The read sees the row as it was before the UPDATE
            # (one snapshot): `admitted` says whether this very statement let the person in.
            s = _STATEMENTS[dialect]
            done = s["check_in"].cte("admitted")
            s["scan"] = s["lookup"].add_columns(
                t.c.accessibility_needs, done.c.id.label("admitted")
            ).outerjoin_from(t, done, done.c.id == t.c.id)
    return _STATEMENTS[dialect]


def _record(event_id: int, device_id: int, nonce: str, code: str, reg_id: int | None,
            outcome: str, scanned_at: datetime, now: datetime) -> bool:
    """Keep the scan; False if this (device, nonce) was already received (a retry).

    One INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL): no savepoint round trips."""
    done = db.session.connection().execute(_statements()["record"], {
        "b_event_id": event_id, "b_device_id": device_id, "b_nonce": nonce, "b_code": code,
        "b_registration_id": reg_id, "b_outcome": outcome, "b_scanned_at": scanned_at,
        "b_received_at": now})
    return done.first() is not None


def _replay(device_id: int, nonce: str) -> ScanResult | None:
    from network.events.door_models import DoorScan

    row = db.session.execute(
        select(DoorScan.outcome, DoorScan.code, Registration.id, Registration.name,
               Registration.organisation_name, Registration.checked_in_at)
        .outerjoin(Registration, Registration.id == DoorScan.registration_id)
        .where(DoorScan.device_id == device_id, DoorScan.nonce == nonce)).first()
    if row is None:
        return None
    ok = row.outcome == "checked_in"
    return ScanResult(ok=ok, code=row.outcome, replayed=True, status=200 if ok else 409,
                      message=_("Scan déjà reçu (renvoi sans effet)."), registration_id=row.id,
                      name=row.name or "", organisation=row.organisation_name or "",
                      checked_in_at=row.checked_in_at, badge=row.code)


def scan(event_id: int, scanned: str, *, acting: Any, device_id: int, nonce: str | None = None,
         scanned_at: datetime | None = None, offline: bool = False,
         now: datetime | None = None) -> ScanResult:
    """A device's scan. The usual case — a confirmed badge of this event not yet used — is one
    conditional UPDATE … RETURNING (plus the scan row when a nonce is sent); a refusal is one
    read more (`_refused`; on PostgreSQL none: the read shares the UPDATE's statement), with
    the same codes and words as `check_in`, which still decides the rare cases. The caller
    has already checked that `acting` works this event's door (`devices.authenticate`). An
    `offline` scan (uploaded from a queue) keeps its own time, and an earlier one takes the
    entry over (first scan wins)."""
    now = now or utcnow()
    at = _scan_time(scanned_at, now) if offline else now
    code = badges.normalize(scanned)
    if code is None:
        return ScanResult(False, "invalid_code", _("Ce code n'est pas celui d'un badge "
                                                   "(8 lettres et chiffres)."), 422)
    by = by_columns(acting)
    statements = _statements()
    params = {"b_code": code, "b_event": event_id, "at": at, "by_user": by["checked_in_by_id"],
              "by_volunteer": by["checked_in_by_volunteer_id"], "now": now,
              "b_device": device_id, "b_nonce": nonce}
    found: Any = _LOOK_UP
    if "scan" in statements:  # PostgreSQL: the UPDATE and the refusal's read together
        found = db.session.connection().execute(statements["scan"], params).first()
        row = found if found is not None and found.admitted is not None else None
    else:
        row = db.session.connection().execute(statements["check_in"], params).first()
    if row is not None:
        if nonce and not _record(event_id, device_id, nonce, code, row.id, "checked_in", at, now):
            # Cannot happen for a first scan; kept honest anyway.
            raise CheckInError(_("Scan déjà reçu."), "duplicate_nonce")
        if signals.checkin_created.receivers:  # none today: the fast path loads nothing
            signals.checkin_created.send(db.session.get(Registration, row.id), acting=acting)
        return ScanResult(True, "checked_in", _("Bienvenue %(name)s !", name=row.name), 200,
                          row.id, row.name, row.organisation_name, row.accessibility_needs, at,
                          badge=code)
    refused = _refused(event_id, code, acting=acting, device_id=device_id, nonce=nonce,
                       at=at, now=now, offline=offline, row=found)
    if refused is not None:
        return refused
    # The UPDATE missed a registration that may come in: an entry undone meanwhile, a race.
    # The precise path decides, as it always did.
    return _slow_scan(event_id, code, acting=acting, device_id=device_id, nonce=nonce,
                      at=at, now=now, offline=offline)


_LOOK_UP = object()  # `_refused` reads the registration itself


def _refused(event_id: int, code: str, *, acting: Any, device_id: int, nonce: str | None,
             at: datetime, now: datetime, offline: bool, row: Any = _LOOK_UP
             ) -> ScanResult | None:
    """A scan the UPDATE did not admit, answered as `check_in` would, in one read (on
    PostgreSQL, none: `row` came with the UPDATE). Profiled, the old path cost six statements
    after the UPDATE (a replay check, the event, the registration, a second UPDATE, a refresh,
    who let them in, the scan row). None if the badge may in fact come in (the caller takes
    the precise path)."""
    if row is _LOOK_UP:
        row = db.session.connection().execute(_statements()["lookup"], {
            "b_code": code, "b_device": device_id, "b_nonce": nonce}).first()
    if row is not None and row.replay is not None:
        again = _replay(device_id, nonce or "")  # this very scan was already received
        if again is not None:
            return again
    if row is None or row.event_id != event_id:
        if nonce and row is None:
            again = _replay(device_id, nonce)
            if again is not None:
                return again
        if row is None:
            message, err = unknown_code(code)
        else:
            message, err = refusal(event_id, row.event_id, row.title, row.status)
        return ScanResult(False, err, message, 422)
    refused = refusal(event_id, row.event_id, row.title, row.status)
    if refused is not None:
        message, err = refused
        status = 422
    elif row.checked_in_at is None:
        return None
    else:
        if offline and at < row.checked_in_at:
            # Rare: an offline scan earlier than the entry held; the precise path reconciles.
            return _slow_scan(event_id, code, acting=acting, device_id=device_id, nonce=nonce,
                              at=at, now=now, offline=offline)
        err, status = "already_checked_in", 409
        message = already_text(row.checked_in_at, row.by_volunteer or row.by_user or "")
    if nonce and offline:
        # Kept from an offline queue (answered 200, so committed): the other device hears of
        # it (`conflicts`). A single scan's refusal is answered 4xx and rolled back by the
        # request's edge, so writing it would be work thrown away.
        _record(event_id, device_id, nonce, code, row.id, err, at, now)
    return ScanResult(False, err, message, status, row.id, row.name, row.organisation_name,
                      checked_in_at=row.checked_in_at,
                      by=(row.by_volunteer or row.by_user or "") if row.checked_in_at else "",
                      badge=code)


def _slow_scan(event_id: int, code: str, *, acting: Any, device_id: int, nonce: str | None,
               at: datetime, now: datetime, offline: bool) -> ScanResult:
    """The precise path through `check_in` (rare cases: an earlier offline scan, a race)."""
    if nonce:
        again = _replay(device_id, nonce)
        if again is not None:
            return again
    event = db.session.get(Event, event_id)
    try:
        reg = check_in(event, code, acting=acting, now=now)
    except CheckInError as err:
        reg = err.registration
        if offline and err.code == "already_checked_in" and reg is not None \
                and reg.checked_in_at and at < reg.checked_in_at:
            return _earlier_offline_scan(reg, code, acting=acting, device_id=device_id,
                                         nonce=nonce, at=at, now=now)
        ours = reg is not None and reg.event_id == event_id
        if nonce and ours and offline:  # see `_refused`
            _record(event_id, device_id, nonce, code, reg.id, err.code, at, now)
        return ScanResult(False, err.code, err.message, err.status,
                          reg.id if ours else None, reg.name if ours else "",
                          reg.organisation_name if ours else "",
                          checked_in_at=reg.checked_in_at if reg is not None else None,
                          by=checked_in_by(reg) if ours and reg.checked_in_at else "",
                          badge=code if ours else "")
    if nonce:
        _record(event_id, device_id, nonce, code, reg.id, "checked_in", reg.checked_in_at, now)
    return ScanResult(True, "checked_in", _("Bienvenue %(name)s !", name=reg.name), 200,
                      reg.id, reg.name, reg.organisation_name, reg.accessibility_needs,
                      reg.checked_in_at, by=checked_in_by(reg), badge=code)


def _earlier_offline_scan(reg: Registration, code: str, *, acting: Any, device_id: int,
                          nonce: str | None, at: datetime, now: datetime) -> ScanResult:
    """Two devices let the same person in while offline: the first scan (by its time) wins.

    The entry moves to this earlier scan and the scan that held it becomes the duplicate; both
    devices see the pair in their conflicts (`conflicts`)."""
    from network.events.door_models import DoorScan

    moved = db.session.execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.checked_in_at > at)
        .values(checked_in_at=at, **by_columns(acting))
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.refresh(reg)
        return ScanResult(False, "already_checked_in", already_message(reg), 409, reg.id,
                          reg.name, reg.organisation_name, checked_in_at=reg.checked_in_at)
    db.session.execute(update(DoorScan).where(DoorScan.registration_id == reg.id,
                                              DoorScan.outcome == "checked_in")
                       .values(outcome="already_checked_in")
                       .execution_options(synchronize_session=False))
    if nonce:
        _record(reg.event_id, device_id, nonce, code, reg.id, "checked_in", at, now)
    db.session.refresh(reg)
    return ScanResult(True, "checked_in", _("Bienvenue %(name)s !", name=reg.name), 200,
                      reg.id, reg.name, reg.organisation_name, reg.accessibility_needs, at)


@dataclass(frozen=True)
class Conflict:
    registration_id: int
    name: str
    organisation: str
    kept_device: str
    kept_at: datetime
    other_device: str
    other_at: datetime


def conflicts(event_id: int, device_id: int | None = None) -> list[Conflict]:
    """People scanned by two devices: who was let in first (kept) and the later scan. With
    `device_id`, only the pairs that device took part in (it is reported to both)."""
    from network.events.door_models import DoorDevice, DoorScan

    scans = db.session.execute(
        select(DoorScan.registration_id, DoorScan.device_id, DoorScan.outcome,
               DoorScan.scanned_at, DoorDevice.name)
        .join(DoorDevice, DoorDevice.id == DoorScan.device_id)
        .where(DoorScan.event_id == event_id, DoorScan.registration_id.is_not(None),
               DoorScan.outcome.in_(("checked_in", "already_checked_in")))
        .order_by(DoorScan.registration_id, DoorScan.scanned_at)).all()
    by_reg: dict[int, list[Any]] = {}
    for s in scans:
        by_reg.setdefault(s.registration_id, []).append(s)
    out = []
    for reg_id, rows in by_reg.items():
        kept = next((r for r in rows if r.outcome == "checked_in"), None)
        others = [r for r in rows if r.outcome != "checked_in"
                  and (kept is None or r.device_id != kept.device_id)]
        if kept is None or not others:
            continue
        reg = db.session.get(Registration, reg_id)
        for other in others:
            if device_id is None or device_id in (kept.device_id, other.device_id):
                out.append(Conflict(reg_id, reg.name, reg.organisation_name, kept.name,
                                    kept.scanned_at, other.name, other.scanned_at))
    return out

