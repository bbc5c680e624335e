"""The check-in API (JSON) for door devices: a bearer token issued per device or volunteer,
scoped to one event; a client nonce makes a retried scan harmless; offline queues are uploaded
in one batch. Documented in network/directory/openapi.json (paths /api/v1/accueil/…)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from flask_babel import gettext as _
from sqlalchemy import select

from network.core.errors import FieldErrors
from network.core.web import json_api
from network.events import checkin, devices, scans
from network.events.models import Registration, RegistrationStatus
from network.extensions import csrf, db

bp = Blueprint("door_api", __name__, url_prefix="/api/v1/accueil")
csrf.exempt(bp)

MAX_BATCH = 500


def _device() -> devices.Device:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return devices.authenticate(token)


def _parse_time(value: Any, errors: FieldErrors, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.add(field, _("Heure de scan illisible (format ISO 8601 attendu)."), "bad_time")
        return None
    if at.tzinfo is None:
        errors.add(field, _("Heure de scan sans fuseau horaire."), "bad_time")
        return None
    return at.astimezone(UTC)


def _scan_fields(item: Any, errors: FieldErrors, prefix: str = "") -> tuple[str, str | None,
                                                                            datetime | None]:
    if not isinstance(item, dict):
        errors.add(prefix or "body", _("Un objet JSON est attendu."), "bad_body")
        return "", None, None
    code = item.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 300:
        errors.add(f"{prefix}code", _("Indiquez le code du badge."), "code_required")
        code = ""
    nonce = item.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not 8 <= len(nonce) <= 64
                              or not nonce.isprintable()):
        errors.add(f"{prefix}nonce", _("Le nonce doit faire 8 à 64 caractères."), "bad_nonce")
        nonce = None
    return code, nonce, _parse_time(item.get("scanned_at"), errors, f"{prefix}scanned_at")


def _answer(result: scans.ScanResult) -> dict[str, Any]:
    return {"ok": result.ok, "code": result.code, "message": result.message,
            "level": "ok" if result.ok else ("warn" if result.code == "already_checked_in"
                                             else "error"),
            "registration_id": result.registration_id, "name": result.name,
            "organisation": result.organisation, "accessibility": result.accessibility,
            "checked_in_at": result.checked_in_at.isoformat() if result.checked_in_at else None,
            "time": checkin.hhmm(result.checked_in_at) if result.checked_in_at else None,
            "replayed": result.replayed}


@bp.post("/scans")
@json_api
def scan():
    """One scan. `?presence=1` adds the attendance figures (one more query)."""
    device = _device()
    errors = FieldErrors()
    code, nonce, at = _scan_fields(request.get_json(silent=True), errors)
    errors.check()
    result = scans.scan(device.event_id, code, acting=device.acting, device_id=device.id,
                          nonce=nonce, scanned_at=at)
    body = _answer(result)
    if request.args.get("presence") == "1":
        att = checkin.attendance_of(device.event_id)
        body["attendance"] = {"checked_in": att.checked_in, "expected": att.expected,
                              "text": att.text}
    # A refusal is an answer, not an error: it is committed (the scan row is kept).
    return body, 200 if result.ok or result.replayed else result.status


@bp.post("/scans/lot")
@json_api
def batch():
    """An offline queue, uploaded when the network returns: every scan answered in order."""
    device = _device()
    data = request.get_json(silent=True)
    errors = FieldErrors()
    items = data.get("scans") if isinstance(data, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        errors.add("scans", _("Envoyez de 1 à %(n)s scans.", n=MAX_BATCH), "bad_batch")
        errors.check()
    parsed = [_scan_fields(item, errors, f"scans.{i}.") for i, item in enumerate(items)]
    for i, (_code, nonce, _at) in enumerate(parsed):
        if nonce is None:
            errors.add(f"scans.{i}.nonce", _("Chaque scan hors ligne a besoin d'un nonce."),
                       "nonce_required")
    errors.check()
    # Oldest first, so the first scan by time wins inside one queue too.
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i][2] is None, parsed[i][2]
                                                      or datetime.now(UTC)))
    results: list[dict[str, Any] | None] = [None] * len(parsed)
    for i in order:
        code, nonce, at = parsed[i]
        results[i] = {"nonce": nonce, **_answer(scans.scan(
            device.event_id, code, acting=device.acting, device_id=device.id, nonce=nonce,
            scanned_at=at, offline=True))}
    return {"results": results, "conflicts": _conflicts(device)}


def _conflicts(device: devices.Device) -> list[dict[str, Any]]:
    return [{"registration_id": c.registration_id, "name": c.name,
             "organisation": c.organisation, "kept_device": c.kept_device,
             "kept_at": c.kept_at.isoformat(), "kept_time": checkin.hhmm(c.kept_at),
             "other_device": c.other_device, "other_at": c.other_at.isoformat(),
             "other_time": checkin.hhmm(c.other_at)}
            for c in scans.conflicts(device.event_id, device.id)]


@bp.get("/conflits")
@json_api
def conflicts():
    return {"conflicts": _conflicts(_device())}


@bp.get("/liste")
@json_api
def people():
    """What the scanner keeps offline: name, organisation and code of the confirmed people."""
    device = _device()
    rows = db.session.execute(
        select(Registration.name, Registration.organisation_name, Registration.badge_code,
               Registration.checked_in_at)
        .where(Registration.event_id == device.event_id,
               Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.name)).all()
    return {"event_id": device.event_id,
            "people": [{"name": r.name, "organisation": r.organisation_name,
                        "code": r.badge_code, "checked_in": r.checked_in_at is not None}
                       for r in rows]}
