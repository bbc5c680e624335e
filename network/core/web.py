"""The three shapes of a view — a form page, an action button, a JSON answer — written once.

Views call one service with plain values and the acting party; these helpers map a refusal
(`DomainError`) to the answer people expect: messages at their fields and 422 on a form, a
flash and a redirect after a button, `{"error": code, "message": …}` on the API. Anything
else a view does not catch reaches the app-level handler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from network.core import uow
from network.core.errors import DomainError, NotFound, PermissionDenied

#: Refusals that are never shown on a form: the app-level handler answers them.
PASS_THROUGH = (PermissionDenied, NotFound)


def safe_next(target: str | None, default_endpoint: str = "main.home"):
    """Redirect to `next` only when it is a path on this site (no open redirect)."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\x00" not in target:
            return redirect(target)
    return redirect(url_for(default_endpoint))


def form_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to the fields it names, or at the top of the form."""
    shown = False
    for name, messages in error.field_errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors or []), *messages]
            shown = True
    if not shown:
        form.form_errors.append(error.message)
        flash(error.message, "error")
    form._refusal_status = error.status  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None


def submit(form: FlaskForm, action: Callable[[], Any]) -> Outcome:
    """On a valid POST, run `action()`; a refusal lands on the form and nothing is kept."""
    if not form.validate_on_submit():
        return Outcome(False)
    try:
        return Outcome(True, action())
    except PASS_THROUGH:
        raise
    except DomainError as err:
        uow.doom()
        form_error(form, err)
        return Outcome(False)


def render_form(template: str, form: FlaskForm, status: int | None = None, **context: Any):
    """Render a form page: 422 when it shows errors, so clients and tests can tell."""
    if status is None:
        refused = getattr(form, "_refusal_status", None)
        status = refused if refused and refused != 400 else (422 if form.errors else 200)
    return render_template(template, form=form, **context), status


def act(action: Callable[[], Any], *, to: str, done: str | None = None,
        failed_to: str | None = None) -> Response:
    """An action button (POST, CSRF-checked): run, flash the outcome, go back to a page."""
    try:
        action()
    except PASS_THROUGH:
        raise
    except DomainError as err:
        uow.doom()
        flash(err.message, "error")
        return redirect(failed_to or to)
    if done:
        flash(done, "success")
    return redirect(to)


def api_error(err: DomainError) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": err.code, "message": err.message}
    if err.field_errors:
        body["fields"] = err.field_errors
    return jsonify(body), err.status


def json_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """A JSON endpoint: the view returns data (or a Response); a refusal becomes JSON too."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
        except DomainError as err:
            uow.doom()
            return api_error(err)
        if isinstance(result, Response | tuple):
            return result
        return jsonify(result)

    return wrapped


def public_json(data: Any, *, etag: str | None = None, max_age: int = 300) -> Response:
    """Open data (structures, offers): anyone may read it (CORS), caches may keep it a while,
    and a client that already holds this very body gets a 304 — the ETag is a hash of the
    body, so it needs no "last changed" date that every write would have to keep right."""
    raw = data if isinstance(data, bytes) else current_app.json.dumps(data).encode("utf-8")
    etag = etag or hashlib.sha256(raw).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(raw, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def page_arg(limit: int = 100_000) -> int:
    """`?page=` as a bounded positive integer (huge numbers would overflow the database)."""
    try:
        return min(max(int(request.args.get("page", 1)), 1), limit)
    except (TypeError, ValueError):
        return 1
