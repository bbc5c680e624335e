"""Domain events (blinker, as pretix's `signals.py`): a domain announces, others subscribe.

Senders never import their subscribers, so domains stay decoupled and no registry lives in
process memory beyond the connections made at import time (identical in every worker).
Receivers run inside the sender's unit of work: they flush, never commit.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

# --- personal data (GDPR) ----------------------------------------------------------------
#: sender=user; each receiver returns (section_name, data) for the export.
personal_data_export = _signals.signal("personal-data-export")
#: sender=user, before the account row is deleted; each receiver deletes or frees its rows.
personal_data_erase = _signals.signal("personal-data-erase")

# --- staff figures -------------------------------------------------------------------------
#: sender=None; each receiver returns (section_title, [(label, value, url | None), ...]).
staff_figures = _signals.signal("staff-figures")
#: sender=year (int), start=datetime, end=datetime (UTC, end excluded): each receiver returns
#: a `network.admin.report.Section`-shaped tuple (title, header, rows, summary) for the
#: network's annual report (PDF and CSV), e.g. ESSpresso meetings, forum offers and hires.
annual_report_sections = _signals.signal("annual-report-sections")
#: sender=None, now=datetime (UTC): each receiver returns a list of to-do sections for the
#: staff dashboard, each a tuple (key, title, count, items, more_link) where items are
#: (title, detail, link, link_label) tuples (e.g. ESSpresso sessions to schedule, forum
#: stands waiting); `network.admin.todo` shows them after its own.
staff_todo = _signals.signal("staff-todo")

# --- mail ----------------------------------------------------------------------------------
#: sender=OutboxMessage, now=datetime: the server refused the address for good (5xx).
mail_refused = _signals.signal("mail-refused")

# --- accounts, directory, events -------------------------------------------------------------
#: sender=User: the address has just been verified (guest data may now be attached).
email_verified = _signals.signal("email-verified")
#: sender=Organisation, acting=actor: staff approved a structure.
structure_approved = _signals.signal("structure-approved")
#: sender=Registration: a seat is confirmed (direct, by mail link, or from the waitlist).
registration_confirmed = _signals.signal("registration-confirmed")
#: sender=Registration: a registration was cancelled (by the person, staff or the system).
registration_cancelled = _signals.signal("registration-cancelled")
#: sender=Registration, acting=actor: someone was let in at the door.
checkin_created = _signals.signal("checkin-created")
#: sender=User: each receiver returns a list of `events.ical.IcsEvent` for the person's own
#: calendar feed (ESSpresso meetings beside the events they registered for).
personal_calendar = _signals.signal("personal-calendar")

# --- offers ------------------------------------------------------------------------------------
#: sender=Offer, now=datetime: an offer has just gone online (saved-search alerts listen).
offer_published = _signals.signal("offer-published")


def collect(signal: Any, sender: Any = None, **kwargs: Any) -> list[Any]:
    """The non-None return values of every receiver, in a stable order (by receiver name)."""
    results = signal.send(sender, **kwargs)
    results.sort(key=lambda pair: f"{pair[0].__module__}.{pair[0].__qualname__}")
    return [value for _receiver, value in results if value is not None]
