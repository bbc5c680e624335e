"""Import at launch, part two: the network's existing member list (structures and their
contacts) from the CSV the network kept in a form-builder or a spreadsheet.

Same reading and the same two steps as the registrations import (`imports.py`): a preview
runs the whole import inside a savepoint and rolls it back; the real run writes the same.
Every write goes through the directory's own services:

- a structure is created by `profiles.create_structure` and published by
  `profiles.approve_structure` (it is already a member of the network); a line whose SIRET,
  or whose normalised name and commune, matches a structure already there (in the database
  or earlier in the file) uses that structure and creates nothing;
- a contact is invited by `membership.invite` as responsable (or éditeur·rice): the mail's
  signed link is the claim path, and the directory only lets a signed-in account whose
  verified address is the invited one accept it. Nobody is logged in or attached to a
  structure by address alone; an address that already has an account is invited like any
  other (the same person, no second account), one already a member is left alone, and one
  with an invitation still open is not invited twice.

The importing staff member is the structure's first responsable until the contact accepts
(the directory needs one to create it); the to-do then offers them to step back
(`todo.handed_over` / `todo.release`). The two mails the directory writes for a structure
that "just registered" and "is now published" are dropped, as nobody would have sent them
for a member of long standing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from network.accounts import services as accounts
from network.accounts.models import OrgRole
from network.admin.imports import _key, read_table
from network.core.auth import require_staff
from network.core.errors import DomainError, ValidationError
from network.core.i18n import in_locale
from network.core.text import check_email
from network.directory import membership, profiles, validators
from network.directory import rules as directory_rules
from network.directory.fields import StructureData
from network.directory.models import (
    LEGAL_FORMS,
    Invitation,
    Sector,
    Structure,
    Territory,
)
from network.extensions import db
from network.outbox.models import OutboxMessage, OutboxStatus

#: Normalised header (lower case, no accents, single spaces) -> field of a line.
HEADERS = {
    "structure": "name", "nom de la structure": "name", "raison sociale": "name",
    "denomination": "name", "organisme": "name", "nom": "name",
    "siret": "siret", "n siret": "siret", "numero siret": "siret",
    "forme juridique": "legal_form", "statut juridique": "legal_form", "statut": "legal_form",
    "rna": "rna", "numero rna": "rna", "n rna": "rna",
    "registre": "local_register_number", "registre du tribunal": "local_register_number",
    "numero au registre": "local_register_number",
    "territoire": "territory", "commune": "commune", "ville": "commune",
    "code postal": "postcode", "cp": "postcode", "adresse": "address",
    "secteur": "sectors", "secteurs": "sectors", "secteur d'activite": "sectors",
    "secteurs d'activite": "sectors",
    "site web": "website", "site internet": "website", "telephone": "public_phone",
    "contact": "contact_name", "nom du contact": "contact_name",
    "contact nom": "contact_name", "prenom du contact": "contact_first_name",
    "e-mail": "email", "email": "email", "courriel": "email", "e-mail du contact": "email",
    "email du contact": "email", "courriel du contact": "email", "adresse e-mail": "email",
    "fonction": "function", "fonction du contact": "function", "poste": "function",
    "role": "role", "droits": "role", "role sur la fiche": "role",
    "langue": "language", "langue du contact": "language",
}
#: The contact's language for the invitation (the staff's own page language is not theirs).
LANGUAGES = {"": "fr", "fr": "fr", "francais": "fr", "en": "en", "anglais": "en",
             "english": "en", "de": "de", "allemand": "de", "deutsch": "de"}
#: What the directory's errors call each field, for a column the file does not have.
FIELD_LABELS = {
    "name": _l("Structure"), "siret": _l("SIRET"), "legal_form": _l("Forme juridique"),
    "rna": _l("RNA"), "local_register_number": _l("Registre du tribunal"),
    "territory": _l("Territoire"), "commune": _l("Commune"), "postcode": _l("Code postal"),
    "address": _l("Adresse"), "sectors": _l("Secteurs"), "website": _l("Site web"),
    "public_phone": _l("Téléphone"), "email": _l("E-mail du contact"), "role": _l("Rôle"),
    "language": _l("Langue"),
}
ROLES = {"": OrgRole.OWNER, "responsable": OrgRole.OWNER, "owner": OrgRole.OWNER,
         "proprietaire": OrgRole.OWNER, "editeur": OrgRole.EDITOR, "editrice": OrgRole.EDITOR,
         "editeur rice": OrgRole.EDITOR, "editeur-rice": OrgRole.EDITOR,
         "editor": OrgRole.EDITOR}
#: Lines the page imports in one request (the command line takes more).
WEB_MAX_ROWS = 1000
#: Mail the directory writes for a structure that has just registered or been published.
DROPPED_KINDS = ("directory_pending", "directory_approved")

#: A ready-to-fill file, offered for download and shown in the README.
TEMPLATE_HEADER = ("Structure;SIRET;Forme juridique;RNA;Territoire;Commune;Code postal;"
                   "Secteurs;Nom du contact;E-mail du contact;Fonction;Rôle")
TEMPLATE_EXAMPLE = ("Les Jardins de la Seille;73282932000074;Association déclarée;W572001234;"
                    "Metz;Metz;57000;Insertion par l'activité économique, Maraîchage;"
                    "Élise Muller;elise.muller@example.org;Directrice;responsable")


@dataclass
class Line:
    number: int
    structure: str
    contact: str
    email: str
    outcome: str = "error"  # created | existing | error
    contact_outcome: str = ""  # invited | member | pending | none
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    dropped: list[int] = field(default_factory=list)  # this line's mails nobody would send


@dataclass
class Result:
    lines: list[Line]
    committed: bool

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    def invited(self) -> int:
        return sum(1 for line in self.lines if line.contact_outcome == "invited")

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.outcome == "error"]


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _key(text or "")).split())


def _columns(fields: set[str], header: list[str]) -> None:
    if "name" not in fields or "email" not in fields:
        raise DomainError(_("Colonnes « Structure » et « E-mail du contact » introuvables ; "
                            "colonnes lues : %(cols)s.",
                            cols=", ".join(h.strip() for h in header)[:300]),
                          "missing_columns", field="file")


class _Lookup:
    """Reference lists and the structures already there, read once per run."""

    def __init__(self) -> None:
        self.legal_forms: dict[str, str] = {}
        for form, (label, insee) in LEGAL_FORMS.items():
            for key in (form.value, label, insee):
                self.legal_forms[_fold(key)] = form.value
        self.territories = {}
        for t in db.session.scalars(select(Territory)):
            self.territories[_fold(t.code)] = t.code
            self.territories[_fold(t.name)] = t.code
        self.sectors = {}
        for s in db.session.scalars(select(Sector).where(Sector.is_active)):
            self.sectors[_fold(s.code)] = s.code
            self.sectors[_fold(s.name)] = s.code
        self.by_siret: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        for sid, name, commune, siret in db.session.execute(
                select(Structure.id, Structure.name, Structure.commune, Structure.siret)):
            self.remember(sid, name, commune, siret)

    def remember(self, sid: int, name: str, commune: str, siret: str | None) -> None:
        if siret:
            self.by_siret[siret] = sid
        self.by_name[(_fold(name), _fold(commune))] = sid

    def find(self, siret: str, name: str, commune: str) -> Structure | None:
        try:
            siret = validators.normalize_siret(siret) if siret.strip() else ""
        except validators.InvalidIdentifier:
            siret = ""
        sid = self.by_siret.get(siret) if siret else None
        sid = sid or self.by_name.get((_fold(name), _fold(commune)))
        return db.session.get(Structure, sid) if sid else None

    def data(self, row: dict[str, str]) -> StructureData:
        def pick(table: dict[str, str], raw: str) -> str:
            return table.get(_fold(raw), raw.strip())

        sectors = [pick(self.sectors, s) for s in re.split(r"[,/|+]", row.get("sectors", ""))
                   if s.strip()]
        return StructureData(
            name=row.get("name", ""), siret=row.get("siret", ""),
            legal_form=pick(self.legal_forms, row.get("legal_form", "")),
            rna=row.get("rna", ""), local_register_number=row.get("local_register_number", ""),
            address=row.get("address", ""), postcode=row.get("postcode", ""),
            commune=row.get("commune", ""),
            territory=pick(self.territories, row.get("territory", "")),
            sectors=tuple(dict.fromkeys(sectors)), website=row.get("website", ""),
            public_phone=row.get("public_phone", ""))


def _role(raw: str) -> OrgRole | None:
    return ROLES.get(_fold(raw))


def _open_invitation(structure: Structure, email: str) -> bool:
    return db.session.scalar(select(Invitation.id).where(
        Invitation.structure_id == structure.id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))) is not None


def _column(columns: dict[str, str], name: str) -> str:
    return columns.get(name) or str(FIELD_LABELS.get(name, name))


def _import_line(line: Line, row: dict[str, str], lookup: _Lookup, *, acting: Any,
                 columns: dict[str, str]) -> None:
    """One line, in the caller's savepoint: any error rolls the whole line back."""
    errors: list[tuple[str, str]] = []
    email = ""
    if row.get("email", "").strip():
        try:
            email = check_email(row["email"], field="email")
        except ValidationError as err:
            errors.append((_column(columns, "email"), err.message))
    role = _role(row.get("role", ""))
    if role is None:
        errors.append((_column(columns, "role"),
                       _("Rôle inconnu : indiquez « responsable » ou « éditeur ».")))
    language = LANGUAGES.get(_fold(row.get("language", "")))
    if language is None:
        errors.append((_column(columns, "language"),
                       _("Langue inconnue : indiquez fr, en ou de.")))
    structure = lookup.find(row.get("siret", ""), row.get("name", ""), row.get("commune", ""))
    if structure is None:
        before = _last_mail_id()
        try:
            structure = profiles.create_structure(lookup.data(row), acting=acting)
        except DomainError as err:
            if err.field_errors:
                errors += [(_column(columns, f), m) for f, ms in err.field_errors.items()
                           for m in ms]
            else:
                errors.append((_column(columns, err.field or "name"), err.message))
        else:
            profiles.approve_structure(structure, acting=acting)
            line.dropped = _mails_about(structure, after=before, acting=acting)
            lookup.remember(structure.id, structure.name, structure.commune, structure.siret)
            line.outcome = "created"
    else:
        line.outcome = "existing"
    if errors:
        line.outcome, line.errors = "error", errors
        raise _LineFailed
    line.structure = structure.name
    line.email = email
    if not email:
        line.contact_outcome = "none"
        return
    person = accounts.get_user_by_email(email)
    if person is not None and person.role_in(structure.organisation_id) is not None:
        line.contact_outcome = "member"
    elif _open_invitation(structure, email):
        line.contact_outcome = "pending"
    else:
        # An account's own language wins (the outbox); else the file's, else French.
        with in_locale(language):
            membership.invite(structure, email=email, role=role, acting=acting)
        line.contact_outcome = "invited"


class _LineFailed(Exception):
    pass


def _last_mail_id() -> int:
    return db.session.scalar(select(OutboxMessage.id).order_by(
        OutboxMessage.id.desc()).limit(1)) or 0


def _mails_about(structure: Structure, *, after: int, acting: Any) -> list[int]:
    """The "to validate" and "published" mails the directory has just written for this
    structure (to the staff address and to the importing staff member): this line's own."""
    return list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.id > after, OutboxMessage.kind.in_(DROPPED_KINDS),
        OutboxMessage.to_address.in_({directory_rules.staff_address(), acting.email}),
        OutboxMessage.subject.contains(structure.name, autoescape=True))))


def import_members(raw: bytes, *, acting: Any, commit: bool,
                   max_rows: int | None = WEB_MAX_ROWS) -> Result:
    """Every line in its own savepoint; `commit=False` rolls the whole run back (preview).
    The page takes `WEB_MAX_ROWS` lines (a request must answer in seconds: see
    bench/admin/RESULTS.md); the command `import-members` takes any file."""
    require_staff(acting)
    limit = max_rows or 10**9
    columns_read, rows = read_table(
        raw, HEADERS, _columns, max_rows=limit,
        too_many=_("%(n)s lignes au plus depuis cette page ; pour un fichier plus long, "
                   "utilisez la commande « flask --app network import-members ».", n=limit))
    columns = {f: c for c, f in columns_read.items()}
    outer = db.session.begin_nested()
    lookup = _Lookup()
    lines: list[Line] = []
    for number, row in rows:
        contact = row.get("contact_name") or ""
        if row.get("contact_first_name"):
            contact = f"{row['contact_first_name']} {contact}".strip()
        line = Line(number, (row.get("name") or "").strip(), contact.strip(),
                    (row.get("email") or "").strip())
        lines.append(line)
        try:
            with db.session.begin_nested():
                _import_line(line, row, lookup, acting=acting, columns=columns)
        except _LineFailed:
            continue
        except DomainError as err:  # e.g. the invitation refused
            line.outcome, line.dropped = "error", []
            line.errors = [(_column(columns, f), m) for f, ms in err.field_errors.items()
                           for m in ms] or [(_column(columns, err.field or "email"),
                                             err.message)]
    if commit:
        dropped = [i for line in lines for i in line.dropped]
        for start in range(0, len(dropped), 500):
            db.session.execute(delete(OutboxMessage).where(
                OutboxMessage.id.in_(dropped[start:start + 500]),
                OutboxMessage.status == OutboxStatus.PENDING))
        outer.commit()
        db.session.flush()
    else:
        outer.rollback()
    return Result(lines, commit)


def template_csv() -> bytes:
    """The file staff download to fill in (UTF-8 with BOM, `;`: what French Excel opens)."""
    return ("\ufeff" + TEMPLATE_HEADER + "\r\n" + TEMPLATE_EXAMPLE + "\r\n").encode("utf-8")
