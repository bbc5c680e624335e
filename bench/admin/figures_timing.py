"""How long the staff figures page and the annual report take on a network with a past.

Run by hand, never in the suite:
    .venv/bin/python bench/admin/figures_timing.py [SCALE] [DATABASE_URL]
It loads the demo (SCALE copies of its past events: SCALE=10 → 80 past events and about
6,000 registrations), then times the figures page, one CSV export and the annual report
PDF through the test client (server-side work only), and prints medians of 5 runs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(scale: int = 10, url: str | None = None) -> None:
    from network import create_app
    from network.admin import demo as history
    from network.core.time import PARIS, utcnow
    from network.demo import DEMO_STAFF_EMAIL, load_demo
    from network.extensions import db

    url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "SITE_URL": "http://localhost", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        load_demo()
        from network.accounts.services import get_user_by_email

        staff = get_user_by_email(DEMO_STAFF_EMAIL)
        today = utcnow().astimezone(PARIS).date()
        base = list(history.PAST_EVENTS)
        for copy in range(1, scale):
            history.PAST_EVENTS[:] = [(m, k, f"{t} ({copy + 1})", *rest)
                                      for m, k, t, *rest in base]
            history.load_history(staff=staff, today=today - timedelta(days=copy))
        history.PAST_EVENTS[:] = base
        db.session.commit()
        from network.events.models import Registration

        regs = db.session.query(Registration).count()
        print(f"{url.split(':')[0]}: {regs} registrations loaded in "
              f"{time.perf_counter() - t0:.1f} s")
        token = staff.session_token
        year = date.today().year

    client = app.test_client()
    with client.session_transaction() as sess:  # logged in as the demo staff account
        sess["_user_id"] = token
        sess["_fresh"] = True
    for label, path in (("figures page", "/equipe/chiffres"),
                        ("one CSV export", "/equipe/chiffres/presence.csv"),
                        ("annual report PDF", f"/equipe/rapport-annuel-{year}.pdf"),
                        ("to-do", "/equipe/")):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        print(f"  {label:20s} median {statistics.median(times) * 1000:7.0f} ms "
              f"(min {min(times) * 1000:.0f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10,
         sys.argv[2] if len(sys.argv) > 2 else None)
