"""Offer fixtures: approved structures with a team, offers in any state, PDFs made by pypdf."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from network.core.time import utcnow


@pytest.fixture
def refdata(app):
    from network.directory import reference as services_reference

    services_reference.ensure_reference_data()


@pytest.fixture
def make_structure(refdata, db, make_user, make_staff):
    """make_structure(owner=None, status=APPROVED, **overrides) -> Structure."""
    from network.directory import profiles as services
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.directory.models import StructureStatus

    counter = {"n": 0}
    staff = {}

    def make(owner=None, *, status=StructureStatus.APPROVED, **overrides):
        counter["n"] += 1
        n = counter["n"]
        values = dict(name=f"Association Exemple {n}", siret=make_siret(900 + n),
                      legal_form="association", rna=f"W57200{n:04d}", postcode="57000",
                      commune="Metz", territory="metz", sectors=["insertion"],
                      description="Une **association** de Metz.")
        values.update(overrides)
        structure = services.create_structure(acting=owner or make_user(),
                                              data=StructureData(**values))
        if status != StructureStatus.PENDING:
            staff.setdefault("user", make_staff())
            services.approve_structure(structure, acting=staff["user"])
        db.session.commit()
        return structure

    return make


@pytest.fixture
def team(make_user, make_structure):
    """An approved structure with its owner (verified) — the usual publisher."""
    owner = make_user(name="Responsable Jardins")
    structure = make_structure(owner, name="Les Jardins de la Seille", commune="Metz")
    return structure, owner


def _offer_data(**overrides):
    from network.offers import offers

    values = dict(kind="cdi", title="Encadrant technique maraîchage", commune="Metz",
                  territory="metz", closes_on=(utcnow() + timedelta(days=30)).date(),
                  description="Encadrer une équipe en **insertion** au jardin.",
                  postcode="57000", time_commitment="35 h par semaine", places=1,
                  work_mode="sur-place", accessibility=["rqth"],
                  skills="maraîchage, encadrement")
    values.update(overrides)
    return offers.OfferData(**values)


@pytest.fixture
def offer_data():
    """offer_data(**overrides) -> a valid OfferData (a CDI in Metz closing in 30 days)."""
    return _offer_data


@pytest.fixture
def make_offer(db, team):
    """make_offer(structure=None, acting=None, publish=True, **data overrides) -> Offer."""
    from network.offers import offers

    def make(structure=None, acting=None, *, publish=True, **overrides):
        structure = structure or team[0]
        acting = acting or team[1]
        offer = offers.create_offer(structure, _offer_data(**overrides), acting=acting)
        if publish:
            offers.publish_offer(offer, acting=acting)
        db.session.commit()
        return offer

    return make


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF written by pypdf (not a hand-made byte string)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def make_pdf():
    return pdf_bytes


# --- forum part 2 -------------------------------------------------------------------------------


@pytest.fixture
def forum(db, refdata, make_staff):
    from network.events import staff as events_staff
    from network.events import territories
    from network.events.models import EventKind, EventStatus

    staff = make_staff(name="Camille Équipe")
    start = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    event = events_staff.create_event(events_staff.EventData(
        kind=EventKind.FORUM, title="Forum emploi-bénévolat de test", start_at=start,
        end_at=start + timedelta(hours=1), territory_id=territories.by_code("metz").id,
        capacity=300), acting=staff)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    return event, staff


@pytest.fixture
def exhibitor(db, forum, team, make_offer):
    from network.offers import exhibitors

    event, staff = forum
    structure, owner = team
    offer = make_offer(title="Maraîcher en insertion")
    row = exhibitors.register_exhibitor(event, structure, [offer.id], acting=owner)
    exhibitors.accept_exhibitor(row, 7, acting=staff)
    db.session.commit()
    return row, offer


def png_bytes(size=(40, 30)) -> bytes:
    """A real PNG written by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()
