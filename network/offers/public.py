"""What the public and machines read of an offer: schema.org JSON-LD, the JSON API, the
Atom feed and the sitemap. Machine codes stay codes; labels are in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core import i18n
from network.core.errors import ValidationError
from network.core.time import utcnow
from network.core.urls import external_url
from network.extensions import db
from network.offers.listing import (
    MAX_PER_PAGE,
    PER_PAGE,
    OfferFilters,
    open_conditions,
    search_offers,
)
from network.offers.models import ENGAGEMENT_KINDS, JOB_KINDS, Offer, OfferKind, WorkMode
from network.offers.offers import description_html
from network.offers.rules import ACCESSIBILITY_LABELS, KIND_LABELS

EMPLOYMENT_TYPES = {
    OfferKind.CDI: ["FULL_TIME"], OfferKind.CDD: ["TEMPORARY"], OfferKind.CDDI: ["TEMPORARY"],
    OfferKind.APPRENTICESHIP: ["TEMPORARY", "OTHER"],
    OfferKind.PROFESSIONALISATION: ["TEMPORARY", "OTHER"], OfferKind.INTERNSHIP: ["INTERN"],
    OfferKind.VOLUNTEERING: ["VOLUNTEER"], OfferKind.CIVIC_SERVICE: ["VOLUNTEER"],
    OfferKind.VOLONTARIAT: ["VOLUNTEER"],
}


def offer_url(offer: Offer) -> str:
    return external_url("offers.detail", offer_id=offer.id)


def json_ld(offer: Offer) -> dict[str, Any]:
    """schema.org `JobPosting` for both families: engagement offers say `VOLUNTEER` as their
    employmentType (schema.org has no separate volunteering type)."""
    structure = offer.structure
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "JobPosting",
        "title": offer.title,
        "description": description_html(offer),
        "datePosted": (offer.published_at or offer.created_at).date().isoformat(),
        "validThrough": f"{offer.closes_on.isoformat()}T23:59:59+01:00",
        "employmentType": EMPLOYMENT_TYPES[offer.kind],
        "hiringOrganization": {
            "@type": "Organization", "name": structure.display_name,
            "sameAs": external_url("directory.profile", structure_id=structure.id)},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": offer.commune,
            "addressRegion": "Moselle", "addressCountry": "FR",
            **({"postalCode": offer.postcode} if offer.postcode else {})}},
        "totalJobOpenings": offer.places,
        "directApply": True,
        "url": offer_url(offer),
        "identifier": {"@type": "PropertyValue", "name": structure.display_name,
                       "value": str(offer.id)},
    }
    if offer.work_mode == WorkMode.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "FR"}
    if offer.starts_on:
        data["jobStartDate"] = offer.starts_on.isoformat()
    if offer.skill_list:
        data["skills"] = ", ".join(offer.skill_list)
    if offer.time_commitment:
        data["workHours"] = offer.time_commitment
    if offer.kind in ENGAGEMENT_KINDS:
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": 0}
    return data


def public_dict(offer: Offer) -> dict[str, Any]:
    """Only what the public page shows (never who answered)."""
    return {
        "id": offer.id,
        "titre": offer.title,
        "type": {"code": offer.kind.value, "libelle": str(KIND_LABELS[offer.kind])},
        "famille": "emploi" if offer.kind in JOB_KINDS else "engagement",
        "etat": offer.state.value,
        "description": offer.description,
        "structure": {"id": offer.structure.id, "nom": offer.structure.display_name,
                      "url": external_url("directory.profile", structure_id=offer.structure.id)},
        "commune": offer.commune,
        "code_postal": offer.postcode or None,
        "territoire": {"code": offer.territory.code, "nom": offer.territory.name}
        if offer.territory else None,
        "debut": offer.starts_on.isoformat() if offer.starts_on else None,
        "temps": offer.time_commitment or None,
        "places": offer.places,
        "modalite": offer.work_mode.value,
        "accessibilite": [{"code": c, "libelle": str(ACCESSIBILITY_LABELS[c])}
                          for c in offer.accessibility or [] if c in ACCESSIBILITY_LABELS],
        "competences": offer.skill_list,
        "date_limite": offer.closes_on.isoformat(),
        "publiee_le": offer.published_at.isoformat() if offer.published_at else None,
        "url": offer_url(offer),
    }


def api_page(args: Mapping, *, now: datetime | None = None) -> dict[str, Any]:
    """GET /api/v1/offers: the same filters as the page, paginated."""
    try:
        page = int(args.get("page", 1))
        per_page = int(args.get("per_page", PER_PAGE))
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("page et per_page doivent être des nombres entiers."),
                              "invalid_page") from exc
    if not (1 <= page <= 100_000 and 1 <= per_page <= MAX_PER_PAGE):
        raise ValidationError(_("page va de 1 à 100000 et per_page de 1 à %(n)s.",
                                n=MAX_PER_PAGE), "invalid_page")
    filters = OfferFilters.from_args(args)
    result = search_offers(filters, sort=str(args.get("tri", "")), page=page,
                           per_page=per_page, now=now)
    return {"total": result.total, "page": result.page, "per_page": result.per_page,
            "pages": result.pages, "offres": [public_dict(o) for o in result.items]}


def atom_feed(filters: OfferFilters, *, now: datetime | None = None) -> bytes:
    """The 50 latest open offers matching the filters, as Atom 1.0."""
    from xml.etree import ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    result = search_offers(filters, sort="recent", per_page=50, now=now)
    feed = ET.Element(f"{{{ns}}}feed",
                      {"{http://www.w3.org/XML/1998/namespace}lang": i18n.current()})
    args = filters.to_args()
    self_url = external_url("offers.feed", **args)
    ET.SubElement(feed, f"{{{ns}}}id").text = self_url
    ET.SubElement(feed, f"{{{ns}}}title").text = _("Offres d'emploi et de bénévolat — "
                                                    "Réseau ESS Moselle")
    if filters.to_args():
        ET.SubElement(feed, f"{{{ns}}}subtitle").text = filters.describe()
    latest = max((o.published_at for o in result.items if o.published_at),
                 default=now or utcnow())
    ET.SubElement(feed, f"{{{ns}}}updated").text = latest.isoformat()
    ET.SubElement(feed, f"{{{ns}}}link", {"rel": "self", "href": self_url,
                                          "type": "application/atom+xml"})
    ET.SubElement(feed, f"{{{ns}}}link", {"rel": "alternate", "type": "text/html",
                                          "href": external_url("offers.index", **args)})
    author = ET.SubElement(feed, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = "Réseau ESS Moselle"
    for offer in result.items:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = offer_url(offer)
        ET.SubElement(entry, f"{{{ns}}}title").text = (
            f"{offer.title} — {offer.structure.display_name} ({offer.commune})")
        stamp = (offer.published_at or offer.created_at).isoformat()
        ET.SubElement(entry, f"{{{ns}}}updated").text = stamp
        ET.SubElement(entry, f"{{{ns}}}published").text = stamp
        ET.SubElement(entry, f"{{{ns}}}link", {"rel": "alternate", "type": "text/html",
                                               "href": offer_url(offer)})
        ET.SubElement(entry, f"{{{ns}}}category", {"term": offer.kind.value,
                                                   "label": str(KIND_LABELS[offer.kind])})
        summary = ET.SubElement(entry, f"{{{ns}}}summary", {"type": "text"})
        summary.text = _("%(kind)s · %(commune)s · date limite %(date)s",
                         kind=KIND_LABELS[offer.kind], commune=offer.commune,
                         date=i18n.when(offer.closes_on, "shortdate"))
        content = ET.SubElement(entry, f"{{{ns}}}content", {"type": "html"})
        content.text = description_html(offer)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def sitemap_entries(*, now: datetime | None = None, limit: int = 40_000
                    ) -> list[tuple[str, datetime | None]]:
    rows = db.session.execute(select(Offer.id, Offer.updated_at).where(*open_conditions(now))
                              .order_by(Offer.id).limit(limit)).all()
    return [(external_url("offers.detail", offer_id=i), updated) for i, updated in rows]
