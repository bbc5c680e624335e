"""Development aid: with no SMTP server, let people read the mail this browser just caused."""

from __future__ import annotations

from flask import current_app, session

KEY = "preview_to"


def preview_enabled() -> bool:
    return bool(current_app.config.get("MAIL_PREVIEW")) and not current_app.config["MAIL_SERVER"]


def remember_preview(address: str) -> None:
    if preview_enabled():
        kept = [a for a in session.get(KEY, []) if a != address]
        session[KEY] = [*kept, address][-5:]


def preview_addresses() -> list[str]:
    return list(session.get(KEY, [])) if preview_enabled() else []
