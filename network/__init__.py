"""Réseau ESS Moselle: the application factory."""

from __future__ import annotations

import os

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import format_datetime
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from config import CONFIGS


def create_app(config: str | type | dict | None = None) -> Flask:
    from config import Config

    app = Flask(__name__, template_folder=Config.TEMPLATES_FOLDER,
                static_folder=Config.STATIC_FOLDER, instance_relative_config=True)
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["testing"] if config.get("TESTING") else Config)
        app.config.update(config)
    else:
        name = config if isinstance(config, str) else os.environ.get("NETWORK_ENV", "development")
        app.config.from_object(config if isinstance(config, type) else CONFIGS[name])
    from network.core.tokens import check_secret_key

    check_secret_key(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["SQLALCHEMY_DATABASE_URI"][10:]) or ".",
                    exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_unit_of_work(app)
    register_errors(app)
    register_templates(app)
    register_security_headers(app)
    return app


def register_extensions(app: Flask) -> None:
    from network import models  # noqa: F401  every domain's tables, for Alembic and create_all
    from network.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Europe/Paris")
    limiter.init_app(app)

    from network.accounts.services import get_user_by_session_token

    login_manager.user_loader(get_user_by_session_token)


def _tune_sqlite(app: Flask) -> None:
    """WAL and a busy timeout so that several workers share the file without 'database locked'."""
    from sqlalchemy import event

    from network.extensions import db

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
                sync = app.config.get("SQLITE_SYNCHRONOUS", "NORMAL")
                sync = sync if sync in ("NORMAL", "FULL") else "FULL"
                cursor.execute(f"PRAGMA synchronous={sync}")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()


def _select_locale() -> str:
    if not has_request_context():  # mail rendered by a service or the CLI: French
        return "fr"
    lang = session.get("lang")
    if lang in ("fr", "en"):
        return lang
    return "fr"


def register_blueprints(app: Flask) -> None:
    """Every domain is always installed: listed here, in the open (cookiecutter-flask)."""
    from network.accounts import views as accounts
    from network.admin import views as admin
    from network.directory import views as directory
    from network.esspresso import views as esspresso
    from network.events import checkin_api as door_api
    from network.events import door_views as door
    from network.events import views as events
    from network.main import seo
    from network.main import views as main
    from network.offers import views as offers
    from network.outbox import views as outbox

    for module in (main, seo, accounts, outbox, directory, events, door, door_api, esspresso,
                   offers, admin):
        app.register_blueprint(module.bp)


def register_cli(app: Flask) -> None:
    from network import demo
    from network.accounts import cli as accounts
    from network.esspresso import cli as esspresso
    from network.events import cli as events
    from network.offers import cli as offers
    from network.outbox import cli as outbox

    for module in (demo, accounts, outbox, events, esspresso, offers):
        app.cli.add_command(module.cli)


def register_unit_of_work(app: Flask) -> None:
    """Each request is one transaction, committed or rolled back at the edge (core/uow.py)."""
    from network.core import uow

    uow.init_app(app)


ERROR_TEXT = {
    400: ("Requête incorrecte", "La demande n'a pas pu être comprise. Vérifiez le lien ou le "
          "formulaire, puis réessayez."),
    403: ("Accès refusé", "Vous n'avez pas le droit d'accéder à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou a été déplacée."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    409: ("Conflit", "Cette action entre en conflit avec une autre modification. "
          "Rechargez la page et réessayez."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée."),
    422: ("Données invalides", "Certaines informations ne sont pas valides."),
    429: ("Trop de tentatives", "Vous avez fait trop de demandes en peu de temps. Patientez "
          "quelques minutes avant de réessayer."),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite. Rien n'a été perdu de ce "
          "qui était déjà enregistré ; l'équipe a été prévenue. Réessayez dans un instant."),
}


def register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from network.core.errors import DomainError
    from network.extensions import db

    def render(code: int, detail: str | None = None):
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[500 if code >= 500 else 400])
        return render_template("errors/error.html", code=code, title=title,
                               text=detail or text), code

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        """A refusal no view mapped to a field: its own words and status (JSON on the API)."""
        from network.core.web import api_error, wants_json

        db.session.rollback()
        if wants_json():
            return api_error(err)
        return render(err.status if err.status in ERROR_TEXT else 400, err.message)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render(400, "Le formulaire a expiré ou n'a pas été envoyé depuis ce site. "
                           "Rechargez la page et réessayez.")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code is None or err.code < 400:
            return err
        return render(err.code)

    @app.errorhandler(Exception)
    def server_error(err: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render(500)


def register_templates(app: Flask) -> None:
    from network.core.time import to_paris

    @app.template_filter("paris")
    def paris_filter(value, fmt: str = "EEEE d MMMM y 'à' HH'h'mm"):
        if value is None:
            return ""
        return format_datetime(to_paris(value), fmt)

    @app.context_processor
    def globals_():
        return {
            "has_endpoint": lambda name: name in app.view_functions,
            "current_lang": _select_locale(),
            "site_name": app.config["SITE_NAME"],
            "is_staff": has_request_context() and current_user.is_authenticated
            and current_user.is_staff,
        }


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "media-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
