"""Production refuses a weak SECRET_KEY (issue #9, item 4); development and tests keep theirs."""

from __future__ import annotations

import pytest

from config import DEFAULT_SECRET_KEY, ProductionConfig
from conftest import REDIS_URL
from network.core.tokens import secret_key_problem

STRONG = "k7Qz-1pX9_vR3mW8aL2nY6tB0cD5eF4gH"


@pytest.mark.parametrize("key", ["", "x", DEFAULT_SECRET_KEY, "a" * 64, "abcabcabc" * 5,
                                 "0123456789abcdef0123456789abcde"])  # 31 characters
def test_production_refuses_to_start_with_a_weak_key(monkeypatch, key):
    from network import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_a_strong_key(monkeypatch):
    from network import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", STRONG)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    # Production also wants a limiter storage shared by every worker (never memory://).
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", REDIS_URL,
                        raising=False)
    assert create_app(ProductionConfig).config["SECRET_KEY"] == STRONG


def test_the_rule():
    assert secret_key_problem(STRONG) is None
    assert "32" in secret_key_problem("short-but-varied-key!")
    assert "default" in secret_key_problem(DEFAULT_SECRET_KEY)
    assert secret_key_problem(None) == "SECRET_KEY is not set"


def test_development_keeps_its_default():
    from config import DevelopmentConfig
    from network import create_app

    assert create_app(DevelopmentConfig).config["SECRET_KEY"] == DEFAULT_SECRET_KEY
