"""Structure profiles, reference lists (territories, sectors, purchase categories), history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.search import SearchIndex
from network.core.time import UTCDateTime, utcnow
from network.directory.seeds import display_label
from network.extensions import db

# --- fixed lists (codes are stable: URLs, API and exports use them) ---------------------------


class LegalForm(enum.StrEnum):
    ASSOCIATION = "association"
    ASSOCIATION_INSERTION = "association-insertion"
    ASSOCIATION_INTERMEDIAIRE = "association-intermediaire"
    ASSOCIATION_RUP = "association-rup"
    ASSOCIATION_DROIT_LOCAL = "association-droit-local"
    FONDATION = "fondation"
    SCOP_SARL = "scop-sarl"
    SCOP_SA_CA = "scop-sa-ca"
    SCOP_SA_DIRECTOIRE = "scop-sa-directoire"
    COOP_SARL = "coop-sarl"
    COOP_SA = "coop-sa"
    COOP_SAS = "coop-sas"
    COOP_AGRICOLE = "coop-agricole"
    MUTUELLE = "mutuelle"
    ASSURANCE_MUTUELLE = "assurance-mutuelle"
    SARL_ESUS = "sarl-esus"
    SAS_ESUS = "sas-esus"
    SA_ESUS = "sa-esus"


# code -> (label, INSEE "catégorie juridique" code); labels are lazy (the page's language),
# `seeds.french()` gives the French one (open-data API, search index).
LEGAL_FORMS: dict[LegalForm, tuple[str, str]] = {
    LegalForm.ASSOCIATION: (_l("Association déclarée"), "9220"),
    LegalForm.ASSOCIATION_INSERTION: (
        _l("Association déclarée d'insertion par l'économique"), "9221"),
    LegalForm.ASSOCIATION_INTERMEDIAIRE: (_l("Association intermédiaire"), "9222"),
    LegalForm.ASSOCIATION_RUP: (_l("Association reconnue d'utilité publique"), "9230"),
    LegalForm.ASSOCIATION_DROIT_LOCAL: (_l("Association de droit local (Alsace-Moselle)"),
                                        "9260"),
    LegalForm.FONDATION: (_l("Fondation"), "9300"),
    LegalForm.SCOP_SARL: (_l("SCOP à forme de SARL"), "5458"),
    LegalForm.SCOP_SA_CA: (_l("SCOP à forme de SA à conseil d'administration"), "5558"),
    LegalForm.SCOP_SA_DIRECTOIRE: (_l("SCOP à forme de SA à directoire"), "5658"),
    LegalForm.COOP_SARL: (_l("Autre coopérative à forme de SARL (SCIC, CAE…)"), "5460"),
    LegalForm.COOP_SA: (_l("Autre coopérative à forme de SA (SCIC, CAE…)"), "5560"),
    LegalForm.COOP_SAS: (_l("Coopérative à forme de SAS (SCIC, CAE…)"), "5710"),
    LegalForm.COOP_AGRICOLE: (_l("Société coopérative agricole"), "6317"),
    LegalForm.MUTUELLE: (_l("Mutuelle"), "8210"),
    LegalForm.ASSURANCE_MUTUELLE: (_l("Société d'assurance mutuelle"), "6411"),
    LegalForm.SARL_ESUS: (_l("Société commerciale (SARL) agréée ESUS"), "5499"),
    LegalForm.SAS_ESUS: (_l("Société commerciale (SAS) agréée ESUS"), "5710"),
    LegalForm.SA_ESUS: (_l("Société commerciale (SA) agréée ESUS"), "5599"),
}

ASSOCIATIONS_WITH_RNA = {LegalForm.ASSOCIATION, LegalForm.ASSOCIATION_INSERTION,
                         LegalForm.ASSOCIATION_INTERMEDIAIRE, LegalForm.ASSOCIATION_RUP}
SCOP_FORMS = {LegalForm.SCOP_SARL, LegalForm.SCOP_SA_CA, LegalForm.SCOP_SA_DIRECTOIRE}
COMMERCIAL_ESUS = {LegalForm.SARL_ESUS, LegalForm.SAS_ESUS, LegalForm.SA_ESUS}


class CoopStatus(enum.StrEnum):
    NONE = "none"
    SCOP = "scop"
    SCIC = "scic"  # no INSEE code of its own: hence a field apart from the legal form
    CAE = "cae"


COOP_STATUSES = {CoopStatus.NONE: _l("Aucun"), CoopStatus.SCOP: "SCOP",
                 CoopStatus.SCIC: "SCIC",
                 CoopStatus.CAE: _l("CAE (coopérative d'activité et d'emploi)")}


class BuyerKind(enum.StrEnum):
    """What a buyer looks for under the social clauses of public procurement."""

    NONE = "none"
    ACI = "aci"
    EI = "ei"
    ETTI = "etti"
    AI = "ai"
    EITI = "eiti"
    EA = "ea"
    ESAT = "esat"


BUYER_KINDS = {
    BuyerKind.NONE: _l("Aucun (autre structure de l'ESS)"),
    BuyerKind.ACI: _l("SIAE – Atelier et chantier d'insertion (ACI)"),
    BuyerKind.EI: _l("SIAE – Entreprise d'insertion (EI)"),
    BuyerKind.ETTI: _l("SIAE – Entreprise de travail temporaire d'insertion (ETTI)"),
    BuyerKind.AI: _l("SIAE – Association intermédiaire (AI)"),
    BuyerKind.EITI: _l("SIAE – Entreprise d'insertion par le travail indépendant (EITI)"),
    BuyerKind.EA: _l("Entreprise adaptée (EA)"),
    BuyerKind.ESAT: _l("Établissement et service d'aide par le travail (ESAT)"),
}
SIAE_KINDS = {BuyerKind.ACI, BuyerKind.EI, BuyerKind.ETTI, BuyerKind.AI, BuyerKind.EITI}

LABELS = {
    "esus": _l("Agrément ESUS"),
    "rup": _l("Reconnaissance d'utilité publique"),
    "siae-conventionnee": _l("Conventionnement SIAE (DDETS)"),
    "qualiopi": "Qualiopi",
    "lucie": _l("Label Lucie (RSE)"),
    "finansol": _l("Label Finansol"),
    "jeunesse-education-populaire": _l("Agrément jeunesse et éducation populaire"),
    "sport": _l("Agrément sport"),
}


class AreaServed(enum.StrEnum):
    COMMUNE = "commune"
    INTERCOMMUNALITE = "intercommunalite"
    TERRITOIRE = "territoire"
    DEPARTEMENT = "departement"
    REGION = "region"
    NATIONAL = "national"
    TRANSFRONTALIER = "transfrontalier"


AREAS_SERVED = {
    AreaServed.COMMUNE: _l("La commune"),
    AreaServed.INTERCOMMUNALITE: _l("L'intercommunalité"),
    AreaServed.TERRITOIRE: _l("Le territoire (bassin de vie)"),
    AreaServed.DEPARTEMENT: _l("Toute la Moselle"),
    AreaServed.REGION: _l("Le Grand Est"),
    AreaServed.NATIONAL: _l("Toute la France"),
    AreaServed.TRANSFRONTALIER: _l("La Grande Région (Luxembourg, Sarre)"),
}


class ServiceKind(enum.StrEnum):
    SERVICE = "prestation"
    SUPPLY = "fourniture"
    WORKS = "travaux"
    STAFFING = "mise-a-disposition"


SERVICE_KINDS = {ServiceKind.SERVICE: _l("Prestation de service"),
                 ServiceKind.SUPPLY: _l("Fourniture"), ServiceKind.WORKS: _l("Travaux"),
                 ServiceKind.STAFFING: _l("Mise à disposition de personnel")}


class StructureStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    SUSPENDED = "suspended"


STATUSES = {StructureStatus.PENDING: _l("En attente de validation"),
            StructureStatus.APPROVED: _l("Publiée"), StructureStatus.REFUSED: _l("Refusée"),
            StructureStatus.SUSPENDED: _l("Suspendue")}


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


def _enum(cls: type[enum.StrEnum], length: int = 30) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


# --- staff-editable reference lists -----------------------------------------------------------


class Territory(db.Model):
    __tablename__ = "directory_territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        """Place names read the same in every language."""
        return self.name


class Sector(db.Model):
    """Two levels: a sector (parent None) and its sub-sectors."""

    __tablename__ = "directory_sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_sectors.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        """The name in the page's language (a seeded name), or as the staff typed it."""
        return display_label("sector", self.code, self.name)

    parent: Mapped[Sector | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Sector]] = relationship(back_populates="parent",
                                                  order_by="Sector.position")


class PurchaseCategory(db.Model):
    """What buyers purchase (ESSpresso reads these too: keep `code` stable)."""

    __tablename__ = "purchase_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        """The name in the page's language (a seeded name), or as the staff typed it."""
        return display_label("category", self.code, self.name)


structure_sectors = Table(
    "structure_sectors",
    db.metadata,
    Column("structure_id", ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("directory_sectors.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


# --- the profile --------------------------------------------------------------------------------


class Structure(db.Model):
    __tablename__ = "structures"
    __table_args__ = (
        Index("ix_structures_status_sort_name", "status", "sort_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    status: Mapped[StructureStatus] = mapped_column(_enum(StructureStatus, 20),
                                                    default=StructureStatus.PENDING)
    status_reason: Mapped[str | None] = mapped_column(Text)

    # Identity
    name: Mapped[str] = mapped_column(String(200))
    trade_name: Mapped[str | None] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    legal_form: Mapped[LegalForm] = mapped_column(_enum(LegalForm), index=True)
    coop_status: Mapped[CoopStatus] = mapped_column(_enum(CoopStatus, 10),
                                                    default=CoopStatus.NONE)
    rna: Mapped[str | None] = mapped_column(String(10))
    local_register_number: Mapped[str | None] = mapped_column(String(60))

    # For buyers
    buyer_kind: Mapped[BuyerKind] = mapped_column(_enum(BuyerKind, 10), default=BuyerKind.NONE,
                                                  index=True)

    # Where
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(120))
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_territories.id", ondelete="SET NULL"), index=True)
    area_served: Mapped[AreaServed] = mapped_column(_enum(AreaServed, 20),
                                                    default=AreaServed.TERRITOIRE)

    # Showcase
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, checked on save
    website: Mapped[str | None] = mapped_column(String(300))
    public_email: Mapped[str | None] = mapped_column(String(254))
    public_phone: Mapped[str | None] = mapped_column(String(30))
    show_contact: Mapped[bool] = mapped_column(default=False)
    employees_count: Mapped[int | None] = mapped_column()
    volunteers_count: Mapped[int | None] = mapped_column()
    client_references: Mapped[str] = mapped_column(Text, default="")

    # Search: accent-free, lower-case text kept by the service (feeds FTS5 and the GIN index)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_name: Mapped[str] = mapped_column(String(200), default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    territory: Mapped[Territory | None] = relationship(lazy="joined")
    sectors: Mapped[list[Sector]] = relationship(secondary=structure_sectors,
                                                 order_by="Sector.position")
    offerings: Mapped[list[StructureOffering]] = relationship(
        back_populates="structure", cascade="all, delete-orphan",
        order_by="StructureOffering.id")
    labels: Mapped[list[StructureLabel]] = relationship(
        back_populates="structure", cascade="all, delete-orphan",
        order_by="StructureLabel.label")
    logo: Mapped[StructureLogo | None] = relationship(
        back_populates="structure", cascade="all, delete-orphan", lazy="select")

    @property
    def legal_form_label(self) -> str:
        return LEGAL_FORMS[self.legal_form][0]

    @property
    def insee_code(self) -> str:
        return LEGAL_FORMS[self.legal_form][1]

    @property
    def buyer_kind_label(self) -> str:
        return BUYER_KINDS[self.buyer_kind]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def is_siae(self) -> bool:
        return self.buyer_kind in SIAE_KINDS

    @property
    def display_name(self) -> str:
        return self.trade_name or self.name

    def __repr__(self) -> str:
        return f"<Structure {self.id} {self.name}>"


class StructureOffering(db.Model):
    """What a structure sells, in a purchase category, how and where."""

    __tablename__ = "structure_offerings"
    __table_args__ = (UniqueConstraint("structure_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_categories.id", ondelete="CASCADE"), index=True)
    service_kind: Mapped[ServiceKind] = mapped_column(_enum(ServiceKind, 20),
                                                      default=ServiceKind.SERVICE)
    area_served: Mapped[AreaServed] = mapped_column(_enum(AreaServed, 20),
                                                    default=AreaServed.TERRITOIRE)

    structure: Mapped[Structure] = relationship(back_populates="offerings")
    category: Mapped[PurchaseCategory] = relationship(lazy="joined")


class StructureLabel(db.Model):
    __tablename__ = "structure_labels"
    __table_args__ = (UniqueConstraint("structure_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40), index=True)
    obtained_on: Mapped[date | None] = mapped_column()
    expires_on: Mapped[date | None] = mapped_column()

    structure: Mapped[Structure] = relationship(back_populates="labels")

    @property
    def name(self) -> str:
        return LABELS.get(self.label, self.label)


class StructureLogo(db.Model):
    """Bytes in the database, so that every worker and machine serves the same logo."""

    __tablename__ = "structure_logos"

    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    structure: Mapped[Structure] = relationship(back_populates="logo")


class StructureChange(db.Model):
    """History of a profile: who changed what, when (old and new values as JSON)."""

    __tablename__ = "structure_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)

    user = relationship("User", lazy="joined")


class JoinRequest(db.Model):
    """A signed-in person asks to join an existing structure; an owner (or staff) decides."""

    __tablename__ = "structure_join_requests"
    __table_args__ = (UniqueConstraint("structure_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 10),
                                                  default=RequestStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    structure: Mapped[Structure] = relationship()
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class Invitation(db.Model):
    """An owner invites a colleague by e-mail; the signed link carries the id and a nonce."""

    __tablename__ = "structure_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(10))
    nonce: Mapped[str] = mapped_column(String(32))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    structure: Mapped[Structure] = relationship()


#: Full-text search over `structures.search_text` (core search service: FTS5 / tsvector + GIN).
STRUCTURE_SEARCH = SearchIndex(name="structures", table="structures", key="id",
                               text="search_text")
STRUCTURE_SEARCH.attach(Structure.__table__)
