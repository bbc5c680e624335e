"""Small helpers every blueprint's views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_wtf import FlaskForm

from network.core.errors import DomainError


def safe_next(target: str | None, default_endpoint: str = "main.home"):
    """Redirect to `next` only when it is a path on this site (no open redirect)."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return redirect(target)
    return redirect(url_for(default_endpoint))


def form_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def page_arg() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1
