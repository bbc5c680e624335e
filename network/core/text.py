"""One policy for text people type: Markdown, e-mail addresses, and what may reach a header."""

from __future__ import annotations

import re

import nh3
from email_validator import EmailNotValidError, validate_email
from flask import has_app_context
from flask_babel import gettext as _
from markdown_it import MarkdownIt

from network.core.errors import ValidationError
from network.core.i18n import number

MAX_EMAIL_LENGTH = 254
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4",
                "code", "pre", "hr"}
_HEADINGS = re.compile(r"<(/?)h[12]>")
_BAD_LINK = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data)\s*:", re.I)
#: Characters that must never reach a mail header or a single-line field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("image")


def check_markdown(source: str | None, *, field: str = "description",
                   max_length: int = 10_000) -> str:
    """Refuse raw HTML and unsafe links outright rather than store them silently."""
    source = (source or "").replace("\r\n", "\n").replace("\x00", "").strip()
    message = None
    for token in _parser().parse(source):
        kinds = [token.type] + [child.type for child in token.children or []]
        if "html_block" in kinds or "html_inline" in kinds:
            message = _("Le texte ne peut pas contenir de code HTML ni de script (balises "
                        "comme <script> ou <iframe>) : utilisez la mise en forme Markdown "
                        "(**gras**, listes avec « - », liens [texte](https://…)).")
            break
        for child in token.children or []:
            href = (child.attrs or {}).get("href", "") if child.type == "link_open" else ""
            if href and not re.match(r"^(https?:|mailto:|/|#)", str(href), re.I):
                message = _("Les liens doivent commencer par https:// ou mailto:.")
    if message is None and _BAD_LINK.search(source):
        message = _("Les liens doivent commencer par https:// ou mailto: (les liens "
                    "« javascript: » sont refusés).")
    if message is None and len(source) > max_length:
        message = _("Le texte est trop long (%(n)s caractères au plus).",
                    n=number(max_length) if has_app_context() else max_length)
    if message:
        raise ValidationError(message, "invalid_markdown", field=field)
    return source


def render_markdown(source: str | None) -> str:
    """Markdown to HTML, then sanitised by nh3 anyway (defence in depth)."""
    html = _parser().render(source or "")
    html = _HEADINGS.sub(r"<\1h3>", html)  # the page already has its h1 and h2
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener")


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def check_email(email: str | None, *, field: str = "email") -> str:
    """One valid mailbox (no list, no display name, no control character), normalised."""
    raw = normalize_email(email)
    message = _("Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr.")
    if not raw or len(raw) > MAX_EMAIL_LENGTH or _CONTROL.search(raw) or any(
            c in raw for c in ',;<>"()[]\\ '):
        raise ValidationError(message, "invalid_email", field=field)
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as err:
        raise ValidationError(message, "invalid_email", field=field) from err
    if checked.local_part.startswith(("=", "+", "-", "@")):
        raise ValidationError(message, "invalid_email", field=field)
    return checked.normalized.lower()


def is_valid_email(email: str | None) -> bool:
    try:
        check_email(email)
    except ValidationError:
        return False
    return True


def single_line(text: str | None, *, max_length: int = 255) -> str:
    """For anything that may reach a mail header (a subject, a name): control characters
    become spaces, whitespace collapses, the length is capped."""
    text = _CONTROL.sub(" ", str(text or ""))  # str(): a lazy subject
    return " ".join(text.split())[:max_length]
