"""Settings: every value can come from the environment (see the table in README.md)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-secret-key-change-me"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(default: str, variable: str = "DATABASE_URL") -> str:
    url = os.environ.get(variable) or default
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 explicitly.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{BASE_DIR / 'instance' / 'network.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # SQLite in WAL mode: NORMAL skips the fsync at each commit (safe against corruption; the
    # last commits may be lost on a power cut, not on a crash of the app). FULL to fsync each.
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    SITE_NAME = os.environ.get("SITE_NAME", "Réseau ESS Moselle")
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "contact-ess@example.org")
    CONTACT_PHONE = os.environ.get("CONTACT_PHONE", "03 87 00 00 00")

    # Mail: with no MAIL_SERVER the outbox keeps every message for the staff page.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Réseau ESS Moselle <ne-pas-repondre@example.org>"
    )
    MAIL_SUPPRESS_SEND = False
    # Development only: show people the mails sent to them in this browser (no SMTP needed).
    MAIL_PREVIEW = env_bool("MAIL_PREVIEW", False)
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 50)
    # A worker owns the message it sends this long; a killed worker's message comes back after.
    OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 120)

    # Tokens sent by mail.
    EMAIL_VERIFY_MAX_AGE = env_int("EMAIL_VERIFY_MAX_AGE", 3 * 24 * 3600)
    PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 3600)

    # Security.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None
    PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
    # werkzeug's method string; the testing config lowers the cost (scrypt dominates the suite).
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    # Staff accounts must enrol a second factor (TOTP) before reaching any staff page.
    STAFF_SECOND_FACTOR = env_bool("STAFF_SECOND_FACTOR", True)
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    # memory:// counts in each process: production refuses it (every worker must share one).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "network")
    # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto are trusted.
    PROXY_COUNT = env_int("PROXY_COUNT", 0)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Directory: who is told that a structure waits for validation.
    DIRECTORY_STAFF_EMAIL = os.environ.get("DIRECTORY_STAFF_EMAIL") or CONTACT_EMAIL

    # Events.
    EVENTS_GUEST_HOLD_MINUTES = env_int("EVENTS_GUEST_HOLD_MINUTES", 30)
    EVENTS_WAITLIST_OFFER_HOURS = env_int("EVENTS_WAITLIST_OFFER_HOURS", 48)
    EVENTS_ALARM_MINUTES = env_int("EVENTS_ALARM_MINUTES", 60)
    EVENTS_REMINDER_WINDOW_HOURS = env_int("EVENTS_REMINDER_WINDOW_HOURS", 36)
    EVENTS_ORGANIZER_EMAIL = os.environ.get("EVENTS_ORGANIZER_EMAIL") or CONTACT_EMAIL
    EVENTS_ORGANIZER_NAME = os.environ.get("EVENTS_ORGANIZER_NAME") or SITE_NAME
    EVENTS_CONTACT_NAME = os.environ.get("EVENTS_CONTACT_NAME", "Chargé·e de mission ESS")
    EVENTS_CONTACT_EMAIL = os.environ.get("EVENTS_CONTACT_EMAIL") or CONTACT_EMAIL
    EVENTS_CONTACT_PHONE = os.environ.get("EVENTS_CONTACT_PHONE") or CONTACT_PHONE
    # Group registration: people per request; "already registered" mails per address and event.
    EVENTS_GROUP_MAX = env_int("EVENTS_GROUP_MAX", 20)
    EVENTS_RESEND_MAX = env_int("EVENTS_RESEND_MAX", 3)
    EVENTS_RESEND_WINDOW_HOURS = env_int("EVENTS_RESEND_WINDOW_HOURS", 24)
    # Accessibility/dietary answers erased and guests anonymised this long after an event ends.
    EVENTS_RETENTION_DAYS = env_int("EVENTS_RETENTION_DAYS", 90)

    # Offers (jobs and volunteering) and the answers people send.
    OFFERS_CV_MAX_BYTES = env_int("OFFERS_CV_MAX_BYTES", 2 * 1024 * 1024)
    OFFERS_CV_RETENTION_DAYS = env_int("OFFERS_CV_RETENTION_DAYS", 180)
    OFFERS_ANSWERS_PER_HOUR = env_int("OFFERS_ANSWERS_PER_HOUR", 5)
    OFFERS_ANSWER_RATE_LIMIT = os.environ.get("OFFERS_ANSWER_RATE_LIMIT",
                                              "10 per hour;30 per day")
    OFFERS_GUEST_CONFIRM_MAX_AGE = env_int("OFFERS_GUEST_CONFIRM_MAX_AGE", 3 * 24 * 3600)
    OFFERS_ALERTS_PER_ADDRESS = env_int("OFFERS_ALERTS_PER_ADDRESS", 10)

    # Languages and time.
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("fr", "en", "de")
    DISPLAY_TIMEZONE = "Europe/Paris"

    # Templates and static files live at the top of the project.
    TEMPLATES_FOLDER = str(BASE_DIR / "templates")
    STATIC_FOLDER = str(BASE_DIR / "static")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True
    MAIL_PREVIEW = env_bool("MAIL_PREVIEW", True)


class TestingConfig(Config):
    """Only what differs for tests."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-0123456789abcdef0123456789abcdef"
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://", "TEST_DATABASE_URL")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SERVER = ""
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # Other domains' staff fixtures log in with a password only; tests/accounts turn it on.
    STAFF_SECOND_FACTOR = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
