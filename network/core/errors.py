"""Domain errors: services raise them with a stable code; views turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: `code` is stable (tests assert on it), `message` is for people."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
