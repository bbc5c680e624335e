"""No input answers 500 (issue #9, items 9 and 11): bounded ids and pages, characters no
database stores, and a lost database connection answered 503 (a safe request retried once).

The connection is broken for real: on PostgreSQL the backend is killed with
`pg_terminate_backend`; on SQLite the DBAPI connection is closed under SQLAlchemy's feet,
which SQLite's dialect recognises as a disconnect ("Cannot operate on a closed database").
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from conftest import DEFAULT_PASSWORD

NUL_MESSAGE = "Caractère non autorisé"


# --- ids and pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/evenements/2147483648", "/annuaire/2147483648", "/annuaire/9223372036854775808",
    "/annuaire/18446744073709551616", "/api/v1/structures/2147483648",
    "/evenements/99999999999999999999999999/agenda.ics",
])
def test_ids_beyond_the_database_integer_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_the_largest_id_still_reaches_the_view(client):
    response = client.get("/annuaire/2147483647")
    assert response.status_code == 404  # the view's own "unknown structure"
    assert client.post("/evenements/gestion/2147483648/accueil").status_code == 404


def test_api_404_is_json(client):
    response = client.get("/api/v1/structures/2147483648")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"] == "not_found" and response.get_json()["erreur"]


@pytest.mark.parametrize("query", [
    "page=9223372036854775808", "page=99999999999999999999999", "page=-5", "page=x",
    "page=2147483648&per_page=100", "per_page=9223372036854775808",
])
def test_huge_pages_never_overflow(client, query, make_staff, login):
    assert client.get(f"/annuaire/?{query}").status_code == 200
    response = client.get(f"/api/v1/structures?{query}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    login(make_staff())
    for path in ("/boite-envoi/", "/equipe/comptes", "/annuaire/gestion/structures",
                 "/evenements/gestion/"):
        assert client.get(f"{path}?{query}").status_code == 200, path


# --- characters no database stores ------------------------------------------------------------

def _refused(response) -> bool:
    return response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_nul_anywhere_is_refused_with_a_french_message(client, make_user, db):
    from network.accounts.models import User

    assert _refused(client.get("/annuaire/?q=caf%00e"))
    assert _refused(client.get("/evenements/?territoire=metz%00"))
    assert _refused(client.get("/evenements/badge/AB%00CD"))
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/inscription", data={
        "name": "Eve\x00", "email": "eve@example.org", "password": DEFAULT_PASSWORD,
        "password_confirm": DEFAULT_PASSWORD, "accept_privacy": "y"})
    assert _refused(response)
    assert client.post("/inscription", data={"name\x00": "x"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_nul_and_lone_surrogates_in_json_are_refused_as_json(client):
    for body in ('{"q": "a\\u0000b"}', '{"q": ["\\ud800"]}', '{"\\udfff": 1}'):
        response = client.post("/api/v1/structures", data=body,
                               content_type="application/json")
        assert response.status_code == 400 and response.is_json, body
        assert response.get_json()["error"] == "invalid_character"


def test_ordinary_text_is_untouched(client):
    assert client.get("/annuaire/?q=%C3%A9conomie+%E2%80%AE").status_code == 200


# --- a lost database connection ---------------------------------------------------------------

class Breaker:
    """Breaks the app's database connection for real, `times` times, at the next SQL
    statement or at the next commit."""

    def __init__(self, engine, *, at: str = "execute", times: int = 1):
        self.engine, self.at, self.left = engine, at, times
        self.broken = 0
        name = "before_cursor_execute" if at == "execute" else "commit"
        event.listen(engine, name, self._hook)

    def _hook(self, conn, *args):
        if self.left <= 0:
            return
        self.left -= 1
        self.broken += 1
        dbapi = conn.connection.dbapi_connection
        if self.engine.dialect.name == "postgresql":
            import psycopg

            pid = dbapi.info.backend_pid
            url = self.engine.url.set(drivername="postgresql")
            with psycopg.connect(url.render_as_string(hide_password=False),
                                 autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        else:
            dbapi.close()

    def remove(self):
        name = "before_cursor_execute" if self.at == "execute" else "commit"
        event.remove(self.engine, name, self._hook)


@pytest.fixture
def breaker(app, db):
    made = []

    def make(**kwargs):
        b = Breaker(db.engine, **kwargs)
        made.append(b)
        return b

    yield make
    for b in made:
        b.remove()


def test_a_safe_request_that_loses_the_connection_is_retried_once(client, breaker):
    b = breaker(at="execute", times=1)
    response = client.get("/annuaire/")
    assert b.broken == 1
    assert response.status_code == 200 and "Annuaire" in response.get_data(as_text=True)


def test_a_safe_request_that_loses_it_twice_gets_503_in_french(client, breaker):
    b = breaker(at="execute", times=2)
    response = client.get("/annuaire/")
    assert b.broken == 2
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    html = response.get_data(as_text=True)
    assert "réessayez dans un instant" in html and "Erreur du serveur" not in html
    assert client.get("/annuaire/").status_code == 200  # and the next one works


def test_a_write_that_loses_the_connection_gets_503_and_writes_nothing(client, breaker, db):
    from network.accounts.models import User

    before = db.session.scalar(select(func.count()).select_from(User))
    b = breaker(at="execute", times=1)
    response = client.post("/inscription", data={
        "name": "Eve Lost", "email": "eve.lost@example.org", "password": DEFAULT_PASSWORD,
        "password_confirm": DEFAULT_PASSWORD, "accept_privacy": "y"})
    assert b.broken == 1  # not replayed: a POST is not safe
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "réessayez dans un instant" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_commit_that_loses_the_connection_gets_503_and_keeps_nothing(client, breaker, db):
    from network.accounts.models import User

    before = db.session.scalar(select(func.count()).select_from(User))
    b = breaker(at="commit", times=1)
    response = client.post("/inscription", data={
        "name": "Eve Commit", "email": "eve.commit@example.org", "password": DEFAULT_PASSWORD,
        "password_confirm": DEFAULT_PASSWORD, "accept_privacy": "y"})
    assert b.broken == 1
    assert response.status_code == 503
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert db.session.scalar(select(User).where(User.email == "eve.commit@example.org")) is None


def test_the_api_answers_503_as_json(client, breaker):
    breaker(at="execute", times=2)
    response = client.get("/api/v1/structures")
    assert response.status_code == 503 and response.is_json
    assert response.get_json()["error"] == "unavailable"
    assert response.headers["Retry-After"]


def test_a_logged_in_page_survives_a_lost_connection(client, login, make_user, breaker):
    login(make_user())
    b = breaker(at="execute", times=1)
    response = client.get("/compte")
    assert b.broken == 1 and response.status_code == 200


def test_every_connection_killed_between_requests_is_replaced(app, client, db):
    """A database restart between two requests: the pool's pre-ping reconnects."""
    assert client.get("/annuaire/").status_code == 200
    if db.engine.dialect.name == "postgresql":
        import psycopg

        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as other:
            killed = other.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert killed >= 1
    else:  # close every pooled SQLite connection under the pool's feet
        pool = db.engine.pool
        closed = 0
        for record in list(pool._pool.queue):
            record.dbapi_connection.close()
            closed += 1
        assert closed >= 1
    for _ in range(3):
        assert client.get("/annuaire/").status_code == 200


def test_a_bug_is_still_a_500_not_a_503(app, client):
    """Only a lost database is "try again": a query error stays a server error."""
    from network.extensions import db

    @app.get("/requete-fausse")
    def broken_query():
        db.session.execute(text("SELECT * FROM no_such_table"))

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/requete-fausse").status_code == 500


# --- the rules every form field of a kind obeys (network/core/forms.py) -----------------------

@pytest.mark.parametrize(("start", "count", "ok"), [
    ("2026-12-02T16:30", "12", True),
    ("0001-01-01T00:00", "12", False),
    ("9999-12-31T23:59", "12", False),
    ("2026-12-02T16:30", str(2**63), False),
    ("2026-12-02T16:30", str(-(2**31)), False),
])
def test_every_date_and_integer_field_is_bounded(app, start, count, ok):
    from werkzeug.datastructures import MultiDict
    from wtforms import DateTimeLocalField, IntegerField
    from wtforms.validators import Optional

    from network.core.forms import Form

    class Sample(Form):
        start_at = DateTimeLocalField("Début", format="%Y-%m-%dT%H:%M")
        count = IntegerField("Nombre", validators=[Optional()])

    with app.test_request_context(method="POST"):
        form = Sample(MultiDict({"start_at": start, "count": count}))
        assert form.validate() is ok, form.errors
        if not ok:
            message = " ".join(form.errors.get("start_at", []) + form.errors.get("count", []))
            assert "entre 1900 et 2100" in message or "trop grand" in message
