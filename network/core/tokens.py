"""Signed, expiring tokens for links sent by mail (verification, reset, confirmations)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from network.core.errors import DomainError


class TokenError(DomainError):
    code = "token_invalid"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"network.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None) -> Any:
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(_("Ce lien a expiré. Demandez-en un nouveau."), "token_expired") from exc
    except BadSignature as exc:
        raise TokenError(_("Ce lien n'est pas valide."), "token_invalid") from exc


MIN_SECRET_KEY_LENGTH = 32


def secret_key_problem(key: Any) -> str | None:
    """Why a SECRET_KEY is too weak to sign sessions and mailed links, or None.

    It must be at least 32 characters, not the development default, and not a repetition of
    a few characters: `python -c "import secrets; print(secrets.token_urlsafe(48))"`."""
    from config import DEFAULT_SECRET_KEY

    if not isinstance(key, str | bytes) or not key:
        return "SECRET_KEY is not set"
    if key == DEFAULT_SECRET_KEY:
        return "SECRET_KEY is the development default"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < 10:
        return "SECRET_KEY uses fewer than 10 different characters"
    return None


def check_secret_key(config: Any) -> None:
    """Production refuses to start with a weak key (development and tests may use theirs)."""
    if config.get("ENV_NAME") == "production":
        problem = secret_key_problem(config.get("SECRET_KEY"))
        if problem:
            raise RuntimeError(f"{problem}: set a strong one in production (see README, "
                               "Configuration).")
