"""Saved searches: mail an address when a matching offer is published.

Mail only goes to verified addresses: an account's verified address, or a guest's address
once its owner clicked the confirmation link. Every alert mail carries a signed link that
deletes the alert in one click (no login).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from network.accounts.models import User
from network.core import i18n, signals
from network.core.auth import Guest, is_staff, is_user, require_verified
from network.core.errors import NotFound, PermissionDenied, ValidationError
from network.core.text import check_email
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.extensions import db
from network.offers.listing import OfferFilters, ReferenceNames, matches, reference_names
from network.offers.models import Offer, SavedSearch
from network.offers.rules import setting
from network.outbox import services as outbox

CONFIRM = "offers.alert-confirm"
STOP = "offers.alert-stop"


def _token(purpose: str, alert: SavedSearch) -> str:
    return make_token(purpose, {"s": alert.id, "e": alert.email})


def guest_from_token(token: str, purpose: str) -> Guest:
    max_age = setting("OFFERS_GUEST_CONFIRM_MAX_AGE") if purpose == CONFIRM else None
    payload = read_token(purpose, token[:500], max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise NotFound(_("Ce lien n'est pas valide."), "token_invalid")
    return Guest(email=str(payload.get("e", "")), scope=f"alert:{payload['s']}")


def _alert_of(guest: Guest) -> SavedSearch | None:
    alert_id = int(guest.scope.split(":", 1)[1]) if guest.scope.startswith("alert:") else 0
    alert = db.session.get(SavedSearch, alert_id) if 0 < alert_id < 2**31 else None
    return alert if alert is not None and alert.email == guest.email else None


def describe(alert: SavedSearch, names: ReferenceNames | None = None) -> str:
    """The alert's search in the current language (the stored label is the one of the day it
    was made, in the language of that page)."""
    return OfferFilters.from_args(alert.criteria or {}).describe(names)


def label(alert: SavedSearch, names: ReferenceNames | None = None) -> LazyString:
    """`describe`, worked out when rendered — in a mail, in its recipient's language — and
    once per language (subject, text and HTML bodies read it several times)."""
    done: dict[str, str] = {}

    def render() -> str:
        code = i18n.current()
        if code not in done:
            done[code] = describe(alert, names)
        return done[code]

    return LazyString(render)


def save_search(filters: OfferFilters, *, acting: Any, email: str = "",
                now: datetime | None = None) -> SavedSearch:
    """An account saves with its verified address at once; a guest confirms by mail."""
    now = now or utcnow()
    account = is_user(acting)
    if account:
        require_verified(acting)
        address = acting.email
    else:
        address = check_email(email)
    count = db.session.scalar(select(func.count(SavedSearch.id)).where(
        SavedSearch.email == address)) or 0
    if count >= setting("OFFERS_ALERTS_PER_ADDRESS"):
        raise ValidationError(_("Cette adresse a déjà %(n)s alertes : supprimez-en une "
                                "d'abord.", n=count), "too_many_alerts", field="email")
    alert = SavedSearch(user_id=acting.id if account else None, email=address,
                        criteria=filters.to_args(), label=filters.describe(), created_at=now,
                        confirmed_at=now if account else None, locale=i18n.current())
    db.session.add(alert)
    db.session.flush()
    if not account:
        described = label(alert)
        outbox.enqueue(address, "offer_alert_confirm", locale=alert.locale, subject=_l(
            "Confirmez votre alerte : %(label)s", label=described), context={
            "alert": alert, "label": described, "link": external_url("offers.confirm_alert",
                                                 token=_token(CONFIRM, alert)),
            "stop": external_url("offers.stop_alert", token=_token(STOP, alert))})
    return alert


def confirm_alert(*, acting: Guest, now: datetime | None = None) -> SavedSearch:
    alert = _alert_of(acting)
    if alert is None:
        raise NotFound(_("Cette alerte n'existe plus."), "alert_not_found")
    if alert.confirmed_at is None:
        alert.confirmed_at = now or utcnow()
        db.session.flush()
    return alert


def stop_alert(*, acting: Guest) -> bool:
    """One click from the mail: the alert is deleted (True), or was already gone (False)."""
    alert = _alert_of(acting)
    if alert is None:
        return False
    db.session.delete(alert)
    db.session.flush()
    return True


def delete_alert(alert_id: int, *, acting: Any) -> None:
    alert = db.session.get(SavedSearch, alert_id) if 0 < alert_id < 2**31 else None
    if alert is None:
        raise NotFound(_("Cette alerte n'existe plus."), "alert_not_found")
    if not (is_staff(acting) or (is_user(acting) and (
            alert.user_id == acting.id or (acting.is_verified and alert.email == acting.email)))):
        raise PermissionDenied(_("Cette alerte n'est pas la vôtre."), "not_your_alert")
    db.session.delete(alert)
    db.session.flush()


def list_alerts(user: Any) -> list[SavedSearch]:
    if not is_user(user):
        return []
    condition = SavedSearch.user_id == user.id
    if user.is_verified:
        condition = or_(condition, SavedSearch.email == user.email)
    return list(db.session.scalars(select(SavedSearch).where(condition)
                                   .order_by(SavedSearch.created_at.desc())))


def _deliverable(alert: SavedSearch, users: dict[int, User]) -> bool:
    if alert.confirmed_at is None:
        return False
    if alert.user_id is not None:
        user = users.get(alert.user_id)
        return bool(user and user.is_verified and user.email == alert.email)
    return True


def _guest_locale(alert: SavedSearch) -> str | None:
    """A guest's alert speaks the language it was made in; an account's, the account's."""
    return alert.locale if alert.user_id is None else None


@signals.offer_published.connect
def notify_published(offer: Offer, now: datetime | None = None) -> int:
    """Mail every confirmed alert that the newly published offer matches (in the outbox,
    in the same transaction as the publication)."""
    now = now or utcnow()
    alerts = list(db.session.scalars(select(SavedSearch).where(
        SavedSearch.confirmed_at.is_not(None)).order_by(SavedSearch.id)))
    user_ids = {a.user_id for a in alerts if a.user_id is not None}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    sent = 0
    link = external_url("offers.detail", offer_id=offer.id)
    names = reference_names()
    for alert in alerts:
        if not _deliverable(alert, users):
            continue
        if not matches(OfferFilters.from_args(alert.criteria or {}), offer):
            continue
        outbox.enqueue(alert.email, "offer_alert", locale=_guest_locale(alert),
                       subject=_l("Nouvelle offre : %(title)s", title=offer.title), context={
            "alert": alert, "label": label(alert, names), "offer": offer, "link": link,
            "stop": external_url("offers.stop_alert", token=_token(STOP, alert))})
        alert.last_sent_at = now
        alert.sent_count = (alert.sent_count or 0) + 1
        sent += 1
    db.session.flush()
    return sent


def _person_alerts(user: User) -> list[SavedSearch]:
    condition = SavedSearch.user_id == user.id
    if user.is_verified:
        condition = or_(condition, SavedSearch.email == user.email)
    return list(db.session.scalars(select(SavedSearch).where(condition)))


@signals.personal_data_export.connect
def _export(user) -> tuple[str, list[dict[str, Any]]]:
    return "alertes_offres", [{"recherche": describe(a), "criteres": a.criteria,
                               "creee_le": a.created_at.isoformat(),
                               "langue_des_courriels": a.locale}
                              for a in _person_alerts(user)]


@signals.personal_data_erase.connect
def _erase(user) -> None:
    for alert in _person_alerts(user):
        db.session.delete(alert)
    db.session.flush()
