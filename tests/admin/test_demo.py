"""The demo looks like a network with a past: charts have something to show, and the outbox
holds only mail someone would have sent."""

from __future__ import annotations


def test_demo_history_fills_the_charts_and_leaves_no_loading_mail(app, runner, db):
    from network.admin import figures
    from network.demo import DEMO_STAFF_EMAIL
    from network.events.models import Registration
    from network.outbox.models import OutboxMessage, OutboxStatus

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    pending = db.session.query(OutboxMessage).filter_by(status=OutboxStatus.PENDING).all()
    # Only the demo member's own registration confirmations (with their badges) are waiting.
    assert pending and {(m.kind, m.to_address) for m in pending} == {
        ("event_confirmed", "membre@example.org")}
    assert not any(m.to_address == DEMO_STAFF_EMAIL for m in pending)
    f = figures.parse_filters({})
    over_time = figures.members_over_time(f).rows
    assert over_time[0][1] < over_time[-1][1]  # members joined over the months
    per_month = [v for _m, v in figures.registrations_per_month(f).rows]
    assert sum(1 for v in per_month if v) >= 6
    rates = dict(figures.attendance_rate(f).rows)
    assert len(rates) == 8 and all(50 <= r <= 100 for r in rates.values())
    assert sum(v for _t, v in figures.waitlist_use(f).rows) > 0
    assert db.session.query(Registration).filter(Registration.checked_in_at.is_not(None)) \
        .count() > 300
    count = db.session.query(Registration).count()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and db.session.query(Registration).count() == count
