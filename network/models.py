"""Imports every domain's models so that Alembic and create_all() see all tables."""

from __future__ import annotations

from network.core.modules import domain_modules

domain_modules("models")
