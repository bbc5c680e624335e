"""ESSpresso on the meetings engine: buyer organisations, buyers' needs, suppliers' offers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.time import UTCDateTime, utcnow
from network.extensions import db

KIND = "esspresso"  # MeetingSession.kind
BUYER_ROLE = "buyer"  # side a: books
SUPPLIER_ROLE = "supplier"  # side b: is booked, may decline


def _enum(cls: type[enum.StrEnum], length: int = 30) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


class BuyerType(enum.StrEnum):
    COMPANY = "entreprise"
    COLLECTIVITE = "collectivite"
    EPCI = "epci"
    DEPARTEMENT = "departement-region"
    HOSPITAL = "hopital"
    SOCIAL_LANDLORD = "bailleur-social"
    STATE = "etat"
    OTHER_PUBLIC = "autre-public"


PUBLIC_TYPES = {BuyerType.COLLECTIVITE, BuyerType.EPCI, BuyerType.DEPARTEMENT,
                BuyerType.HOSPITAL, BuyerType.SOCIAL_LANDLORD, BuyerType.STATE,
                BuyerType.OTHER_PUBLIC}


class AmountBracket(enum.StrEnum):
    UNDER_40K = "moins-40k"
    UNDER_90K = "40k-90k"
    UNDER_221K = "90k-221k"
    OVER_221K = "plus-221k"
    UNKNOWN = "inconnu"


class Timing(enum.StrEnum):
    NOW = "immediat"
    SIX_MONTHS = "6-mois"
    YEAR = "12-mois"
    LATER = "plus-tard"


class Reservation(enum.StrEnum):
    """French public procurement may reserve a contract (CCP L2113-12 to -15)."""

    NONE = "aucune"
    SIAE = "siae"  # structures d'insertion par l'activité économique
    EA_ESAT = "ea-esat"  # entreprises adaptées, ESAT


class BuyerProfile(db.Model):
    """A buyer organisation (OrganisationKind.BUYER): not in the ESS directory, not a member."""

    __tablename__ = "esspresso_buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    buyer_type: Mapped[BuyerType] = mapped_column(_enum(BuyerType, 20))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    naf_code: Mapped[str] = mapped_column(String(6), default="")
    postcode: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(120))
    territory: Mapped[str] = mapped_column(String(60), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation = relationship("Organisation", lazy="joined")

    @property
    def is_public(self) -> bool:
        return self.buyer_type in PUBLIC_TYPES


class PurchaseNeed(db.Model):
    __tablename__ = "esspresso_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_participants.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_categories.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[AmountBracket] = mapped_column(_enum(AmountBracket, 12),
                                                  default=AmountBracket.UNKNOWN)
    timing: Mapped[Timing] = mapped_column(_enum(Timing, 12), default=Timing.SIX_MONTHS)
    territory: Mapped[str] = mapped_column(String(60), default="")  # "" = toute la Moselle
    reservation: Mapped[Reservation] = mapped_column(_enum(Reservation, 10),
                                                     default=Reservation.NONE)
    has_social_clause: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category = relationship("PurchaseCategory", lazy="joined")


class SupplierOffer(db.Model):
    """One of the supplier's profile offerings, brought to this session."""

    __tablename__ = "esspresso_offers"
    __table_args__ = (UniqueConstraint("participant_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_participants.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_categories.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")

    category = relationship("PurchaseCategory", lazy="joined")
