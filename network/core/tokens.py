"""Signed, expiring tokens for links sent by mail (verification, reset, confirmations)."""

from __future__ import annotations

from typing import Any

from flask import current_app
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
        raise TokenError("Ce lien a expiré. Demandez-en un nouveau.", "token_expired") from exc
    except BadSignature as exc:
        raise TokenError("Ce lien n'est pas valide.", "token_invalid") from exc
