"""Imports every domain's models so that Alembic and create_all() see all tables."""

from __future__ import annotations

from network.core.modules import optional_module

DOMAINS = ("accounts", "outbox", "directory", "events", "esspresso", "offers")

for _domain in DOMAINS:
    optional_module(f"network.{_domain}.models")
