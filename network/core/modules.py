"""Domains plug into the app by convention, found here rather than listed in several places.

A domain package may hold `views.py` (a blueprint `bp`), `cli.py` (a click group `cli`),
`models.py`, `demo.py` (`load(staff=, member=)`) and `services.py` (`staff_summary()`).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

# In this order: the directory's demo seeds the territories that the events' demo uses.
DOMAINS = ("main", "accounts", "outbox", "directory", "events", "esspresso", "admin")


def optional_module(name: str) -> ModuleType | None:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # the domain package itself does not exist yet
        return None
    return importlib.import_module(name) if spec is not None else None


def domain_modules(module: str) -> list[tuple[str, ModuleType]]:
    """(domain, network.<domain>.<module>) for every domain that has that module."""
    found = [(d, optional_module(f"network.{d}.{module}")) for d in DOMAINS]
    return [(d, m) for d, m in found if m is not None]
