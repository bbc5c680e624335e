"""`/robots.txt` and `/sitemap.xml`: the public pages (offers, events, structures) for crawlers,
so that the schema.org data of each page is found."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response
from sqlalchemy import select

from network.core.time import utcnow
from network.core.urls import external_url
from network.extensions import db

bp = Blueprint("seo", __name__)

#: Private or personal pages crawlers have no business in (they are refused anyway).
DISALLOW = ("/compte", "/connexion", "/inscription", "/mot-de-passe", "/verifier", "/equipe",
            "/boite-envoi", "/annuaire/gestion", "/annuaire/invitation", "/evenements/gestion",
            "/evenements/inscription", "/evenements/confirmer", "/evenements/agenda/",
            "/offres/gestion", "/offres/candidature", "/offres/alertes", "/offres/structure",
            "/offres/mes-candidatures", "/offres/publier", "/api/")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOW), "",
             f"Sitemap: {external_url('seo.sitemap')}", ""]
    return Response("\n".join(lines), mimetype="text/plain",
                    headers={"Cache-Control": "public, max-age=86400"})


def sitemap_urls(now: datetime | None = None) -> list[tuple[str, datetime | None]]:
    """(address, last change) of every public page worth indexing."""
    from network.directory.models import Structure, StructureStatus
    from network.events.queries import list_upcoming
    from network.offers.public import sitemap_entries

    urls: list[tuple[str, datetime | None]] = [
        (external_url("main.home"), None), (external_url("events.index"), None),
        (external_url("directory.index"), None), (external_url("offers.index"), None)]
    urls += [(external_url("events.detail", event_id=e.id), None)
             for e in list_upcoming(now=now)]
    urls += [(external_url("directory.profile", structure_id=i), updated)
             for i, updated in db.session.execute(
                 select(Structure.id, Structure.updated_at)
                 .where(Structure.status == StructureStatus.APPROVED).order_by(Structure.id))]
    urls += sitemap_entries(now=now)
    return urls


@bp.get("/sitemap.xml")
def sitemap():
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}urlset")
    for address, updated in sitemap_urls(utcnow()):
        url = ET.SubElement(root, f"{{{ns}}}url")
        ET.SubElement(url, f"{{{ns}}}loc").text = address
        if updated is not None:
            ET.SubElement(url, f"{{{ns}}}lastmod").text = updated.date().isoformat()
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return Response(body, mimetype="application/xml",
                    headers={"Cache-Control": "public, max-age=3600"})
