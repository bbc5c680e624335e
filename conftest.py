"""Root fixtures: a fresh database per test, factories, a real SMTP server, a real browser."""

from __future__ import annotations

import contextvars
import os
import socket
import tempfile
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from config import database_url

ROOT = Path(__file__).resolve().parent
DEFAULT_PASSWORD = "correct horse battery staple moselle"
CHROMIUM = "/usr/bin/chromium"
#: The Redis the limiter tests share counters through; `.ci/run` gives each pass its own
#: database, since the two passes run side by side and a limiter reset clears its database.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return database_url(url)
    fd, path = tempfile.mkstemp(prefix="network-test-", suffix=".db")
    os.close(fd)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_uri():
    uri = _test_database_url()
    yield uri
    if uri.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(uri[len("sqlite:///"):] + suffix).unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_config(database_uri):
    """Overrides of TestingConfig; tests may update this dict before `app` is first used."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "MAIL_PREVIEW": False,
        "SITE_URL": "http://localhost",
    }


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, `g` and DB session, as in production.

    The test's own context stays pushed for factories and service calls; after each
    request its session is expired so that the test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            from network.extensions import db

            db.session.expire_all()
        return response


@pytest.fixture
def app(app_config):
    from network import create_app
    from network.extensions import db

    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()


_EMPTY_STATEMENTS: dict[str, Any] = {}


def _empty_tables(db) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            for table in tables:
                conn.execute(table.delete())
            return
        # One round trip: DELETE every table (children first) and restart the sequences, in
        # a DO block. TRUNCATE of ~50 tables cost 0.32 s a test (it recreates each table's
        # files), a quarter of the PostgreSQL pass; this costs 0.04 s.
        key = str(db.engine.url)
        if key not in _EMPTY_STATEMENTS:
            sequences = conn.execute(text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                "FROM pg_sequences WHERE schemaname = current_schema()")).scalars().all()
            _EMPTY_STATEMENTS[key] = text(
                "DO $$BEGIN " + "".join(f'DELETE FROM "{t.name}";' for t in tables)
                + "".join(f"ALTER SEQUENCE {name} RESTART;" for name in sequences) + " END$$")
        try:
            with conn.begin_nested():
                conn.execute(_EMPTY_STATEMENTS[key])
        except Exception:  # a test changed the schema under us: the slow, sure way
            _EMPTY_STATEMENTS.pop(key, None)
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(app):
    from network.extensions import db

    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db):
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import utcnow

    counter = {"n": 0}
    hashed = generate_password_hash(DEFAULT_PASSWORD, method="scrypt")

    def make(**overrides) -> User:
        counter["n"] += 1
        n = counter["n"]
        values = {
            "email": f"personne{n}@example.org",
            "name": f"Personne {n}",
            "password_hash": hashed,
            "email_verified_at": utcnow(),
        }
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_staff(make_user):
    def make(**overrides):
        return make_user(is_staff=True, **overrides)

    return make


@pytest.fixture
def make_org(db, make_user):
    from network.accounts import services
    from network.accounts.models import OrganisationKind

    def make(owner=None, *, name="Association Exemple", kind=OrganisationKind.STRUCTURE):
        org = services.create_organisation(owner or make_user(), name=name, kind=kind)
        db.session.commit()
        return org

    return make


@pytest.fixture
def login(client):
    def do(user, password: str = DEFAULT_PASSWORD, *, on=None):
        target = on or client
        response = target.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target

    return do


# --- a real SMTP server ---------------------------------------------------------------------

class SMTPSink:
    """Stores every message the real aiosmtpd server accepts."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(msg)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} mail(s), got {len(self.messages)}")

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


class RefusingSink(SMTPSink):
    """A real SMTP server that refuses `inexistant@…` for good (550) and answers `occupe@…`
    with a temporary 450; other addresses are received as usual."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("inexistant@"):
            return "550 5.1.1 Adresse inexistante"
        if address.startswith("occupe@"):
            return "450 4.2.1 Boite pleine, reessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(app_config):
    """Point the app (use before `app`) at a server that refuses some addresses."""
    from aiosmtpd.controller import Controller

    sink, port = RefusingSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app_config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port})
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_config(app_config, smtp_server):
    """Point the app at the real SMTP server (use before `app`)."""
    app_config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port,
                       "MAIL_SUPPRESS_SEND": False})
    return smtp_server


# --- a real browser (pytest-playwright on Debian's chromium) ---------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Once, here: the browser is shared by the whole run (see shared/TESTING.md)."""
    args = [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={fake_camera_file()}",
    ]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


def fake_camera_file() -> str:
    """The .y4m file the fake camera shows; tests rewrite it before opening the camera."""
    return str(Path(tempfile.gettempdir()) / f"network-fake-camera-{os.getpid()}.y4m")


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app_config):
    """The app served over real HTTP from a thread, for the browser and concurrent clients."""
    from network import create_app
    from network.extensions import db

    app = create_app(app_config)
    server = LiveServer(app)
    app.config["SITE_URL"] = server.url  # links in mail point at this server
    with app.app_context():
        db.create_all()
    server.app = app
    server.start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            _empty_tables(db)
            db.engine.dispose()
