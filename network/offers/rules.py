"""What the offer services share: labels, settings, who may act for a structure, the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from network.core.auth import is_staff, require
from network.core.time import PARIS, as_utc, utcnow
from network.offers.models import AnswerStatus, OfferKind, OfferState, WorkMode

KIND_LABELS = {
    OfferKind.CDI: _l("CDI"),
    OfferKind.CDD: _l("CDD"),
    OfferKind.CDDI: _l("CDDI (contrat d'insertion)"),
    OfferKind.APPRENTICESHIP: _l("Contrat d'apprentissage"),
    OfferKind.PROFESSIONALISATION: _l("Contrat de professionnalisation"),
    OfferKind.INTERNSHIP: _l("Stage"),
    OfferKind.VOLUNTEERING: _l("Bénévolat"),
    OfferKind.CIVIC_SERVICE: _l("Service civique"),
    OfferKind.VOLONTARIAT: _l("Volontariat"),
}
FAMILY_LABELS = {"emploi": _l("Emploi"), "engagement": _l("Engagement (bénévolat, service "
                                                          "civique, volontariat)")}
STATE_LABELS = {
    OfferState.DRAFT: _l("Brouillon"),
    OfferState.PUBLISHED: _l("Publiée"),
    OfferState.FILLED: _l("Pourvue"),
    OfferState.CLOSED: _l("Fermée"),
    OfferState.EXPIRED: _l("Expirée"),
}
WORK_MODE_LABELS = {
    WorkMode.ON_SITE: _l("Sur place"),
    WorkMode.REMOTE: _l("À distance"),
    WorkMode.HYBRID: _l("Mixte (sur place et à distance)"),
}
ACCESSIBILITY_LABELS = {
    "rqth": _l("Candidatures RQTH bienvenues"),
    "locaux-accessibles": _l("Locaux accessibles en fauteuil roulant"),
    "transports": _l("Accessible en transports en commun"),
    "sans-diplome": _l("Sans diplôme ni expérience exigés"),
    "horaires-adaptes": _l("Horaires aménageables"),
    "accompagnement": _l("Accompagnement ou tutorat prévu"),
}
ANSWER_LABELS = {
    AnswerStatus.NEW: _l("Nouvelle"),
    AnswerStatus.CONTACTED: _l("Personne contactée"),
    AnswerStatus.RETAINED: _l("Retenue"),
    AnswerStatus.NOT_RETAINED: _l("Non retenue"),
}


def setting(name: str) -> Any:
    return current_app.config[name]


def today(now: datetime | None = None) -> date:
    """The date in Moselle: an offer closing "le 12" stays open until midnight, Paris time."""
    return as_utc(now or utcnow()).astimezone(PARIS).date()


def ago(now: datetime, *, hours: int = 0, days: int = 0) -> datetime:
    return as_utc(now) - timedelta(hours=hours, days=days)


# --- who may act for a structure ---------------------------------------------------------------

def is_team(acting: Any, structure: Any) -> bool:
    """An owner or editor of the structure's organisation (the directory's membership)."""
    if not getattr(acting, "is_authenticated", False):
        return False
    return acting.role_in(structure.organisation_id) is not None


def can_manage(acting: Any, structure: Any) -> bool:
    """Staff, or a team member with a verified address (they speak for the structure)."""
    return is_staff(acting) or (is_team(acting, structure)
                                and bool(getattr(acting, "is_verified", False)))


def require_manage(acting: Any, structure: Any) -> None:
    require(can_manage(acting, structure),
            str(_l("Seule l'équipe de cette structure (ou l'équipe du réseau) peut faire cela.")),
            "not_structure_team")
