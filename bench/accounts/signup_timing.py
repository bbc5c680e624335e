"""Sign-up takes as long for a known address as for a new one (issue #9, item 5).

Run by hand, never in the suite:  .venv/bin/python bench/accounts/signup_timing.py [N]
It times the sign-up service with the production password hash (scrypt) on a fresh
SQLite database, for new, known-verified and known-unverified addresses, and prints the
medians; the tests check the code paths (one hash, one mail in each), not times.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PASSWORD = "une phrase assez longue pour la Moselle"


def main(n: int = 20) -> None:
    from network import create_app
    from network.accounts import services
    from network.core.time import utcnow
    from network.extensions import db

    path = Path(tempfile.mkdtemp()) / "bench.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "PASSWORD_HASH_METHOD": "scrypt", "SITE_URL": "http://localhost"})
    with app.app_context(), app.test_request_context():
        db.create_all()
        for i in range(n):
            services.sign_up(name="Connu", email=f"verifie{i}@example.org", password=PASSWORD)
            services.sign_up(name="Connu", email=f"attente{i}@example.org", password=PASSWORD)
            services.get_user_by_email(f"verifie{i}@example.org").email_verified_at = utcnow()
        db.session.commit()
        times: dict[str, list[float]] = {"nouvelle": [], "connue, confirmée": [],
                                         "connue, non confirmée": []}
        for i in range(n):
            for label, address in (("nouvelle", f"nouveau{i}@example.org"),
                                   ("connue, confirmée", f"verifie{i}@example.org"),
                                   ("connue, non confirmée", f"attente{i}@example.org")):
                start = time.perf_counter()
                services.sign_up(name="Quelqu'un", email=address, password=PASSWORD)
                db.session.commit()
                times[label].append((time.perf_counter() - start) * 1000)
        for label, values in times.items():
            print(f"{label:24} médiane {statistics.median(values):6.1f} ms   "
                  f"min {min(values):6.1f}   max {max(values):6.1f}   (n={n})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
