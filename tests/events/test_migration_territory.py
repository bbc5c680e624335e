"""The revision that turns an event's territory code into a key keeps every event's place."""

from __future__ import annotations

from core.test_migrations import empty_database, flask  # noqa: F401 (a fixture)
from sqlalchemy import create_engine, text

EVENT_COLUMNS = ("kind, title, subtitle, description, start_at, end_at, venue_name, "
                 "venue_room, venue_address, territory, organiser, partners, seats_taken, "
                 "is_members_only, status, asks_organisation, asks_accessibility, asks_dietary, "
                 "asks_list_consent, asks_photo_consent, sequence, uid, created_at, updated_at")


def _add_event(conn, uid: str, territory: str) -> None:
    conn.execute(text(
        f"INSERT INTO events ({EVENT_COLUMNS}) VALUES ('EVENING', 'Soirée', '', '', "
        "'2030-01-01 18:00:00', '2030-01-01 20:00:00', '', '', '', :t, '', '', 0, false, "
        "'PUBLISHED', true, true, false, true, true, 0, :u, '2026-01-01 00:00:00', "
        "'2026-01-01 00:00:00')"), {"t": territory, "u": uid})


def test_old_codes_map_to_the_directory_territories(empty_database):  # noqa: F811
    assert flask("db", "upgrade", "6fd250846a7f", url=empty_database).returncode == 0
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO directory_territories (code, name, position, is_active) "
                          "VALUES ('metz', 'Metz (annuaire)', 0, true)"))
        _add_event(conn, "a", "metz")
        _add_event(conn, "b", "pays-haut")  # a code the directory never had
    upgrade = flask("db", "upgrade", url=empty_database)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT e.uid, t.code FROM events e JOIN directory_territories t "
            "ON t.id = e.territory_id")).all())
        assert rows == {"a": "metz", "b": "pays-haut"}
        names = dict(conn.execute(text("SELECT code, name FROM directory_territories")).all())
        assert names["metz"] == "Metz (annuaire)"  # the directory's row is reused, not copied
    downgrade = flask("db", "downgrade", "6fd250846a7f", url=empty_database)
    assert downgrade.returncode == 0, downgrade.stderr[-3000:]
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT uid, territory FROM events")).all())
    assert back == {"a": "metz", "b": "pays-haut"}
    engine.dispose()
