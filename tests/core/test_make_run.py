"""`make run PORT=5101` puts that port into SITE_URL (the links of mail and staff pages),
unless SITE_URL is set. The real Makefile runs, with a stand-in virtualenv whose `flask`
records what it was given instead of serving."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_venv(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is needed by `make run` and must be installed")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    for name in ("python", "pybabel", "flask"):
        script = venv / "bin" / name
        script.write_text(f'#!/bin/sh\necho "{name} $* SITE_URL=$SITE_URL" >> {log}\n')
        script.chmod(0o755)
    (venv / ".installed").touch()
    os.utime(venv / ".installed", (2**31 - 1, 2**31 - 1))  # newer than pyproject.toml
    return venv, log


def run_make(venv: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    environment.update(env or {})
    return subprocess.run(["make", "-C", str(ROOT), "run", f"VENV={venv}", *args],
                          env=environment, capture_output=True, text=True, timeout=60)


def test_site_url_follows_the_port(fake_venv):
    venv, log = fake_venv
    result = run_make(venv, "PORT=5101")
    assert result.returncode == 0, result.stderr
    calls = [line for line in log.read_text().splitlines() if line.startswith("flask")]
    assert [c.split()[3] for c in calls] == ["db", "demo", "run"]
    assert all(c.endswith("SITE_URL=http://127.0.0.1:5101") for c in calls), calls
    assert "--port 5101" in calls[-1]


def test_a_site_url_that_is_set_wins(fake_venv):
    venv, log = fake_venv
    result = run_make(venv, "PORT=5101", env={"SITE_URL": "https://ess.example.org"})
    assert result.returncode == 0, result.stderr
    calls = [line for line in log.read_text().splitlines() if line.startswith("flask")]
    assert calls and all(c.endswith("SITE_URL=https://ess.example.org") for c in calls)
