"""CSRF, rate limits, headers, error pages, staff-only pages."""

from __future__ import annotations

import pytest

from conftest import DEFAULT_PASSWORD, REDIS_URL


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_forms_refuse_posts_without_csrf_token(csrf_on, client, make_user):
    user = make_user()
    response = client.post("/connexion", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (400, 422)
    assert client.get("/compte").status_code == 302  # not logged in
    response = client.post("/langue", data={"lang": "en"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


@pytest.fixture
def limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"


def test_repeated_wrong_passwords_are_rate_limited(limits_on, client, make_user):
    user = make_user()
    codes = [client.post("/connexion", data={"email": user.email, "password": "nope nope"})
             .status_code for _ in range(11)]
    assert codes[:10] == [422] * 10
    assert codes[10] == 429
    response = client.post("/connexion", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_security_headers_and_cookies(client, make_user):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    user = make_user()
    response = client.post("/connexion", data={"email": user.email,
                                                "password": DEFAULT_PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_no_inline_script_or_style_in_pages(client):
    for url in ("/", "/connexion", "/inscription", "/mot-de-passe-oublie", "/accessibilite"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html, url


def test_french_error_pages(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert client.get("/deconnexion").status_code == 405


def test_unexpected_errors_give_a_french_500_and_roll_back(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def test_staff_pages_refuse_other_users(client, login, make_user, make_staff):
    assert client.get("/boite-envoi/").status_code == 302
    login(make_user())
    assert client.get("/boite-envoi/").status_code == 403
    assert client.post("/boite-envoi/1/renvoyer").status_code == 403
    client.post("/deconnexion")
    login(make_staff())
    assert client.get("/boite-envoi/").status_code == 200


def test_production_refuses_the_default_secret_key(monkeypatch):
    from config import ProductionConfig
    from network import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "dev-secret-key-change-me")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_unmapped_domain_errors_render_their_status_and_message(app, client):
    from network.core.errors import Conflict

    @app.get("/conflit")
    def conflict():
        raise Conflict("Ce créneau vient d'être pris.", "slot_taken")

    response = client.get("/conflit")
    assert response.status_code == 409
    assert "Ce créneau vient d&#39;être pris." in response.get_data(as_text=True)


@pytest.fixture
def redis_limits(app_config):
    """Several gunicorn workers share their counters through Redis (running on this machine)."""
    import uuid

    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    app_config["RATELIMIT_KEY_PREFIX"] = f"network-test-{uuid.uuid4().hex}"


def test_rate_limits_are_shared_through_redis(redis_limits, app, make_user):
    from network.extensions import limiter

    user = make_user()
    with app.app_context():
        limiter.reset()  # counters left by earlier tests' apps (one limiter per process)
    first, second = app.test_client(), app.test_client()
    for _ in range(5):
        assert first.post("/connexion", data={"email": user.email,
                                              "password": "nope nope"}).status_code == 422
    codes = [second.post("/connexion", data={"email": user.email, "password": "nope nope"})
             .status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]
