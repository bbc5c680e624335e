"""Development aid: with no SMTP server, show a visitor the mail their own browser caused.

The rule (issue #9, item 4): the preview never shows a mail that grants access to something
the visitor does not already hold. So it shows

- only mails caused by requests of this browser session: their ids are kept in the signed
  session cookie (never an address: typing someone's address shows nothing sent to it
  before, or by anyone else);
- and, of those, only mails their sender marked `preview_safe` (no verification, reset,
  confirmation or invitation link, no badge). Any other mail is written to the server's
  console only — read by whoever runs `make run`, who holds the database anyway — and not
  even listed (a "reset mail sent" line would tell who has an account).

Production never enables it (MAIL_PREVIEW defaults to off outside development, and any
MAIL_SERVER turns it off).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, session

KEY = "preview_mail"
KEEP = 20


def preview_enabled() -> bool:
    return bool(current_app.config.get("MAIL_PREVIEW")) and not current_app.config["MAIL_SERVER"]


def caused(message: Any, *, safe: bool) -> None:
    """Called by `outbox.enqueue`: this request caused `message`."""
    if has_request_context() and preview_enabled():
        g.setdefault("preview_caused", []).append((message, safe))


def remember_preview(address: str | None = None) -> None:
    """Kept for callers written before the rule above: mails are now remembered by id, when
    they are enqueued, so there is nothing left to do here."""


def _after_request(response):
    pending = g.pop("preview_caused", None)
    if not pending or response.status_code >= 400 or g.get("uow_doomed"):
        return response
    kept = list(session.get(KEY, []))
    for message, safe in pending:
        if message.id is None:
            continue
        if safe:
            kept.append(message.id)
        # WARNING so that `flask run` shows it whatever its debug setting: with no SMTP server
        # this console is where the person running the site reads access links.
        current_app.logger.warning(
            "Courriel n° %s pour %s (aperçu de développement, aucun serveur SMTP) : %s\n%s",
            message.id, message.to_address, message.subject, message.body_text)
    session[KEY] = kept[-KEEP:]
    return response


def shown_ids() -> list[int]:
    """Ids of the mails this browser session may read, newest first."""
    if not preview_enabled():
        return []
    return [int(i) for i in reversed(session.get(KEY, []))]


def may_read(message_id: int) -> bool:
    return message_id in shown_ids()


def init_app(app: Flask) -> None:
    app.after_request(_after_request)
