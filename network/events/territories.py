"""Territories come from the directory's staff-editable list (read through its services).

The five historical codes stay as a fallback so that events work before the directory's
reference data exist (a fresh database before `demo load`, or events tests on their own).
"""

from __future__ import annotations

from network.core.modules import optional_module

DEFAULT_TERRITORIES = {
    "metz": "Metz",
    "thionville": "Thionville",
    "forbach-boulay": "Forbach – Boulay-Moselle",
    "sarreguemines-bitche": "Sarreguemines – Bitche",
    "sarrebourg-chateau-salins": "Sarrebourg – Château-Salins",
}


def territories(*, active_only: bool = True) -> dict[str, str]:
    """code → name, in the directory's order."""
    directory = optional_module("network.directory.services")
    if directory is not None:
        found = {t.code: t.name for t in directory.list_territories(active_only=active_only)}
        if found:
            return found
    return dict(DEFAULT_TERRITORIES)


def territory_name(code: str) -> str:
    return territories(active_only=False).get(code, code)
