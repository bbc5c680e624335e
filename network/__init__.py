"""Réseau ESS Moselle: the application factory."""

from __future__ import annotations

import os

from flask import (
    Flask,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import lazy_gettext as _l
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
    check_production_settings(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(os.path.dirname(app.config["SQLALCHEMY_DATABASE_URI"][10:]) or ".",
                    exist_ok=True)

    register_proxy(app)
    register_inputs(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_unit_of_work(app)
    register_errors(app)
    register_templates(app)
    register_security_headers(app)
    return app


#: Limiter storages whose counters live in one process: each worker would count on its own.
PER_PROCESS_STORAGES = ("memory://",)


def check_production_settings(app: Flask) -> None:
    """Refuse to start production with settings that only hold in one process."""
    if app.config.get("ENV_NAME") != "production":
        return
    storage = (app.config.get("RATELIMIT_STORAGE_URI") or "memory://").strip()
    if app.config.get("RATELIMIT_ENABLED", True) and storage.startswith(PER_PROCESS_STORAGES):
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI must name a storage shared by every worker in production, "
            "e.g. redis://127.0.0.1:6379/0 (see README, Déployer): with memory:// each "
            "worker counts on its own and the limits multiply.")


def register_proxy(app: Flask) -> None:
    """Behind PROXY_COUNT reverse proxies (nginx: 1), trust their X-Forwarded-For/-Proto so
    that limits count each visitor, not the proxy. 0 (default): trust no header."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count,  # type: ignore
                                x_host=0, x_port=0, x_prefix=0)


def register_inputs(app: Flask) -> None:
    """Bounded ids in every `<int:…>` route (before the blueprints register) and no NUL
    byte or lone surrogate anywhere in a request (core/inputs.py)."""
    from network.core.inputs import UnstorableInput, install_converters, request_has_unstorable

    install_converters(app)

    @app.before_request
    def refuse_unstorable_characters():
        if request_has_unstorable():
            raise UnstorableInput()


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
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
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
    from network.core.i18n import select_locale

    return select_locale()


def register_blueprints(app: Flask) -> None:
    """Every domain is always installed: listed here, in the open (cookiecutter-flask)."""
    from network.accounts import views as accounts
    from network.admin import news_views as news
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
                   offers, admin, news):
        app.register_blueprint(module.bp)


def register_cli(app: Flask) -> None:
    from network import demo
    from network.accounts import cli as accounts
    from network.admin import cli as admin
    from network.esspresso import cli as esspresso
    from network.events import cli as events
    from network.offers import cli as offers
    from network.outbox import cli as outbox

    for module in (demo, accounts, outbox, events, esspresso, offers):
        app.cli.add_command(module.cli)
    for command in admin.commands:
        app.cli.add_command(command)


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
    503: (_l("Service momentanément indisponible"), _l(
        "La base de données ne répond pas pour l'instant. Rien n'a été enregistré de cette "
        "dernière action : réessayez dans un instant.")),
    500: ("Erreur du serveur", "Une erreur inattendue s'est produite. Rien n'a été perdu de ce "
          "qui était déjà enregistré ; l'équipe a été prévenue. Réessayez dans un instant."),
}


#: Seconds a client should wait before trying again after a 503.
RETRY_AFTER_SECONDS = 5
UNSTORABLE_TEXT = _l("Caractère non autorisé : la demande contient un caractère invisible qui "
                     "ne peut pas être enregistré (caractère nul ou mal encodé). Retapez le "
                     "texte sans le copier-coller depuis un autre logiciel, puis réessayez.")
ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many_requests",
               500: "server_error", 503: "unavailable"}


def register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import SQLAlchemyError

    from network.core.errors import DomainError
    from network.core.inputs import UnstorableInput
    from network.core.uow import database_unavailable
    from network.core.web import wants_json
    from network.extensions import db, login_manager

    def render(code: int, detail: str | None = None, error: str | None = None):
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[500 if code >= 500 else 400])
        title, text = str(title), str(text)
        if wants_json():  # the API answers JSON, in the house shape and its documented one
            message = detail or text
            return jsonify({"error": error or ERROR_CODES.get(code, "error"),
                            "message": message, "erreur": message}), code
        return render_template("errors/error.html", code=code, title=title,
                               text=detail or text), code

    @app.errorhandler(UnstorableInput)
    def unstorable_input(err):
        return render(400, str(UNSTORABLE_TEXT), "invalid_character")

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

    @app.errorhandler(SQLAlchemyError)
    def database_error(err: SQLAlchemyError):
        """A lost database answers 503 "réessayez dans un instant", never a bare 500; the page
        is drawn without the database (the visitor shown as anonymous)."""
        if not database_unavailable(err):
            return server_error(err)
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                           err)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        g._login_user = login_manager.anonymous_user()
        try:
            response = make_response(render(503))
        except Exception:  # the page itself needs something that is down: plain text
            response = make_response((str(ERROR_TEXT[503][1]), 503,
                                      {"Content-Type": "text/plain; charset=utf-8"}))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def server_error(err: Exception):
        try:
            db.session.rollback()
        except Exception:
            db.session.remove()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render(500)


def register_templates(app: Flask) -> None:
    from network.core import i18n

    i18n.init_app(app)

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
    """CSP and friends on every answer; `no-store` on anything personal (issue #9, item 14):
    a page drawn for a logged-in person, and any answer that sets the session cookie."""
    from flask.sessions import SecureCookieSessionInterface

    class NoStoreSessionInterface(SecureCookieSessionInterface):
        def save_session(self, app_, session_, response):
            if response.cache_control.public:
                return  # the same for everyone (logos, open data): never carries a cookie
            super().save_session(app_, session_, response)
            cookie = f"{self.get_cookie_name(app_)}="
            if any(value.startswith(cookie) for value in response.headers.getlist("Set-Cookie")):
                _no_store(response)

    app.session_interface = NoStoreSessionInterface()

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "media-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")  # browsers without CSP 2
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Open data (CORS `*`) stays readable by other sites; everything else is ours only.
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy",
            "cross-origin" if response.headers.get("Access-Control-Allow-Origin") == "*"
            else "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _for_logged_in_person() and not response.cache_control.public \
                and request.endpoint != "static":
            _no_store(response)  # public answers (open data, logos) are the same for all
        return response


def _for_logged_in_person() -> bool:
    """Without touching the database: a user loaded by this request, or a session naming one."""
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return True
    return "_user_id" in session


def _no_store(response) -> None:
    """Nothing personal stays in a browser's or a proxy's cache (back button, shared PC)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
