"""Languages, dates and numbers for people: one place, so French reads "16h42" and German
"16:42 Uhr", and a mail speaks its recipient's language rather than the sender's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import force_locale, format_date, format_datetime, format_decimal, get_locale

from network.core.time import to_paris

DEFAULT = "fr"
COOKIE = "lang"

# One pattern per style and language (CLDR patterns). French times are written "16h42".
STYLES: dict[str, dict[str, str]] = {
    "time": {"fr": "HH'h'mm", "en": "h:mm a", "de": "HH:mm 'Uhr'"},
    "date": {"fr": "d MMMM y", "en": "d MMMM y", "de": "d. MMMM y"},
    "day": {"fr": "EEEE d MMMM y", "en": "EEEE d MMMM y", "de": "EEEE, d. MMMM y"},
    "datetime": {"fr": "EEEE d MMMM y 'à' HH'h'mm", "en": "EEEE d MMMM y 'at' h:mm a",
                 "de": "EEEE, d. MMMM y 'um' HH:mm 'Uhr'"},
    "daytime": {"fr": "d MMMM 'à' HH'h'mm", "en": "d MMMM 'at' h:mm a",
                "de": "d. MMMM 'um' HH:mm 'Uhr'"},
    "daymonth": {"fr": "d MMMM", "en": "d MMMM", "de": "d. MMMM"},
    "month": {"fr": "MMMM y", "en": "MMMM y", "de": "MMMM y"},
    "short": {"fr": "dd/MM/y HH'h'mm", "en": "dd/MM/y HH:mm", "de": "dd.MM.y HH:mm"},
    "shortdate": {"fr": "dd/MM/y", "en": "dd/MM/y", "de": "dd.MM.y"},
}
# The hour alone, for ranges: "16h30–19h30", "4:30–7:30 PM" would need care, so 24 h in English.
_RANGE_TIME = {"fr": "HH'h'mm", "en": "HH:mm", "de": "HH:mm"}


def languages() -> tuple[str, ...]:
    if has_app_context():
        return tuple(current_app.config.get("LANGUAGES", (DEFAULT,)))
    return (DEFAULT,)


def valid(code: str | None) -> str | None:
    """The code if the site speaks it, else None (a cookie or a form may hold anything)."""
    return code if isinstance(code, str) and code in languages() else None


def current() -> str:
    locale = get_locale() if has_app_context() else None
    code = locale.language if locale is not None else DEFAULT
    return code if code in STYLES["time"] else DEFAULT


def pattern(style: str) -> str:
    """A style name gives this language's pattern; anything else is taken as a CLDR pattern."""
    patterns = STYLES.get(style)
    return patterns.get(current(), patterns[DEFAULT]) if patterns else style


def when(value: datetime | date | None, style: str = "datetime") -> str:
    """A moment in Europe/Paris, in the current language ("" for nothing)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(to_paris(value), pattern(style))
    return format_date(value, pattern(style))


def when_range(start: datetime | None, end: datetime | None) -> str:
    """"mercredi 2 décembre 2026, 16h30–19h30"; over several days, both ends in full."""
    if start is None:
        return ""
    if end is None:
        return when(start, "datetime")
    first, last = to_paris(start), to_paris(end)
    if first.date() == last.date():
        hours = _RANGE_TIME.get(current(), _RANGE_TIME[DEFAULT])
        return "{}, {}–{}".format(format_datetime(first, pattern("day")),
                                  format_datetime(first, hours), format_datetime(last, hours))
    return "{} – {}".format(when(first, "datetime"), when(last, "datetime"))


def number(value: float | int | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is not None:
        return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(value)


@contextmanager
def in_locale(code: str | None) -> Iterator[None]:
    """Render in another language (a mail for its recipient); unknown codes give French."""
    with force_locale(valid(code) or DEFAULT):
        yield


def request_choice() -> str | None:
    """The visitor's explicit choice (the `lang` cookie), if any."""
    if not has_request_context():
        return None
    return valid(request.cookies.get(COOKIE))


def select_locale() -> str:
    """Flask-Babel's selector: the visitor's choice (the cookie, kept across log-in and
    log-out), then the account's, then French."""
    if not has_request_context():  # a service or the CLI renders in French unless told
        return DEFAULT
    choice = request_choice()
    if choice:
        return choice
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    if user is not None and getattr(user, "is_authenticated", False):
        return valid(getattr(user, "locale", None)) or DEFAULT
    return DEFAULT


def recipient_locale(address: str, explicit: str | None = None) -> str:
    """The language a mail to `address` is written in: the caller's explicit choice, the
    account holding that address, the language of the page being answered, or French."""
    if valid(explicit):
        return explicit  # type: ignore[return-value]
    from sqlalchemy import select

    from network.accounts.models import User
    from network.core.text import normalize_email
    from network.extensions import db

    with db.session.no_autoflush:  # the accounts' own lookup rule, on the unique column
        stored = db.session.scalar(
            select(User.locale).where(User.email == normalize_email(address)))
    if valid(stored):
        return stored  # type: ignore[return-value]
    if has_request_context():
        return current()
    return DEFAULT


def init_app(app) -> None:
    """Template helpers: `|paris(style)`, `|num`, `when_range()`, `current_lang`."""
    app.add_template_filter(lambda value, style="datetime": when(value, style), "paris")
    app.add_template_filter(number, "num")
    app.add_template_global(when_range, "when_range")
    app.add_template_global(when, "when")
