"""Alembic migrations build the whole schema on an empty database and match the models."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import database_url

ROOT = Path(__file__).resolve().parents[2]


def flask(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "NETWORK_ENV": "development"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "network", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new database on the engine under test."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(database_url(server))
    name = f"network_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # template0 accepts no connections, so no concurrent session can block the copy.
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_then_models_match(empty_database):
    upgrade = flask("db", "upgrade", url=empty_database)
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    check = flask("db", "check", url=empty_database)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-3000:]
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    downgrade = flask("db", "downgrade", "base", url=empty_database)
    assert downgrade.returncode == 0, downgrade.stderr[-3000:]
