"""Territories come from the directory's staff-editable list (read through its services).

The five historical codes stay as a fallback so that events work before the directory's
reference data exist (a fresh database before `demo load`, or events tests on their own).
"""

from __future__ import annotations

from flask import g, has_app_context

DEFAULT_TERRITORIES = {
    "metz": "Metz",
    "thionville": "Thionville",
    "forbach-boulay": "Forbach – Boulay-Moselle",
    "sarreguemines-bitche": "Sarreguemines – Bitche",
    "sarrebourg-chateau-salins": "Sarrebourg – Château-Salins",
}


def territories(*, active_only: bool = True) -> dict[str, str]:
    """code → name, in the directory's order."""
    from network.directory import reference as directory

    found = {t.code: t.name for t in directory.list_territories(active_only=active_only)}
    if found:
        return found
    return dict(DEFAULT_TERRITORIES)


def territory_name(code: str) -> str:
    """Read once per request (or app context): a list page names many events' territories."""
    if has_app_context():
        names = g.get("_event_territory_names")
        if names is None:
            names = g._event_territory_names = territories(active_only=False)
        return names.get(code, code)
    return territories(active_only=False).get(code, code)
