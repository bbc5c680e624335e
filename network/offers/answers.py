"""Answers (candidatures): a person answers an offer, the structure follows it up.

Who sees what: an answer (its message, contact details and CV) is shown only to the team of
the structure that published the offer and to staff; the person sees their own answers in
"Mes candidatures" (account) or through the signed link mailed to them (guest).
"""

from __future__ import annotations

import hashlib
import io
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from network.accounts.models import User
from network.core import i18n, signals
from network.core.auth import Guest, is_user, require_verified
from network.core.errors import Conflict, DomainError, FieldErrors, NotFound, ValidationError
from network.core.text import check_email, single_line
from network.core.time import as_utc, utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.directory.models import Structure
from network.extensions import db
from network.offers.models import AnswerCV, AnswerStatus, Offer, OfferAnswer
from network.offers.offers import is_open, team_emails
from network.offers.rules import ANSWER_LABELS, ago, can_manage, require_manage, setting
from network.outbox import services as outbox

CONFIRM = "offers.answer-confirm"
VIEW = "offers.answer-view"
MAX_MESSAGE = 5000
RESEND_AFTER = timedelta(minutes=10)


class TooManyAnswers(DomainError):
    code = "too_many_answers"
    status = 429


# --- the CV --------------------------------------------------------------------------------------

def check_pdf(data: bytes, *, field: str = "cv") -> bytes:
    """A PDF, and only that: the magic bytes, a size limit, and a real parse with pages."""
    limit = setting("OFFERS_CV_MAX_BYTES")
    if len(data) > limit:
        raise ValidationError(_("Le CV dépasse %(n)s Mo : enregistrez-le en PDF plus léger.",
                                n=round(limit / 1024 / 1024, 1)), "cv_too_large", field=field)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Le CV doit être un fichier PDF (les fichiers Word ou les "
                                "images ne sont pas acceptés)."), "cv_not_pdf", field=field)
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = len(reader.pages) if not encrypted else 0
    except Exception as exc:  # any parser failure means "not a PDF we can pass on"
        raise ValidationError(_("Ce fichier PDF est illisible ou endommagé : exportez-le de "
                                "nouveau en PDF."), "cv_unreadable", field=field) from exc
    if encrypted:
        raise ValidationError(_("Ce PDF est protégé par un mot de passe : envoyez une version "
                                "sans protection."), "cv_encrypted", field=field)
    if pages < 1:
        raise ValidationError(_("Ce PDF ne contient aucune page."), "cv_unreadable",
                              field=field)
    return data


# --- tokens --------------------------------------------------------------------------------------

def confirm_token(answer: OfferAnswer) -> str:
    return make_token(CONFIRM, {"a": answer.id, "e": answer.email})


def view_token(answer: OfferAnswer) -> str:
    return make_token(VIEW, {"a": answer.id, "e": answer.email})


def guest_from_token(token: str, *, purpose: str = VIEW) -> Guest:
    """The signed link proves its holder reads mail at that address, for that answer only."""
    max_age = setting("OFFERS_GUEST_CONFIRM_MAX_AGE") if purpose == CONFIRM else None
    payload = read_token(purpose, token[:500], max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise NotFound(_("Ce lien n'est pas valide."), "token_invalid")
    return Guest(email=str(payload.get("e", "")), scope=f"answer:{payload['a']}")


def _answer_of_guest(guest: Guest) -> OfferAnswer:
    answer_id = int(guest.scope.split(":", 1)[1]) if guest.scope.startswith("answer:") else 0
    answer = db.session.get(OfferAnswer, answer_id) if 0 < answer_id < 2**31 else None
    if answer is None or answer.email != guest.email:
        raise NotFound(_("Cette candidature n'existe plus."), "answer_not_found")
    return answer


def answer_for_guest(*, acting: Guest) -> OfferAnswer:
    """What the signed link shows its holder: their own answer and its state."""
    return _answer_of_guest(acting)


def _person_link(answer: OfferAnswer) -> str:
    if answer.user_id is not None:
        return external_url("offers.mine")
    return external_url("offers.guest_answer", token=view_token(answer))


# --- answering -----------------------------------------------------------------------------------

@dataclass
class AnswerData:
    message: str
    name: str = ""
    email: str = ""
    phone: str = ""
    cv: bytes | None = None


def _clean(offer: Offer, data: AnswerData, *, guest: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if guest:
        name = single_line(data.name, max_length=300)
        if len(name) < 2 or len(name) > 120:
            errors.add("name", _("Indiquez votre nom (120 caractères au plus)."), "bad_name")
        values["name"] = name
        try:
            values["email"] = check_email(data.email)
        except ValidationError as err:
            errors.add("email", err.message, err.code)
    phone = single_line(data.phone, max_length=100)
    if phone and (len(phone) > 30 or any(c not in "0123456789 +.()-" for c in phone)):
        errors.add("phone", _("Un numéro de téléphone, par exemple 06 12 34 56 78."),
                   "bad_phone")
    values["phone"] = phone
    message = (data.message or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if len(message) < 20:
        errors.add("message", _("Présentez-vous en quelques phrases (20 caractères au moins)."),
                   "message_too_short")
    elif len(message) > MAX_MESSAGE:
        errors.add("message", _("Le message est trop long (%(n)s caractères au plus).",
                                n=MAX_MESSAGE), "message_too_long")
    values["message"] = message
    if data.cv:
        if not offer.is_job:
            errors.add("cv", _("Un CV n'est demandé que pour les offres d'emploi."), "cv_unwanted")
        else:
            try:
                values["cv"] = check_pdf(data.cv)
            except ValidationError as err:
                errors.add("cv", err.message, err.code)
    errors.check()
    return values


def _check_rate(email: str, now: datetime) -> None:
    limit = setting("OFFERS_ANSWERS_PER_HOUR")
    recent = db.session.scalar(select(func.count(OfferAnswer.id)).where(
        OfferAnswer.email == email, OfferAnswer.created_at >= ago(now, hours=1))) or 0
    if recent >= limit:
        raise TooManyAnswers(_("Vous avez déjà envoyé %(n)s réponses dans l'heure : "
                               "réessayez un peu plus tard.", n=limit))


def answer_offer(offer: Offer, data: AnswerData, *, acting: Any,
                 now: datetime | None = None) -> OfferAnswer:
    """An account holder (verified) answers at once; anyone else gives an address and
    confirms by the link mailed to it, and the structure sees the answer only then."""
    now = now or utcnow()
    if not is_open(offer, now):
        raise ValidationError(_("Cette offre n'accepte plus de réponses."), "offer_closed")
    account = is_user(acting)
    if account:
        require_verified(acting)
    values = _clean(offer, data, guest=not account)
    email = acting.email if account else values["email"]
    name = acting.name if account else values["name"]
    _check_rate(email, now)
    existing = db.session.scalar(select(OfferAnswer).where(
        OfferAnswer.offer_id == offer.id, OfferAnswer.email == email))
    if existing is not None:
        if existing.confirmed_at is None and not account:
            if not _confirm_sent_recently(existing.email, now):
                _mail_confirm(existing)  # lost the first mail: send the link again
            return existing
        raise Conflict(_("Vous avez déjà répondu à cette offre : suivez votre candidature "
                         "dans « Mes candidatures »."), "already_answered")
    answer = OfferAnswer(offer_id=offer.id, user_id=acting.id if account else None,
                         email=email, name=name, phone=values["phone"],
                         message=values["message"], status=AnswerStatus.NEW, created_at=now,
                         confirmed_at=now if account else None,
                         locale=None if account else i18n.current())
    answer.offer = offer
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError as exc:  # the same address answered in a concurrent request
        raise Conflict(_("Vous avez déjà répondu à cette offre."), "already_answered") from exc
    if "cv" in values:
        cv = values["cv"]
        db.session.add(AnswerCV(answer_id=answer.id, data=cv, size=len(cv),
                                sha256=hashlib.sha256(cv).hexdigest(), uploaded_at=now))
    if account:
        _mail_received(answer)
        _mail_team(answer)
    else:
        _mail_confirm(answer)
    db.session.flush()
    return answer


def confirm_answer(*, acting: Guest, now: datetime | None = None) -> OfferAnswer:
    """The guest clicked the link: the answer reaches the structure (once)."""
    now = now or utcnow()
    answer = _answer_of_guest(acting)
    if answer.confirmed_at is None:
        answer.confirmed_at = now
        _mail_team(answer)
        db.session.flush()
    return answer


# --- the structure follows up ---------------------------------------------------------------------

def set_answer_status(answer: OfferAnswer, status: str, *, acting: Any, reason: str = "",
                      now: datetime | None = None) -> OfferAnswer:
    now = now or utcnow()
    require_manage(acting, answer.offer.structure)
    if answer.confirmed_at is None:
        raise NotFound(_("Cette candidature n'existe pas."), "answer_not_found")
    try:
        new = AnswerStatus(status)
    except ValueError as exc:
        raise ValidationError(_("Choisissez un état dans la liste."), "bad_status",
                              field="status") from exc
    reason = (reason or "").replace("\x00", "").strip()
    if new == AnswerStatus.NOT_RETAINED and not 5 <= len(reason) <= 2000:
        raise ValidationError(_("Indiquez à la personne pourquoi sa candidature n'est pas "
                                "retenue (5 à 2000 caractères)."), "reason_required",
                              field="reason")
    if new == answer.status and (reason or None) == answer.status_reason:
        return answer
    answer.status = new
    answer.status_reason = reason[:2000] if new == AnswerStatus.NOT_RETAINED else None
    answer.status_changed_at = now
    if new != AnswerStatus.NEW and answer.responded_at is None:
        answer.responded_at = now
    subject = _l("Votre candidature « %(title)s » : %(status)s", title=answer.offer.title,
                 status=ANSWER_LABELS[new])
    outbox.enqueue(answer.email, "offer_answer_status", subject=subject,
                   locale=answer.locale, context={
        "answer": answer, "offer": answer.offer, "status_label": ANSWER_LABELS[new],
        "link": _person_link(answer)})
    db.session.flush()
    return answer


# --- reading --------------------------------------------------------------------------------------

def list_answers(offer: Offer, *, acting: Any) -> list[OfferAnswer]:
    require_manage(acting, offer.structure)
    return list(db.session.scalars(
        select(OfferAnswer).where(OfferAnswer.offer_id == offer.id,
                                  OfferAnswer.confirmed_at.is_not(None))
        .order_by(OfferAnswer.confirmed_at.desc(), OfferAnswer.id.desc())))


def answer_counts(offer_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{offer_id: (confirmed answers, still new)} for the team's list of offers."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(OfferAnswer.offer_id, func.count(OfferAnswer.id),
               func.count(OfferAnswer.id).filter(OfferAnswer.status == AnswerStatus.NEW))
        .where(OfferAnswer.offer_id.in_(offer_ids), OfferAnswer.confirmed_at.is_not(None))
        .group_by(OfferAnswer.offer_id)).all()
    return {offer_id: (total, new) for offer_id, total, new in rows}


def get_answer(answer_id: int, *, acting: Any) -> OfferAnswer:
    """For the structure's team and staff only; anyone else is told it does not exist."""
    answer = db.session.get(OfferAnswer, answer_id) if 0 < answer_id < 2**31 else None
    if answer is None or answer.confirmed_at is None or not can_manage(
            acting, answer.offer.structure):
        raise NotFound(_("Cette candidature n'existe pas."), "answer_not_found")
    return answer


def get_cv(answer_id: int, *, acting: Any) -> AnswerCV:
    """The team and staff, or the person who sent it (account)."""
    answer = db.session.get(OfferAnswer, answer_id) if 0 < answer_id < 2**31 else None
    own = (answer is not None and is_user(acting) and answer.user_id == acting.id)
    allowed = answer is not None and (own or (answer.confirmed_at is not None and can_manage(
        acting, answer.offer.structure)))
    if not allowed or answer.cv is None:
        raise NotFound(_("Ce CV n'existe pas ou a été supprimé."), "cv_not_found")
    return answer.cv


def list_for_person(user: Any) -> list[OfferAnswer]:
    """Mes candidatures: by account, and by address once the address is verified."""
    if not is_user(user):
        return []
    condition = OfferAnswer.user_id == user.id
    if getattr(user, "is_verified", False):
        condition = or_(condition, OfferAnswer.email == user.email)
    return list(db.session.scalars(select(OfferAnswer).where(condition)
                                   .order_by(OfferAnswer.created_at.desc())))


@dataclass(frozen=True)
class ResponseStats:
    answers: int
    responded: int
    median_days: float | None

    @property
    def rate(self) -> int | None:
        return round(100 * self.responded / self.answers) if self.answers else None

    @property
    def enough(self) -> bool:
        return self.answers >= 3


def response_stats(structure: Structure, *, now: datetime | None = None) -> ResponseStats:
    """Over the last twelve months: the share of answers the structure moved on from "new",
    and the median time it took (JeVeuxAider shows the same two figures)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(OfferAnswer.confirmed_at, OfferAnswer.responded_at)
        .join(Offer, Offer.id == OfferAnswer.offer_id)
        .where(Offer.structure_id == structure.id, OfferAnswer.confirmed_at.is_not(None),
               OfferAnswer.confirmed_at >= ago(now, days=365))).all()
    delays = [(as_utc(responded) - as_utc(confirmed)).total_seconds() / 86400
              for confirmed, responded in rows if responded is not None]
    median = round(statistics.median(delays), 1) if delays else None
    return ResponseStats(answers=len(rows), responded=len(delays), median_days=median)


# --- mail ----------------------------------------------------------------------------------------

def _confirm_sent_recently(email: str, now: datetime) -> bool:
    """At most one confirmation link per address every ten minutes: re-posting the form
    cannot be used to flood someone's mailbox."""
    from network.outbox.models import OutboxMessage

    return bool(db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.to_address == email, OutboxMessage.kind == "offer_answer_confirm",
        OutboxMessage.created_at >= as_utc(now) - RESEND_AFTER)))


def _mail_confirm(answer: OfferAnswer) -> None:
    subject = _l("Confirmez votre réponse : %(title)s", title=answer.offer.title)
    outbox.enqueue(answer.email, "offer_answer_confirm", subject=subject,
                   locale=answer.locale, context={
        "answer": answer, "offer": answer.offer,
        "link": external_url("offers.confirm_answer", token=confirm_token(answer)),
        "hours": setting("OFFERS_GUEST_CONFIRM_MAX_AGE") // 3600})


def _mail_received(answer: OfferAnswer) -> None:
    subject = _l("Votre réponse est envoyée : %(title)s", title=answer.offer.title)
    outbox.enqueue(answer.email, "offer_answer_received", subject=subject,
                   locale=answer.locale, context={
        "answer": answer, "offer": answer.offer, "link": _person_link(answer)})


def _mail_team(answer: OfferAnswer) -> None:
    """The team is told that an answer arrived; the details stay on the site (login)."""
    subject = _l("Nouvelle réponse à votre offre : %(title)s", title=answer.offer.title)
    link = external_url("offers.answers", offer_id=answer.offer_id)
    for address in team_emails(answer.offer.structure):
        outbox.enqueue(address, "offer_answer_new", subject=subject,
                       context={"offer": answer.offer, "link": link})


# --- retention and personal data ------------------------------------------------------------------

def purge_cvs(*, now: datetime | None = None, days: int | None = None) -> int:
    """CVs older than the retention period (OFFERS_CV_RETENTION_DAYS) are deleted."""
    days = setting("OFFERS_CV_RETENTION_DAYS") if days is None else days
    result = db.session.execute(delete(AnswerCV).where(
        AnswerCV.uploaded_at < ago(now or utcnow(), days=days)))
    db.session.flush()
    return result.rowcount or 0


def purge_unconfirmed(*, now: datetime | None = None, days: int = 7) -> int:
    """Guest answers never confirmed are dropped after a week (with their CV)."""
    ids = list(db.session.scalars(select(OfferAnswer.id).where(
        OfferAnswer.confirmed_at.is_(None), OfferAnswer.created_at < ago(now or utcnow(),
                                                                           days=days))))
    if ids:
        db.session.execute(delete(AnswerCV).where(AnswerCV.answer_id.in_(ids)))
        db.session.execute(delete(OfferAnswer).where(OfferAnswer.id.in_(ids)))
    db.session.flush()
    return len(ids)


def _person_answers(user: User) -> list[OfferAnswer]:
    """By account, and by address only once it is verified (an unconfirmed address may be
    someone else's: their guest answers are not this account's to export or erase)."""
    condition = OfferAnswer.user_id == user.id
    if user.is_verified:
        condition = or_(condition, OfferAnswer.email == user.email)
    return list(db.session.scalars(select(OfferAnswer).where(condition)))


@signals.personal_data_export.connect
def _export(user) -> tuple[str, list[dict[str, Any]]]:
    return "candidatures", [
        {"offre": a.offer.title, "structure": a.offer.structure.display_name,
         "envoyee_le": a.created_at.isoformat(), "etat": a.status.value,
         "raison": a.status_reason, "message": a.message, "telephone": a.phone,
         "cv_joint": a.cv is not None, "langue_des_courriels": a.locale}
        for a in _person_answers(user)]


@signals.personal_data_erase.connect
def _erase(user) -> None:
    for answer in _person_answers(user):
        db.session.delete(answer)
    db.session.flush()


@signals.email_verified.connect
def _attach_guest_answers(user) -> None:
    """Answers sent as a guest from this address now show in the account."""
    for answer in db.session.scalars(select(OfferAnswer).where(
            OfferAnswer.email == user.email, OfferAnswer.user_id.is_(None))):
        answer.user_id = user.id
    db.session.flush()

