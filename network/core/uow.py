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

from flask import Flask, current_app, g

from network.extensions import db


def doom() -> None:
    """This request must not commit, whatever status it answers (a refusal shown on a form)."""
    g.uow_doomed = True


def transactional_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """The request edge: commit if the answer is a success (< 400) and nothing doomed it.

    Committing here, inside dispatch, rather than in `after_request` lets a failure of the
    commit itself (a lost database connection, a constraint checked at commit) reach the
    app's error handlers like any other error.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code < 400 and not g.get("uow_doomed"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    return wrapped


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
