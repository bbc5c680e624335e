"""Public data and staff exports: the open-data API body, the CSV and JSON exports, the
figures on the staff dashboard. Columns come from the one field declaration (`fields`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from network.core import signals
from network.core.auth import require_staff
from network.core.errors import ValidationError
from network.core.exports import csv_bytes
from network.core.urls import external_url
from network.directory.fields import EXPORT_COLUMNS, export_row, public_dict
from network.directory.models import JoinRequest, RequestStatus, Structure, StructureStatus
from network.directory.search import (
    MAX_PAGE,
    MAX_PER_PAGE,
    PER_PAGE,
    SearchFilters,
    search_structures,
)
from network.extensions import db


def _bounded(args: Mapping, name: str, default: int, upper: int) -> int:
    raw = args.get(name, default)
    try:
        return min(max(int(raw), 1), upper)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("page et per_page doivent être des nombres entiers."),
                              "invalid_page") from exc


def api_payload(args: Mapping, *, base_url: str) -> tuple[bytes, str]:
    """The JSON body of GET /api/v1/structures and its ETag (a hash of the body)."""
    page = _bounded(args, "page", 1, MAX_PAGE)
    per_page = _bounded(args, "per_page", PER_PAGE, MAX_PER_PAGE)
    result = search_structures(args.get("q", "") or "", SearchFilters.from_args(args),
                               args.get("tri", "") or "", page, per_page)
    body = {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "pages": result.pages,
        "structures": [public_dict(s, base_url=base_url) for s in result.items],
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True,
                     separators=(",", ":")).encode("utf-8")
    return raw, hashlib.sha256(raw).hexdigest()[:32]


def structure_json(structure: Structure, *, base_url: str) -> bytes:
    return json.dumps(public_dict(structure, base_url=base_url),
                      ensure_ascii=False).encode("utf-8")


def export_rows(status: str | None = None) -> list[dict[str, Any]]:
    """Staff exports: every structure (or one status), with the owners' addresses."""
    query = select(Structure).options(selectinload(Structure.sectors),
                                      selectinload(Structure.offerings),
                                      selectinload(Structure.labels)).order_by(Structure.sort_name)
    if status in {s.value for s in StructureStatus}:
        query = query.where(Structure.status == StructureStatus(status))
    return [export_row(s) for s in db.session.scalars(query)]


def export_csv(status: str | None = None) -> bytes:
    """French Excel's CSV through the one writer: every cell guarded against formulas."""
    keys = [key for key, _label in EXPORT_COLUMNS]
    return csv_bytes([label for _key, label in EXPORT_COLUMNS],
                     ([row[key] for key in keys] for row in export_rows(status)))


def export_json(status: str | None = None) -> bytes:
    return json.dumps(export_rows(status), ensure_ascii=False, indent=1).encode("utf-8")


def export(fmt: str, status: str | None, *, acting: Any) -> bytes:
    """What the staff download (`fmt`: csv or json)."""
    require_staff(acting)
    return export_csv(status) if fmt == "csv" else export_json(status)


# --- staff dashboard ----------------------------------------------------------------------------


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str]]]:
    return _("Annuaire"), staff_summary()


def staff_summary() -> list[tuple[str, int | str, str]]:
    counts = dict(db.session.execute(select(Structure.status, func.count(Structure.id))
                                     .group_by(Structure.status)).all())
    requests = db.session.scalar(select(func.count(JoinRequest.id)).where(
        JoinRequest.status == RequestStatus.PENDING)) or 0
    return [
        (_("Structures publiées"), counts.get(StructureStatus.APPROVED, 0),
         external_url("directory.staff_structures", statut="approved")),
        (_("Structures à valider"), counts.get(StructureStatus.PENDING, 0),
         external_url("directory.staff_queue")),
        (_("Demandes d'adhésion en attente"), requests, external_url("directory.staff_queue")),
        (_("Structures suspendues"), counts.get(StructureStatus.SUSPENDED, 0),
         external_url("directory.staff_structures", statut="suspended")),
    ]
