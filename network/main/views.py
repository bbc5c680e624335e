"""Home page and the site's fixed pages (accessibility, privacy, legal notice)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

from network.core import i18n

bp = Blueprint("main", __name__)

#: The languages offered, each named in its own language (the switcher, the account page).
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch"}


@bp.app_context_processor
def language_context() -> dict:
    """The language a template is drawn in (a page, or a mail in its recipient's language:
    it follows `i18n.in_locale`), and the languages offered."""
    offered = [code for code in current_app.config["LANGUAGES"] if code in LANGUAGE_NAMES]
    return {"page_lang": i18n.current(),
            "language_names": [(code, LANGUAGE_NAMES[code]) for code in offered]}


@bp.get("/")
def home():
    return render_template("main/home.html", **home_sections())


def home_sections() -> dict:
    """What each domain shows on the home page; domains add their own query here."""
    from network.events.queries import list_upcoming

    return {"upcoming_events": list_upcoming(limit=4)}


@bp.get("/accessibilite")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/confidentialite")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/mentions-legales")
def legal():
    return render_template("main/legal.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for /favicon.ico whatever the page links to."""
    data = (Path(current_app.static_folder) / "img" / "favicon.ico").read_bytes()
    return Response(data, mimetype="image/vnd.microsoft.icon",
                    headers={"Cache-Control": "public, max-age=604800"})


@bp.get("/sante")
def health():
    return {"status": "ok"}
