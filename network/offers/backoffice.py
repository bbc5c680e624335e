"""Offers and the forum in the Département's back office: what the staff still have to do
(forum stands waiting for a decision, answers the structures leave unanswered) and the
annual report's sections (offers published, filled, answered; forum hires and volunteers).
Receivers of `signals.staff_todo` and `signals.annual_report_sections`; they read this
domain's own tables and write nothing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from network.core import signals
from network.core.i18n import when
from network.core.urls import external_url
from network.extensions import db
from network.offers.models import (
    AnswerStatus,
    ExhibitorStatus,
    ForumExhibitor,
    ForumOutcome,
    Offer,
    OfferAnswer,
    OfferState,
)
from network.offers.rules import KIND_LABELS

#: An answer still "new" this long after it came is one the structure has left waiting.
ANSWER_WAITING = timedelta(days=14)


def _day(value: datetime) -> str:
    return when(value, "date")


def stands_waiting(now: datetime) -> list[tuple[Any, int]]:
    """(forum event still to come, stands waiting for the staff's decision)."""
    from network.events.models import Event

    return [(e, n) for e, n in db.session.execute(
        select(Event, func.count(ForumExhibitor.id))
        .join(ForumExhibitor, ForumExhibitor.event_id == Event.id)
        .where(ForumExhibitor.status == ExhibitorStatus.PENDING, Event.end_at >= now)
        .group_by(Event.id).order_by(Event.start_at)).all()]


def answers_waiting(now: datetime) -> list[tuple[Offer, int]]:
    """(published offer, answers confirmed more than two weeks ago and still "new")."""
    return [(o, n) for o, n in db.session.execute(
        select(Offer, func.count(OfferAnswer.id))
        .join(OfferAnswer, OfferAnswer.offer_id == Offer.id)
        .where(Offer.state == OfferState.PUBLISHED, OfferAnswer.status == AnswerStatus.NEW,
               OfferAnswer.confirmed_at.is_not(None),
               OfferAnswer.confirmed_at <= now - ANSWER_WAITING)
        .group_by(Offer.id).order_by(func.min(OfferAnswer.confirmed_at))).all()]


@signals.staff_todo.connect
def _todo(_sender, *, now: datetime, **_kw: Any) -> list[tuple]:
    stands = stands_waiting(now)
    answers = answers_waiting(now)
    return [
        ("forum-stands", _("Stands du forum à accepter ou refuser"), sum(n for _e, n in stands),
         [(e.title, ngettext("%(day)s · %(num)s stand en attente",
                             "%(day)s · %(num)s stands en attente", n, day=_day(e.start_at)),
           external_url("offers.forum_staff", event_id=e.id), _("Gérer les exposants"))
          for e, n in stands], external_url("offers.forum_index")),
        ("offer-answers", _("Réponses aux offres restées sans suite"),
         sum(n for _o, n in answers),
         [(o.title, ngettext("%(structure)s · %(num)s réponse sans suite depuis deux semaines",
                             "%(structure)s · %(num)s réponses sans suite depuis deux semaines",
                             n, structure=o.structure.name),
           external_url("offers.detail", offer_id=o.id), _("Voir l'offre"))
          for o, n in answers], external_url("offers.staff")),
    ]


@signals.annual_report_sections.connect
def _offers_report(_year: int, *, start: datetime, end: datetime, **_kw: Any) -> tuple:
    offers = db.session.execute(select(Offer.id, Offer.kind, Offer.state).where(
        Offer.published_at >= start, Offer.published_at < end)).all()
    answered = dict(db.session.execute(
        select(OfferAnswer.offer_id, func.count(OfferAnswer.id))
        .where(OfferAnswer.offer_id.in_([o.id for o in offers] or [-1]),
               OfferAnswer.confirmed_at.is_not(None))
        .group_by(OfferAnswer.offer_id)).all())
    by_kind: dict[Any, Counter] = {}
    for offer_id, kind, state in offers:
        c = by_kind.setdefault(kind, Counter())
        c["published"] += 1
        c["filled"] += state == OfferState.FILLED
        c["answers"] += answered.get(offer_id, 0)
    rows = [[str(KIND_LABELS.get(kind, kind)), c["published"], c["filled"], c["answers"]]
            for kind, c in sorted(by_kind.items(), key=lambda kc: -kc[1]["published"])]
    total = Counter()
    for c in by_kind.values():
        total.update(c)
    summary = " ".join((
        ngettext("%(num)s offre publiée,", "%(num)s offres publiées,", total["published"]),
        ngettext("%(num)s pourvue,", "%(num)s pourvues,", total["filled"]),
        ngettext("%(num)s réponse reçue.", "%(num)s réponses reçues.", total["answers"])))
    return (_("Offres d'emploi et de bénévolat"),
            [_("Type d'offre"), _("Publiées"), _("Pourvues"), _("Réponses reçues")],
            rows, summary)


@signals.annual_report_sections.connect
def _forum_report(_year: int, *, start: datetime, end: datetime, **_kw: Any) -> tuple:
    from network.events.models import Event, EventKind

    events = list(db.session.scalars(select(Event).where(
        Event.kind == EventKind.FORUM, Event.start_at >= start, Event.start_at < end)
        .order_by(Event.start_at)))
    ids = [e.id for e in events]
    stands = dict(db.session.execute(
        select(ForumExhibitor.event_id, func.count(ForumExhibitor.id))
        .where(ForumExhibitor.event_id.in_(ids or [-1]),
               ForumExhibitor.status == ExhibitorStatus.ACCEPTED)
        .group_by(ForumExhibitor.event_id)).all())
    outcomes = {eid: (hired or 0, volunteers or 0) for eid, hired, volunteers in
                db.session.execute(
                    select(ForumExhibitor.event_id, func.sum(ForumOutcome.hired),
                           func.sum(ForumOutcome.volunteers))
                    .join(ForumOutcome, ForumOutcome.exhibitor_id == ForumExhibitor.id)
                    .where(ForumExhibitor.event_id.in_(ids or [-1]))
                    .group_by(ForumExhibitor.event_id)).all()}
    rows = [[e.title, e.start_at, stands.get(e.id, 0), *outcomes.get(e.id, (0, 0))]
            for e in events]
    hired = sum(r[3] for r in rows)
    volunteers = sum(r[4] for r in rows)
    summary = " ".join((
        ngettext("%(num)s forum,", "%(num)s forums,", len(rows)),
        ngettext("%(num)s recrutement", "%(num)s recrutements", hired),
        ngettext("et %(num)s bénévole engagé·e d'après les exposants.",
                 "et %(num)s bénévoles engagé·es d'après les exposants.", volunteers)))
    return (_("Forum de l'emploi et du bénévolat : recrutements"),
            [_("Forum"), _("Date"), _("Exposants"), _("Recrutements"), _("Bénévoles")],
            rows, summary)
