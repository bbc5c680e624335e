"""People, organisations (ESS structures or buyers) and who may act for them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.time import UTCDateTime, utcnow
from network.extensions import db


class OrganisationKind(enum.StrEnum):
    STRUCTURE = "structure"  # an ESS structure, member of the network
    BUYER = "buyer"  # a company or public body that buys responsibly


class OrgRole(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"


def new_secret_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    # Changing it logs out every session and "remember me" cookie (Flask-Login alternative id).
    session_token: Mapped[str] = mapped_column(String(64), default=new_secret_token, unique=True)
    calendar_token: Mapped[str] = mapped_column(String(64), default=new_secret_token, unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Second factor (TOTP, RFC 6238) for staff: the base32 secret, when it was confirmed, and
    # the last time step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column()

    memberships: Mapped[list[OrganisationMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def role_in(self, organisation_id: int) -> OrgRole | None:
        for m in self.memberships:
            if m.organisation_id == organisation_id:
                return m.role
        return None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Organisation(db.Model):
    """What people act for; the directory and ESSpresso hang their profiles on it."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(OrganisationKind, native_enum=False, length=20, validate_strings=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationMember(db.Model):
    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OrgRole] = mapped_column(
        Enum(OrgRole, native_enum=False, length=10, validate_strings=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="members")


class RecoveryCode(db.Model):
    """A single-use code that stands in for the second factor; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
