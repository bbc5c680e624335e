"""Import at launch: the registrations already collected with a form-builder (the 2 December
evening) come in from a CSV file, through the events registration service.

French Excel files: `;` (or `,`) separated, UTF-8 with or without BOM, or Windows-1252.
A preview runs the whole import inside a savepoint and rolls it back, so it shows exactly
what the real run will do (added, already there, waitlisted, errors per line) and writes
nothing; the real run skips every address already registered for the event, so running the
same file again adds nobody.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import require_staff
from network.core.errors import DomainError, NotFound
from network.core.text import normalize_email
from network.events import registration
from network.events.models import Event, EventStatus, Registration
from network.extensions import db

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000

# Normalised header (lower case, no accents, single spaces) -> Answers field.
HEADERS = {
    "nom": "last_name", "nom de famille": "last_name", "prenom": "first_name",
    "nom et prenom": "name", "prenom et nom": "name", "nom complet": "name",
    "participant": "name", "e-mail": "email", "email": "email", "courriel": "email",
    "adresse e-mail": "email", "adresse email": "email", "adresse electronique": "email",
    "adresse de messagerie": "email", "mail": "email",
    "structure": "organisation_name", "organisation": "organisation_name",
    "organisme": "organisation_name", "entreprise": "organisation_name",
    "fonction": "role", "poste": "role",
    "besoins d'accessibilite": "accessibility_needs", "accessibilite": "accessibility_needs",
    "regime alimentaire": "dietary_needs", "allergies": "dietary_needs",
    "liste des participants": "consents_to_list", "photos": "consents_to_photos",
    "droit a l'image": "consents_to_photos",
}
YES = {"oui", "yes", "x", "1", "true", "vrai", "o"}


@dataclass
class Line:
    number: int
    name: str
    email: str
    outcome: str  # added | waitlisted | already | error
    errors: list[str] = field(default_factory=list)


@dataclass
class Result:
    lines: list[Line]
    committed: bool

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.outcome == "error"]


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).encode("ascii", "ignore")
    return " ".join(text.decode().lower().replace("*", " ").replace(":", " ").split())


def decode(raw: bytes) -> str:
    """UTF-8 (BOM or not), else Windows-1252 (Excel's « CSV (séparateur : point-virgule) »)."""
    if b"\x00" in raw:
        raise DomainError(_("Ce fichier n'est pas un fichier CSV (texte)."), "not_csv",
                          field="file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_table(raw: bytes, headers: dict[str, str], missing, *, max_rows: int = MAX_ROWS,
               too_many: str | None = None) -> tuple[
        dict[str, str], list[tuple[int, dict[str, str]]]]:
    """(column → field, [(line number, {field: value})]) for a French Excel CSV; `headers`
    maps a normalised header to a field, `missing(fields, header)` raises when a column the
    import needs is absent. Shared by the registrations and the member list imports."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_("Fichier trop volumineux (%(n)s Mo au plus).",
                            n=MAX_BYTES // 1_000_000), "too_big", field="file")
    text = decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise DomainError(_("Le fichier est vide."), "empty", field="file") from None
    except csv.Error as err:
        raise DomainError(_("Fichier CSV illisible : %(e)s", e=str(err)), "bad_csv",
                          field="file") from None
    mapping = {i: headers[_key(h)] for i, h in enumerate(header) if _key(h) in headers}
    missing(set(mapping.values()), header)
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= max_rows:
                raise DomainError(too_many or _("%(n)s lignes au plus par fichier.",
                                                n=max_rows), "too_many_rows", field="file")
            row: dict[str, str] = {}
            for i, value in enumerate(values):
                if i in mapping:
                    row[mapping[i]] = (row.get(mapping[i], "") + " " + value).strip()
            rows.append((number, row))
    except csv.Error as err:
        raise DomainError(_("Fichier CSV illisible : %(e)s", e=str(err)), "bad_csv",
                          field="file") from None
    return {header[i].strip(): f for i, f in mapping.items()}, rows


def _registration_columns(fields: set[str], header: list[str]) -> None:
    if "email" not in fields or not ({"name", "last_name"} & fields):
        raise DomainError(_("Colonnes « Nom » et « E-mail » introuvables ; colonnes lues : "
                            "%(cols)s.", cols=", ".join(h.strip() for h in header)[:300]),
                          "missing_columns", field="file")


def read_rows(raw: bytes) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]]]:
    """(column → field, [(line number, {field: value})]); refuses a file with no e-mail or
    name column, naming the columns found."""
    return read_table(raw, HEADERS, _registration_columns)


def answers_of(row: dict[str, str]) -> registration.Answers:
    name = row.get("name") or " ".join(
        p for p in (row.get("first_name", ""), row.get("last_name", "")) if p)
    return registration.Answers(
        name=name, email=row.get("email", ""),
        organisation_name=row.get("organisation_name", ""), role=row.get("role", ""),
        accessibility_needs=row.get("accessibility_needs", ""),
        dietary_needs=row.get("dietary_needs", ""),
        consents_to_list=row.get("consents_to_list", "").strip().lower() in YES,
        consents_to_photos=row.get("consents_to_photos", "").strip().lower() in YES)


def importable_events() -> list[Event]:
    return list(db.session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED).order_by(Event.start_at.desc()).limit(50)))


def import_registrations(event_id: int | None, raw: bytes, *, acting: Any, commit: bool,
                         send_mail: bool = True) -> Result:
    """Every line through `registration.register` as staff (staff vouch for the address, as
    when they add someone by hand), each line in its own savepoint; `commit=False` rolls the
    whole run back (the preview)."""
    require_staff(acting)
    event = db.session.get(Event, event_id) if event_id else None
    if event is None:
        raise NotFound(_("Choisissez un événement."), "event_required")
    _columns, rows = read_rows(raw)
    lines: list[Line] = []
    outer = db.session.begin_nested()
    seen: set[str] = set()
    for number, row in rows:
        answers = answers_of(row)
        email = normalize_email(answers.email)
        line = Line(number, answers.name.strip(), email, "error")
        lines.append(line)
        if email and email in seen:
            line.outcome = "already"
            continue
        if email and db.session.scalar(select(Registration.id).where(
                Registration.event_id == event.id, Registration.email == email)) is not None:
            line.outcome = "already"
            seen.add(email)
            continue
        try:
            with db.session.begin_nested():
                outcome = registration.register(event, answers, acting=acting,
                                                send_mail=send_mail)
        except DomainError as err:
            line.errors = [m for ms in err.field_errors.values() for m in ms] or [err.message]
            continue
        seen.add(outcome.registration.email)
        line.email = outcome.registration.email
        line.outcome = "waitlisted" if outcome.result == "waitlisted" else "added"
    if commit:
        outer.commit()
        db.session.flush()
    else:
        outer.rollback()
    return Result(lines, commit)


