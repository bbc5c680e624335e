"""What the site accepts at all, decided once for every route (issue #9, item 9).

- Ids in URLs: `<int:…>` is bounded to PostgreSQL's INTEGER (2³¹ − 1). A larger id names
  nothing, so it is a 404 like any unknown id, on SQLite as on PostgreSQL (which would
  otherwise refuse the query with a 500).
- Text: a NUL byte (PostgreSQL refuses it in text) or a lone UTF-16 surrogate (no encoding
  can store it) in the path, a query argument, a form field or a JSON string is refused with
  a 400 before any view runs, so nothing is read or written with it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest id a route accepts: PostgreSQL INTEGER, the type of every primary key here.
MAX_ID = 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0 … `limit` (no leading zeros)."""
    top = str(limit)
    parts = ["0"] + ([rf"[1-9]\d{{0,{len(top) - 2}}}"] if len(top) > 1 else [])
    for i, char in enumerate(top):
        digit, low, rest = int(char), 1 if i == 0 else 0, len(top) - i - 1
        if digit > low:
            parts.append(f"{top[:i]}[{low}-{digit - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(top)
    return "(?:" + "|".join(parts) + ")"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that matches 0 … 2³¹ − 1 only (a larger number is a 404, not a 500).

    The bound is in the regular expression itself, not only in `max`: werkzeug's matcher
    would otherwise answer 405 rather than 404 for a too large id on a path whose other
    method's rule exists."""

    regex = digits_up_to(MAX_ID)

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:  # noqa: A002  werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class UnstorableInput(BadRequest):
    """A request holding NUL or a lone surrogate: answered 400 by the app's handler."""

    code_name = "invalid_character"


def install_converters(app: Flask) -> None:
    """Before any blueprint registers: every `<int:…>` route gets the bounded converter."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def has_unstorable(value: Any, depth: int = 0) -> bool:
    """True if a string anywhere in `value` (str, list, dict, nested) holds NUL or a lone
    surrogate. Depth is bounded: the JSON parser has already bounded it anyway."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(has_unstorable(k, depth + 1) or has_unstorable(v, depth + 1)
                   for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unstorable(v, depth + 1) for v in value)
    return False


def request_has_unstorable() -> bool:
    """Look at everything a view may read: path, query string, form fields (names too),
    uploaded file names and a JSON body."""
    if has_unstorable(request.path):
        return True
    for multi in (request.args, request.form):
        for key, values in multi.lists():
            if has_unstorable(key) or has_unstorable(values):
                return True
    for key, storage in request.files.items(multi=True):
        if has_unstorable(key) or has_unstorable(storage.filename or ""):
            return True
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None and has_unstorable(body):
            return True
    return False
