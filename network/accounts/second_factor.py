"""Staff's second factor: TOTP (RFC 6238) and ten single-use recovery codes.

Written with `hmac` (about twenty lines) rather than pyotp: no new dependency for one
algorithm that the RFC's test vectors pin down (tests/accounts/test_second_factor.py checks
them). Codes are 6 digits over 30-second steps, accepted one step early or late, and a step
once used is never accepted again for that account (a conditional UPDATE, so two requests
racing with the same code cannot both pass). Recovery codes carry 80 random bits; only their
SHA-256 is stored, and one is spent by a conditional UPDATE as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote

import qrcode
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, update

from network.accounts.models import RecoveryCode, User
from network.core.auth import is_user, require
from network.core.errors import ValidationError
from network.core.time import utcnow
from network.extensions import db

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODES = 10


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code_at(secret: str, step: int, *, digest: str = "sha1", digits: int = DIGITS) -> str:
    """HOTP (RFC 4226) of the time step: the TOTP value (RFC 6238)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", step), digest).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return f"{value:0{digits}d}"


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["SITE_NAME"]
    label = quote(f"{issuer}:{user.email}")
    return (f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}"
            f"&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}")


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, border=2, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _normalise_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:64]


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def _require_self(acting: Any) -> User:
    require(is_user(acting), _("Connectez-vous pour faire cela."), "login_required")
    return acting


def _bad_code() -> ValidationError:
    return ValidationError(_("Ce code n'est pas valide (ou a déjà servi). Saisissez le code "
                             "à 6 chiffres affiché maintenant par votre application."),
                           "bad_code", field="code")


def _accept_totp(user: User, secret: str, code: str, now: float | None) -> bool:
    code = _normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = current_step(now)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(code_at(secret, candidate), code):
            result = db.session.execute(
                update(User).where(User.id == user.id)
                .where(or_(User.totp_last_step.is_(None), User.totp_last_step < candidate))
                .values(totp_last_step=candidate)
                .execution_options(synchronize_session=False))
            if result.rowcount == 1:
                db.session.expire(user, ["totp_last_step"])
                return True
            return False
    return False


def start_enrolment(*, acting: Any) -> str:
    """The secret waiting for its first code (a new one the first time)."""
    user = _require_self(acting)
    if user.totp_enabled_at is None and user.totp_secret is None:
        user.totp_secret = new_secret()
        user.totp_last_step = None
        db.session.flush()
    return user.totp_secret


def confirm_enrolment(code: str, *, acting: Any, now: float | None = None) -> list[str]:
    """The first good code turns the factor on; returns the recovery codes, shown once."""
    user = _require_self(acting)
    if user.totp_secret is None or user.totp_enabled_at is not None:
        raise ValidationError(_("Recommencez l'activation depuis le début."), "no_enrolment",
                              field="code")
    if not _accept_totp(user, user.totp_secret, code, now):
        raise _bad_code()
    user.totp_enabled_at = utcnow()
    db.session.flush()
    return issue_recovery_codes(acting=user)


def issue_recovery_codes(*, acting: Any) -> list[str]:
    """Ten new recovery codes; the previous ones stop working."""
    user = _require_self(acting)
    require(user.totp_enabled_at is not None, _("Activez d'abord la double authentification."))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = secrets.token_hex(10)
        code = "-".join(raw[i:i + 5] for i in range(0, 20, 5))
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)))
    db.session.flush()
    return codes


def check_second_factor(user: User, code: str, *, now: float | None = None) -> str:
    """At log-in: a TOTP code or an unused recovery code. Returns "totp" or "recovery"."""
    if user.totp_enabled_at is None or user.totp_secret is None:
        raise _bad_code()
    if _accept_totp(user, user.totp_secret, code, now):
        return "totp"
    if len(_normalise_code(code)) == 20:
        result = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id)
            .where(RecoveryCode.code_hash == _hash_recovery(code))
            .where(RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            return "recovery"
    raise _bad_code()


def remaining_recovery_codes(user: User) -> int:
    return db.session.query(RecoveryCode).filter(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).count()


def demo_enrol(user: User, secret: str) -> None:
    """`flask demo load` only: the demo staff account starts enrolled with a printed secret."""
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    db.session.flush()
