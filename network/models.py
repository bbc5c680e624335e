"""Imports every domain's models so that Alembic and create_all() see all tables."""

from __future__ import annotations

import importlib
import importlib.util

DOMAINS = ("accounts", "outbox", "directory", "events", "esspresso", "offers")

for _domain in DOMAINS:
    if importlib.util.find_spec(f"network.{_domain}.models") is not None:
        importlib.import_module(f"network.{_domain}.models")
