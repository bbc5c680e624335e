"""Domains grow one by one: find a domain's optional module without failing when it is absent."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # the domain package itself does not exist yet
        return None
    return importlib.import_module(name) if spec is not None else None
