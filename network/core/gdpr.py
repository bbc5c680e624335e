"""Each domain declares what personal data it holds, for export and erasure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def register(section: str, exporter: Exporter, eraser: Eraser | None = None) -> None:
    """Called once at import time by each domain; the registry is never mutated per request."""
    _exporters[section] = exporter
    if eraser is not None and eraser not in _erasers:
        _erasers.append(eraser)


def export_sections(user: Any) -> dict[str, Any]:
    return {name: fn(user) for name, fn in sorted(_exporters.items())}


def erase_everywhere(user: Any) -> None:
    for fn in _erasers:
        fn(user)
