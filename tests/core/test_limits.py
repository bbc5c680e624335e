"""Limits that hold with several workers behind a proxy (issue #9, item 13)."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import pytest

from conftest import DEFAULT_PASSWORD, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("storage", ["memory://", "", "  memory://  "])
def test_production_refuses_a_per_process_limiter_storage(monkeypatch, storage):
    from config import ProductionConfig
    from network import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", storage)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(ProductionConfig)


def test_production_starts_with_redis(monkeypatch, database_uri):
    from config import ProductionConfig
    from network import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", database_uri)
    app = create_app(ProductionConfig)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_development_may_keep_memory():
    from network import create_app

    app = create_app("development")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def _wrong_login(client, user, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/connexion", data={"email": user.email, "password": "nope nope"},
                       headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code


@pytest.fixture
def limits_behind_proxy(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      PROXY_COUNT=1)


def test_behind_a_proxy_each_visitor_has_its_own_limit(limits_behind_proxy, client, make_user):
    user = make_user()
    first = [_wrong_login(client, user, "203.0.113.7") for _ in range(11)]
    assert first == [422] * 10 + [429]
    # Another visitor through the same nginx (same REMOTE_ADDR) is not locked out...
    assert _wrong_login(client, user, "203.0.113.8") == 422
    # ...and the first cannot slip past by adding a forged address in front of the real one:
    # with one proxy, only the address that proxy appended is trusted.
    assert _wrong_login(client, user, "198.51.100.1, 203.0.113.7") == 429
    response = client.post("/connexion", data={"email": user.email,
                                                "password": DEFAULT_PASSWORD},
                           headers={"X-Forwarded-For": "203.0.113.7"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429


@pytest.fixture
def limits_without_proxy(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      PROXY_COUNT=0)


def test_without_a_proxy_forwarded_headers_are_ignored(limits_without_proxy, client, make_user):
    user = make_user()
    codes = [_wrong_login(client, user, f"203.0.113.{n}") for n in range(11)]
    assert codes == [422] * 10 + [429]  # a forged header per attempt changes nothing


def test_behind_a_proxy_the_scheme_is_the_proxys(limits_behind_proxy, app, client):
    @app.get("/schema-vu")
    def seen():
        from flask import request

        return f"{request.scheme} {request.remote_addr}"

    response = client.get("/schema-vu", headers={"X-Forwarded-For": "203.0.113.9",
                                                 "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "https 203.0.113.9"


def test_two_gunicorn_workers_on_redis_share_the_log_in_limit():
    """Real processes: gunicorn with 2 workers, production settings, Redis, one proxy."""
    spec = importlib.util.spec_from_file_location("bench_limits",
                                                  ROOT / "bench" / "limits" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.run("production", REDIS_URL, 2, 13,
                        ["203.0.113.7", "203.0.113.8"])
    for visitor, codes in results.items():
        assert sum(code != 429 for code in codes) == bench.LIMIT, (visitor, codes)
        assert codes[-1] == 429
