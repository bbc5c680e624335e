"""How long the member list import takes: preview, real run, and the same file again.

Run by hand, never in the suite:
    .venv/bin/python bench/admin/member_import_timing.py [ROWS] [DATABASE_URL]
Builds a file of ROWS structures (a contact each, one line in ten a second contact of the
structure above, one in twenty with errors), then times, as the staff account, the preview
(whole run rolled back), the import and a second import of the same file (nothing to add),
each through `member_import.import_members` in one unit of work, committed like a request.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def member_file(rows: int) -> bytes:
    from network.directory.demo import make_siret

    territories = [("Metz", "Metz", "57000"), ("Thionville", "Thionville", "57100"),
                   ("Forbach – Boulay-Moselle", "Forbach", "57600"),
                   ("Sarreguemines – Bitche", "Bitche", "57230"),
                   ("Sarrebourg – Château-Salins", "Sarrebourg", "57400")]
    lines = ["Structure;SIRET;Forme juridique;RNA;Territoire;Commune;Code postal;Secteurs;"
             "Nom du contact;E-mail du contact;Fonction;Rôle"]
    for i in range(rows):
        territory, commune, postcode = territories[i % len(territories)]
        siret = make_siret(20_000 + i) if i % 20 else "123"
        lines.append(f"Association banc d'essai {i};{siret};Association déclarée;"
                     f"W57{2000000 + i:07d};{territory};{commune};{postcode};"
                     f"Insertion par l'activité économique;Contact {i};contact{i}@example.org;"
                     "Directrice;responsable")
        if i % 10 == 0:
            lines.append(f"Association banc d'essai {i};{siret};association;;{territory};"
                         f"{commune};{postcode};;Second {i};second{i}@example.org;;éditeur")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main(rows: int = 500, url: str | None = None) -> None:
    from network import create_app
    from network.extensions import db

    url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "SITE_URL": "http://localhost"})
    raw = member_file(rows)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from network.accounts import services as accounts
        from network.admin import member_import
        from network.core.auth import System
        from network.directory import reference

        reference.ensure_reference_data()
        staff = accounts.create_staff("equipe@example.org", acting=System("bench"),
                                      name="Équipe", password="banc-d-essai-2026-long")
        db.session.commit()
        print(f"{url.split(':')[0]}: {rows} structures, {len(raw) // 1024} kB")
        for label, commit in (("preview", False), ("import", True), ("same file again", True)):
            t0 = time.perf_counter()
            result = member_import.import_members(raw, acting=staff, commit=commit)
            db.session.commit()
            elapsed = time.perf_counter() - t0
            print(f"  {label:16} {elapsed:6.2f} s  ({1000 * elapsed / len(result.lines):.1f} ms"
                  f"/line) created={result.count('created')} invited={result.invited()} "
                  f"errors={len(result.errors)}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500,
         sys.argv[2] if len(sys.argv) > 2 else None)
