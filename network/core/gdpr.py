"""A person's data across domains: export and erasure ask every domain through signals."""

from __future__ import annotations

from typing import Any

from network.core import signals


def export_sections(user: Any) -> dict[str, Any]:
    return dict(sorted(signals.collect(signals.personal_data_export, user)))


def erase_everywhere(user: Any) -> None:
    signals.personal_data_erase.send(user)
