"""Home page and the site's fixed pages (accessibility, privacy, legal notice)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template

bp = Blueprint("main", __name__)


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
