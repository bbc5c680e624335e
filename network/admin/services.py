"""The staff dashboard gathers each domain's own figures; it owns no data."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from network.accounts import services as accounts
from network.core import signals
from network.core.urls import external_url
from network.outbox import services as outbox
from network.outbox.models import OutboxStatus


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | str
    url: str | None = None


def dashboard() -> list[tuple[str, list[Figure]]]:
    """Sections of figures: accounts and mail here, then whatever each domain reports."""
    total, verified = accounts.count_users()
    mail = outbox.count_by_status()
    sections = [
        (_("Comptes"), [Figure(_("Comptes"), total),
                        Figure(_("Adresses confirmées"), verified)]),
        (_("Courriels"), [
            Figure(_("En attente"), mail[OutboxStatus.PENDING],
                   external_url("outbox.index", statut="pending")),
            Figure(_("En échec"), mail[OutboxStatus.FAILED],
                   external_url("outbox.index", statut="failed")),
            Figure(_("Envoyés"), mail[OutboxStatus.SENT]),
        ]),
    ]
    for title, figures in signals.collect(signals.staff_figures):
        sections.append((title, [Figure(*f) for f in figures]))
    return sections
