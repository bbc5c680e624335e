"""ESSpresso agendas, the day and impact at the demo's scale, run by hand (never in tests).

Loads the demo (published session: 80 participants, ~110 meetings) into a fresh database,
then times in-process: every participant's agenda as .ics and PDF, the table plan and the
sheets (PDF), the room screen's data, and the impact figures with their CSV.

    DATABASE_URL=sqlite:////tmp/bench-day.db .venv/bin/python bench/esspresso/bench_day.py
    DATABASE_URL=postgresql://postgres@127.0.0.1/bench_day .venv/bin/python \
        bench/esspresso/bench_day.py

The database must exist and be empty (`flask db upgrade` is run here).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    out = None
    started = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return (time.perf_counter() - started) / repeat, out


def main() -> None:
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "network"]
    subprocess.run([*flask, "db", "upgrade"], check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], check=True, capture_output=True)

    from sqlalchemy import select

    from network import create_app
    from network.core.auth import System
    from network.core.time import utcnow
    from network.esspresso import agendas, impact, room
    from network.extensions import db
    from network.meetings.models import MeetingSession
    from network.meetings.scheduling import list_participants

    app = create_app()
    with app.test_request_context():
        session = db.session.scalar(select(MeetingSession).where(
            MeetingSession.kind == "esspresso"))
        people = list_participants(session)
        ics, pdf = [], []
        for p in people:
            ics.append(timed(lambda p=p: agendas.agenda_ics(session, p))[0])
            pdf.append(timed(lambda p=p: agendas.agenda_pdf(session, p))[0])
        system = System("bench")
        plan, _ = timed(lambda: room.table_plan_pdf(session, acting=system), 3)
        sheets, _ = timed(lambda: room.table_sheets_pdf(session, acting=system), 3)
        screen, _ = timed(lambda: room.screen(session, utcnow()), 10)

        class Staff:
            is_authenticated = True
            is_staff = True

        fig_t, fig = timed(lambda: impact.figures(acting=Staff()), 5)
        csv_t, _ = timed(lambda: impact.csv_export(fig), 5)
        print(f"engine {db.engine.dialect.name}: {len(people)} participants, "
              f"{fig.totals.meetings} meetings, {session.tables_count} tables, "
              f"{len(session.slots)} slots")
        for name, values in (("agenda .ics", ics), ("agenda PDF", pdf)):
            print(f"  {name}: median {statistics.median(values) * 1000:.1f} ms, "
                  f"max {max(values) * 1000:.1f} ms, all {sum(values):.2f} s")
        print(f"  table plan PDF {plan * 1000:.0f} ms; sheets PDF ({session.tables_count} "
              f"pages) {sheets * 1000:.0f} ms; room screen data {screen * 1000:.1f} ms")
        print(f"  impact figures {fig_t * 1000:.1f} ms; CSV {csv_t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
