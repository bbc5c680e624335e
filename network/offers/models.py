"""Job and volunteer offers, the answers people send, their CVs, and saved searches."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core import search
from network.core.time import UTCDateTime, utcnow
from network.extensions import db


def _enum(cls: type[enum.StrEnum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


class OfferKind(enum.StrEnum):
    """Codes are stable: URLs (`?type=`), the API and saved searches use them."""

    CDI = "cdi"
    CDD = "cdd"
    CDDI = "cddi"  # contrat à durée déterminée d'insertion (SIAE)
    APPRENTICESHIP = "apprentissage"
    PROFESSIONALISATION = "professionnalisation"
    INTERNSHIP = "stage"
    VOLUNTEERING = "benevolat"
    CIVIC_SERVICE = "service-civique"
    VOLONTARIAT = "volontariat"


JOB_KINDS = frozenset({OfferKind.CDI, OfferKind.CDD, OfferKind.CDDI, OfferKind.APPRENTICESHIP,
                       OfferKind.PROFESSIONALISATION, OfferKind.INTERNSHIP})
ENGAGEMENT_KINDS = frozenset({OfferKind.VOLUNTEERING, OfferKind.CIVIC_SERVICE,
                              OfferKind.VOLONTARIAT})

#: `?famille=emploi|engagement` stands for every kind of the family.
FAMILIES = {"emploi": JOB_KINDS, "engagement": ENGAGEMENT_KINDS}


class OfferState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    FILLED = "filled"  # pourvue
    CLOSED = "closed"  # closed by the structure
    EXPIRED = "expired"  # the closing date passed (set lazily on read and by the CLI)


class WorkMode(enum.StrEnum):
    ON_SITE = "sur-place"
    REMOTE = "a-distance"
    HYBRID = "mixte"


#: Accessibility promises a structure may tick (codes stored in `Offer.accessibility`).
ACCESSIBILITY = ("rqth", "locaux-accessibles", "transports", "sans-diplome", "horaires-adaptes",
                 "accompagnement")


class AnswerStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    RETAINED = "retained"
    NOT_RETAINED = "not-retained"


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("places >= 1 AND places <= 1000", name="places_range"),
        Index("ix_offers_state_published_at", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"),
                                              index=True)
    kind: Mapped[OfferKind] = mapped_column(_enum(OfferKind, 30), index=True)
    state: Mapped[OfferState] = mapped_column(_enum(OfferState), default=OfferState.DRAFT)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, checked on save
    commune: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(5), default="")
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_territories.id", ondelete="SET NULL"), index=True)
    starts_on: Mapped[date | None] = mapped_column()  # None: dès que possible
    time_commitment: Mapped[str] = mapped_column(String(120), default="")
    places: Mapped[int] = mapped_column(default=1)
    work_mode: Mapped[WorkMode] = mapped_column(_enum(WorkMode), default=WorkMode.ON_SITE)
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[str] = mapped_column(String(500), default="")  # comma-separated
    closes_on: Mapped[date] = mapped_column(index=True)

    # Search: accent-free, lower-case text kept by the service.
    search_text: Mapped[str] = mapped_column(Text, default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Staff took the offer down (back to draft) for this reason.
    unpublished_reason: Mapped[str | None] = mapped_column(Text)
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    structure = relationship("Structure", lazy="joined")
    territory = relationship("Territory", lazy="joined")

    @property
    def is_job(self) -> bool:
        return self.kind in JOB_KINDS

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in (self.skills or "").split(",") if s.strip()]

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.title!r} {self.state}>"


class OfferAnswer(db.Model):
    """A person's answer (candidature) to an offer: an account holder or a guest by mail."""

    __tablename__ = "offer_answers"
    __table_args__ = (
        UniqueConstraint("offer_id", "email"),
        Index("ix_offer_answers_email_created", "email", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(30), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AnswerStatus] = mapped_column(_enum(AnswerStatus), default=AnswerStatus.NEW)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None while a guest has not clicked the link: the structure does not see it yet.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: First time the structure moved it on from "new" (response rate and time).
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The language of the page the guest answered from: their mails are written in it.
    locale: Mapped[str | None] = mapped_column(String(8))

    offer: Mapped[Offer] = relationship(lazy="joined")
    cv: Mapped[AnswerCV | None] = relationship(back_populates="answer",
                                               cascade="all, delete-orphan", lazy="select")

    def __repr__(self) -> str:
        return f"<OfferAnswer {self.id} offer={self.offer_id} {self.status}>"


class AnswerCV(db.Model):
    """The PDF in the database, so every worker serves it; purged after the retention."""

    __tablename__ = "offer_answer_cvs"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("offer_answers.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    answer: Mapped[OfferAnswer] = relationship(back_populates="cv")


class SavedSearch(db.Model):
    """An alert: mail the address when an offer matching these filters is published."""

    __tablename__ = "offer_saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: The list page's query string values: {"q": "...", "type": [...], ...}.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None for a guest who has not clicked the confirmation link: no mail is sent.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_count: Mapped[int] = mapped_column(default=0)
    #: The language of the page the alert was made from: its mails are written in it.
    locale: Mapped[str | None] = mapped_column(String(8))


#: Offers are found through the one search service (accent-free prefixes, FTS5 / tsvector).
OFFER_SEARCH = search.SearchIndex(name="offers", table="offers", key="id", text="search_text")
OFFER_SEARCH.attach(Offer.__table__)


# --- forum emploi-bénévolat: exhibitors, stands, the room plan, outcomes -----------------------


class ExhibitorStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


forum_exhibitor_offers = db.Table(
    "forum_exhibitor_offers",
    db.Column("exhibitor_id", ForeignKey("forum_exhibitors.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
)


class ForumExhibitor(db.Model):
    """A structure holding a stand at a forum event; its stand is a job-dating table owned by
    its meetings participant (`participant_id`)."""

    __tablename__ = "forum_exhibitors"
    __table_args__ = (
        UniqueConstraint("event_id", "structure_id"),
        # Two exhibitors never get the same stand, whoever assigns it at the same instant.
        UniqueConstraint("event_id", "stand_number"),
        CheckConstraint("stand_number IS NULL OR stand_number BETWEEN 1 AND 500",
                        name="stand_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"),
                                              index=True)
    status: Mapped[ExhibitorStatus] = mapped_column(_enum(ExhibitorStatus),
                                                    default=ExhibitorStatus.PENDING)
    stand_number: Mapped[int | None] = mapped_column()
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_participants.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    structure = relationship("Structure", lazy="joined")
    event = relationship("Event", lazy="joined")
    offers: Mapped[list[Offer]] = relationship(secondary=forum_exhibitor_offers,
                                               order_by="Offer.title")

    def __repr__(self) -> str:
        return f"<ForumExhibitor {self.id} event={self.event_id} stand={self.stand_number}>"


class ForumPlan(db.Model):
    """The room's plan (a re-encoded image or a checked PDF) in the database, so every worker
    serves it, with the stands as text for screen readers."""

    __tablename__ = "forum_plans"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mimetype: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForumVisit(db.Model):
    """A stand an account holder means to visit (anonymous visitors keep theirs in the
    signed session cookie)."""

    __tablename__ = "forum_visits"
    __table_args__ = (UniqueConstraint("user_id", "exhibitor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("forum_exhibitors.id",
                                                         ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForumOutcome(db.Model):
    """What an exhibitor reports after the forum, per offer it brought."""

    __tablename__ = "forum_outcomes"
    __table_args__ = (
        UniqueConstraint("exhibitor_id", "offer_id"),
        CheckConstraint("hired >= 0 AND hired <= 1000 AND volunteers >= 0 "
                        "AND volunteers <= 1000", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("forum_exhibitors.id",
                                                         ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    hired: Mapped[int] = mapped_column(default=0)
    volunteers: Mapped[int] = mapped_column(default=0)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    offer: Mapped[Offer] = relationship(lazy="joined")
