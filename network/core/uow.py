"""One unit of work per request, CLI command and worker message (Indico's rule, `web/rh.py`).

Services only `flush()`: the edge that called them commits when the whole use case went
through, or rolls back when anything refused or failed, so services compose freely and a
refusal half-way never leaves half a change behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import exc as sa_exc

from network.extensions import db

#: Methods a lost connection may replay once: they change nothing.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SQLITE_TRANSIENT = ("locked", "busy", "disk i/o", "unable to open")


def doom() -> None:
    """This request must not commit, whatever status it answers (a refusal shown on a form)."""
    g.uow_doomed = True


def transactional_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """The request edge: commit if the answer is a success (< 400) and nothing doomed it.

    Committing here, inside dispatch, rather than in `after_request` lets a failure of the
    commit itself (a lost database connection, a constraint checked at commit) reach the
    app's error handlers like any other error.

    A safe request (GET, HEAD) that lost its database connection is run once more, on a
    fresh connection: it changed nothing, so replaying it is harmless. Anything else that
    loses the database reaches the app's 503 handler (`database_unavailable`).
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return _run_once(view, args, kwargs)
        except Exception as err:
            if request.method not in SAFE_METHODS or not database_unavailable(err):
                raise
            current_app.logger.warning("database connection lost on %s %s, retrying once",
                                       request.method, request.path)
            g.pop("uow_doomed", None)
            g.pop("_login_user", None)  # reloaded from the new connection
            return _run_once(view, args, kwargs)

    return wrapped


def retrying_hook(hook: Callable[[], Any]) -> Callable[[], Any]:
    """A `before_request` hook that reads the database (the current user, say) gets the same
    one retry on a lost connection as the views, so a safe request survives a restart."""

    @wraps(hook)
    def wrapped() -> Any:
        try:
            return hook()
        except Exception as err:
            if request.method not in SAFE_METHODS or not database_unavailable(err):
                raise
            db.session.rollback()
            g.pop("_login_user", None)
            return hook()

    return wrapped


def _run_once(view: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    try:
        response = current_app.make_response(view(*args, **kwargs))
    except BaseException:
        db.session.rollback()
        raise
    if response.status_code < 400 and not g.get("uow_doomed"):
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    else:
        db.session.rollback()
    return response


def database_unavailable(err: BaseException) -> bool:
    """A lost or unreachable database (restart, network, pool exhausted, SQLite busy):
    worth "try again in a moment", unlike a bug or bad input, which stays a 500."""
    if isinstance(err, sa_exc.TimeoutError):
        return True
    if not isinstance(err, sa_exc.DBAPIError):
        return False
    if err.connection_invalidated:
        return True
    if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError):
        if type(err.orig).__module__.startswith("sqlite3"):
            # SQLite says "OperationalError" for a missing table too: only these are transient.
            return any(word in str(err.orig).lower() for word in _SQLITE_TRANSIENT)
        return True
    return False


def init_app(app: Flask) -> None:
    """Wrap every view function once all blueprints are registered."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "_uow_wrapped", False):
            wrapped = transactional_view(view)
            wrapped._uow_wrapped = True  # type: ignore[attr-defined]
            app.view_functions[endpoint] = wrapped


@contextmanager
def unit_of_work() -> Iterator[None]:
    """The CLI and worker edge: `with unit_of_work(): service(...)` commits or rolls back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A click command body that is one unit of work."""

    @wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work():
            return fn(*args, **kwargs)

    return wrapped
