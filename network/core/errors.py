"""Domain errors: services raise them with a stable code; the edge turns them into answers."""

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

    @property
    def field_errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class ValidationError(DomainError):
    """Bad input. Carries every invalid field at once (flaskbb's `StopValidation(reasons)`)."""

    code = "invalid"
    status = 422

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None,
                 errors: dict[str, list[str]] | None = None):
        super().__init__(message, code, field=field)
        self.errors = dict(errors or {})

    @property
    def field_errors(self) -> dict[str, list[str]]:
        merged = {k: list(v) for k, v in self.errors.items()}
        if self.field:
            merged.setdefault(self.field, [])
            if self.message not in merged[self.field]:
                merged[self.field].append(self.message)
        return merged


class FieldErrors:
    """Collect every problem of a submission, then refuse once with all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.codes: list[str] = []

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(message)
        self.codes.append(code)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def check(self) -> None:
        """Raise a ValidationError naming every field, whose code is the first problem's."""
        if self.errors:
            first_field, messages = next(iter(self.errors.items()))
            raise ValidationError(messages[0], self.codes[0], errors=self.errors)


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
