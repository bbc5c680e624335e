"""Forum exhibitors: a structure registers for a forum event with the offers it brings, staff
accept it and give it a stand (a job-dating table it owns), the room's plan, the public list
with its filters, and the stands a visitor means to see."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from network.core.auth import is_user, require, require_staff
from network.core.errors import Conflict, FieldErrors, NotFound, ValidationError
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.offers import jobdating
from network.offers.models import (
    ENGAGEMENT_KINDS,
    FAMILIES,
    ExhibitorStatus,
    ForumExhibitor,
    ForumPlan,
    ForumVisit,
    Offer,
    OfferKind,
    OfferState,
)
from network.offers.rules import require_manage, today

PLAN_MAX_BYTES = 5 * 1024 * 1024
PLAN_MAX_PIXELS = 40_000_000


# --- the forum event ---------------------------------------------------------------------------


def get_forum(event_id: int) -> Any:
    """A forum event (kind forum), or NotFound."""
    from network.events.models import Event, EventKind

    event = db.session.get(Event, event_id) if 0 < event_id < 2**31 else None
    if event is None or event.kind != EventKind.FORUM:
        raise NotFound(_("Ce forum n'existe pas."))
    return event


def list_forums() -> list[Any]:
    from network.events.models import Event, EventKind, EventStatus

    return list(db.session.scalars(select(Event).where(
        Event.kind == EventKind.FORUM, Event.status == EventStatus.PUBLISHED)
        .order_by(Event.start_at)))


def get_exhibitor(exhibitor_id: int, event: Any | None = None) -> ForumExhibitor:
    row = db.session.get(ForumExhibitor, exhibitor_id) if 0 < exhibitor_id < 2**31 else None
    if row is None or (event is not None and row.event_id != event.id):
        raise NotFound(_("Cet exposant n'existe pas."))
    return row


# --- registering, accepting, stands --------------------------------------------------------------


def register_exhibitor(event: Any, structure: Any, offer_ids: list[int], *, acting: Any,
                       note: str = "", now: datetime | None = None) -> ForumExhibitor:
    """The structure's team (verified) registers it with some of its published offers."""
    from network.directory.models import StructureStatus

    now = now or utcnow()
    require_manage(acting, structure)
    if structure.status != StructureStatus.APPROVED:
        raise Conflict(_("Seules les structures publiées dans l'annuaire peuvent exposer."),
                       "not_approved")
    if now >= as_utc(event.start_at):
        raise Conflict(_("Le forum a commencé : les inscriptions des exposants sont closes."),
                       "forum_started")
    chosen = _own_open_offers(structure, offer_ids, now)
    errors = FieldErrors()
    if not chosen:
        errors.add("offers", _("Choisissez au moins une offre publiée de votre structure "
                               "(publiez-en une d'abord si la liste est vide)."), "no_offer")
    note = (note or "").replace("\x00", "").strip()
    if len(note) > 500:
        errors.add("note", _("%(n)s caractères au plus.", n=500), "too_long")
    errors.check()
    row = ForumExhibitor(event_id=event.id, structure_id=structure.id, note=note,
                         created_by_id=getattr(acting, "id", None), created_at=now)
    row.offers = chosen
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Cette structure est déjà inscrite comme exposante à ce forum."),
                       "already_exhibitor") from None
    return row


def _own_open_offers(structure: Any, offer_ids: list[int], now: datetime) -> list[Offer]:
    ids = [i for i in dict.fromkeys(offer_ids) if 0 < i < 2**31]
    if not ids:
        return []
    return list(db.session.scalars(select(Offer).where(
        Offer.id.in_(ids), Offer.structure_id == structure.id,
        Offer.state == OfferState.PUBLISHED, Offer.closes_on >= today(now))
        .order_by(Offer.title)))


def set_offers(exhibitor: ForumExhibitor, offer_ids: list[int], *, acting: Any,
               now: datetime | None = None) -> None:
    require_manage(acting, exhibitor.structure)
    chosen = _own_open_offers(exhibitor.structure, offer_ids, now or utcnow())
    if not chosen:
        raise ValidationError(_("Choisissez au moins une offre publiée de votre structure."),
                              "no_offer", field="offers")
    exhibitor.offers = chosen
    db.session.flush()


def accept_exhibitor(exhibitor: ForumExhibitor, stand_number: int, *, acting: Any,
                     now: datetime | None = None) -> ForumExhibitor:
    """Staff accept the exhibitor at a stand: its job-dating table, owned by it."""
    require_staff(acting)
    now = now or utcnow()
    if not 1 <= stand_number <= 500:
        raise ValidationError(_("Un numéro de stand entre 1 et 500."), "bad_stand",
                              field="stand_number")
    event = exhibitor.event
    session = jobdating.ensure_session(event, acting=acting)
    try:
        with db.session.begin_nested():
            exhibitor.stand_number = stand_number
            exhibitor.status = ExhibitorStatus.ACCEPTED
            exhibitor.decided_at = now
            db.session.flush()
    except IntegrityError:
        db.session.refresh(exhibitor)
        raise ValidationError(_("Le stand %(n)s est déjà attribué à un autre exposant.",
                                n=stand_number), "stand_taken", field="stand_number") from None
    participant = jobdating.stand_participant(session, exhibitor, acting=acting)
    exhibitor.participant_id = participant.id
    jobdating.give_stand(session, participant, stand_number, acting=acting)
    db.session.flush()
    return exhibitor


def refuse_exhibitor(exhibitor: ForumExhibitor, *, acting: Any,
                     now: datetime | None = None) -> None:
    require_staff(acting)
    if exhibitor.participant_id is not None:
        jobdating.free_stand(exhibitor, acting=acting)
    exhibitor.status = ExhibitorStatus.REFUSED
    exhibitor.stand_number = None
    exhibitor.decided_at = now or utcnow()
    db.session.flush()


def list_for_staff(event: Any, *, acting: Any) -> list[ForumExhibitor]:
    require_staff(acting)
    return list(db.session.scalars(select(ForumExhibitor).where(
        ForumExhibitor.event_id == event.id).order_by(ForumExhibitor.status,
                                                      ForumExhibitor.stand_number,
                                                      ForumExhibitor.id)))


def mine(event: Any, user: Any) -> list[ForumExhibitor]:
    """The exhibitors of this forum the user's structures are."""
    if not is_user(user):
        return []
    org_ids = [m.organisation_id for m in user.memberships]
    from network.directory.models import Structure

    return list(db.session.scalars(select(ForumExhibitor).join(Structure).where(
        ForumExhibitor.event_id == event.id, Structure.organisation_id.in_(org_ids or [-1]))))


def registrable_structures(event: Any, user: Any) -> list[Any]:
    from network.directory.models import Structure, StructureStatus

    if not is_user(user):
        return []
    org_ids = [m.organisation_id for m in user.memberships]
    taken = {e.structure_id for e in mine(event, user)}
    return [s for s in db.session.scalars(select(Structure).where(
        Structure.organisation_id.in_(org_ids or [-1]),
        Structure.status == StructureStatus.APPROVED).order_by(Structure.name))
        if s.id not in taken]


def open_offers_of(structure: Any, now: datetime | None = None) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(
        Offer.structure_id == structure.id, Offer.state == OfferState.PUBLISHED,
        Offer.closes_on >= today(now)).order_by(Offer.title)))


# --- the public list -----------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str = ""  # an OfferKind code or a family (emploi / engagement)
    sector: str = ""  # a sector code
    territory: str = ""  # a territory code

    def kinds(self) -> set[OfferKind] | None:
        if self.kind in FAMILIES:
            return set(FAMILIES[self.kind])
        try:
            return {OfferKind(self.kind)} if self.kind else None
        except ValueError:
            return None


@dataclass
class Stand:
    exhibitor: ForumExhibitor
    offers: list[Offer]


def list_stands(event: Any, filters: Filters | None = None,
                now: datetime | None = None) -> list[Stand]:
    """Accepted exhibitors by stand, with their open offers brought to the forum."""
    filters = filters or Filters()
    kinds = filters.kinds()
    rows = db.session.scalars(select(ForumExhibitor).where(
        ForumExhibitor.event_id == event.id, ForumExhibitor.status == ExhibitorStatus.ACCEPTED)
        .order_by(ForumExhibitor.stand_number))
    day = today(now)
    out = []
    for ex in rows:
        structure = ex.structure
        if filters.sector and filters.sector not in {s.code for s in structure.sectors} | {
                s.parent.code for s in structure.sectors if getattr(s, "parent", None)}:
            continue
        if filters.territory and (structure.territory is None
                                  or structure.territory.code != filters.territory):
            continue
        offers = [o for o in ex.offers if o.state == OfferState.PUBLISHED and o.closes_on >= day]
        if kinds is not None:
            offers = [o for o in offers if o.kind in kinds]
            if not offers:
                continue
        out.append(Stand(ex, offers))
    return out


def is_engagement(offer: Offer) -> bool:
    return offer.kind in ENGAGEMENT_KINDS


# --- the room's plan -----------------------------------------------------------------------------


def check_plan(data: bytes) -> tuple[bytes, str]:
    """A PNG/JPEG re-encoded (metadata and anything hidden dropped), or a PDF that parses."""
    if not data:
        raise ValidationError(_("Choisissez un fichier (PNG, JPEG ou PDF)."), "plan_required",
                              field="plan")
    if len(data) > PLAN_MAX_BYTES:
        raise ValidationError(_("Le plan dépasse 5 Mo."), "plan_too_large", field="plan")
    if data.startswith(b"%PDF-"):
        try:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data), strict=False)
            ok = not reader.is_encrypted and len(reader.pages) >= 1
        except Exception as exc:  # any parser failure: not a PDF we can serve
            raise ValidationError(_("Ce PDF est illisible : exportez-le de nouveau."),
                                  "plan_unreadable", field="plan") from exc
        if not ok:
            raise ValidationError(_("Ce PDF est protégé ou vide."), "plan_unreadable",
                                  field="plan")
        return data, "application/pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise ValidationError(_("Le plan doit être une image PNG ou JPEG, ou un PDF."),
                                      "plan_bad_type", field="plan")
            if img.width * img.height > PLAN_MAX_PIXELS:
                raise ValidationError(_("Cette image est trop grande."), "plan_too_large",
                                      field="plan")
            img.load()
            fmt = img.format
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=88)
            else:
                img.convert("RGBA" if "A" in img.getbands() else "RGB").save(out, "PNG")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Le plan doit être une image PNG ou JPEG, ou un PDF."),
                              "plan_bad_type", field="plan") from exc
    return out.getvalue(), "image/png" if fmt == "PNG" else "image/jpeg"


def upload_plan(event: Any, data: bytes, description: str, *, acting: Any,
                now: datetime | None = None) -> ForumPlan:
    """Staff upload the plan; the stands as text go beside it for screen readers."""
    require_staff(acting)
    errors = FieldErrors()
    description = (description or "").replace("\x00", "").strip()
    if not description:
        errors.add("description", _("Décrivez le plan en texte (les stands et leur place) "
                                    "pour les lecteurs d'écran."), "description_required")
    elif len(description) > 5000:
        errors.add("description", _("%(n)s caractères au plus.", n=5000), "too_long")
    try:
        clean, mimetype = check_plan(data)
    except ValidationError as err:
        errors.add("plan", err.message, err.code)
    errors.check()
    plan = db.session.get(ForumPlan, event.id) or ForumPlan(event_id=event.id)
    plan.data, plan.mimetype, plan.description = clean, mimetype, description
    plan.uploaded_at = now or utcnow()
    db.session.add(plan)
    db.session.flush()
    return plan


def get_plan(event: Any) -> ForumPlan | None:
    return db.session.get(ForumPlan, event.id)


# --- the stands a visitor means to see ---------------------------------------------------------


def visits_of(event: Any, user: Any, cookie_ids: list[int] | None = None) -> list[int]:
    """Exhibitor ids on the visitor's list: the account's rows, or the cookie's ids."""
    if is_user(user):
        return list(db.session.scalars(select(ForumVisit.exhibitor_id).join(
            ForumExhibitor, ForumExhibitor.id == ForumVisit.exhibitor_id).where(
            ForumVisit.user_id == user.id, ForumExhibitor.event_id == event.id)))
    ids = [i for i in (cookie_ids or []) if isinstance(i, int)]
    if not ids:
        return []
    return list(db.session.scalars(select(ForumExhibitor.id).where(
        ForumExhibitor.id.in_(ids), ForumExhibitor.event_id == event.id)))


def toggle_visit(exhibitor: ForumExhibitor, *, acting: Any, on: bool) -> None:
    """An account keeps its list in the database (idempotent: a double click adds one row)."""
    require(is_user(acting), _("Connectez-vous pour garder votre liste sur votre compte."),
            "login_required")
    require(exhibitor.status == ExhibitorStatus.ACCEPTED, _("Ce stand n'est pas ouvert."),
            "not_accepted")
    if not on:
        db.session.execute(delete(ForumVisit).where(ForumVisit.user_id == acting.id,
                                                    ForumVisit.exhibitor_id == exhibitor.id))
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(ForumVisit).values(
        user_id=acting.id, exhibitor_id=exhibitor.id, created_at=utcnow())
        .on_conflict_do_nothing())
