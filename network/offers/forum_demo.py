"""Demo of the January forum: exhibitors with their offers, stands, a plan of the room (drawn
here with Pillow) and a few interviews booked by guest visitors. Idempotent; queues no mail."""

from __future__ import annotations

import io
from datetime import date, datetime

from sqlalchemy import func, select

from network.core.auth import Guest
from network.core.time import PARIS, as_utc, utcnow
from network.extensions import db
from network.offers import exhibitors, jobdating
from network.offers.models import ForumExhibitor

STRUCTURES = ["Les Jardins de la Seille", "Régie de quartier Borny Services",
              "Emmaüs Lorraine Nord", "Scop Imprimerie du Haut-Chemin",
              "Informatique Solidaire Mosellane", "Scop Nettoyage Thionvillois"]
VISITORS = [("Léa Martin", "lea.martin@example.net"), ("Karim Benali", "karim.benali@example.net"),
            ("Sophie Weber", "sophie.weber@example.net")]


def january(today: date) -> date:
    """The forum day of the coming January (the 21st; on 1 January, this month's)."""
    year = today.year + 1 if (today.month, today.day) > (1, 1) else today.year
    return date(year, 1, 21)


def _january_forum(staff):
    """The demo's forum in January (January 2027 when loaded before then): the events demo's
    forum if it falls in that January, else one created for it through the events service."""
    from network.events import territories
    from network.events.models import Event, EventKind, EventStatus
    from network.events.staff import EventData, create_event

    day = january(utcnow().astimezone(PARIS).date())
    for event in db.session.scalars(select(Event).where(Event.kind == EventKind.FORUM)
                                    .order_by(Event.start_at)):
        start = as_utc(event.start_at).astimezone(PARIS).date()
        if (start.year, start.month) == (day.year, 1):
            return event
    place = territories.by_code("metz")
    if place is None:
        return None
    event = create_event(EventData(
        kind=EventKind.FORUM, title="Forum emploi-bénévolat de janvier",
        subtitle="Stands des structures de l'ESS et job-dating : entretiens de 10 minutes",
        description="Les structures de l'ESS de Moselle présentent leurs offres d'emploi et "
                    "de bénévolat ; réservez un entretien court à leur stand.",
        start_at=datetime(day.year, 1, day.day, 9, 30, tzinfo=PARIS),
        end_at=datetime(day.year, 1, day.day, 12, 30, tzinfo=PARIS),
        territory_id=place.id, venue_name="Arsenal", venue_address="3 avenue Ney, 57000 Metz",
        organiser="Département de la Moselle", partners="CRESS Grand Est, France Travail",
        capacity=500), acting=staff)
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    return event


def plan_png(stands: list[tuple[int, str]]) -> bytes:
    """A simple room plan: the stands in two rows, numbered, the entrance at the bottom."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (900, 420), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, 890, 410), outline="black", width=3)
    for i, (number, _name) in enumerate(stands):
        x = 40 + (i % 4) * 210
        y = 40 if i < 4 else 220
        draw.rectangle((x, y, x + 180, y + 120), outline="#0b5394", width=3)
        draw.text((x + 12, y + 12), f"Stand {number}", fill="black")
    draw.rectangle((380, 395, 520, 410), fill="#2e7d32")
    draw.text((400, 375), "Entree", fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def load(*, staff, member) -> list[str]:
    if db.session.scalar(select(func.count(ForumExhibitor.id))):
        return []
    event = _january_forum(staff)
    if event is None:
        return []
    from network.directory.models import Structure, StructureStatus

    by_name = {s.name: s for s in db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.APPROVED))}
    placed: list[tuple[int, str]] = []
    rows = []
    for name in STRUCTURES:
        structure = by_name.get(name)
        offers = exhibitors.open_offers_of(structure) if structure else []
        if not offers:
            continue
        row = exhibitors.register_exhibitor(event, structure, [o.id for o in offers[:3]],
                                            acting=staff)
        number = len(placed) + 1
        if number <= 5:  # the last one waits for staff
            exhibitors.accept_exhibitor(row, number, acting=staff)
            placed.append((number, structure.display_name))
            rows.append(row)
    if not placed:
        return []
    text = ("Entrée au milieu du mur du bas. Rangée du fond, de gauche à droite : "
            + ", ".join(f"stand {n} ({name})" for n, name in placed[:4])
            + (". Rangée de devant, à gauche : " + ", ".join(
                f"stand {n} ({name})" for n, name in placed[4:]) if placed[4:] else "") + ".")
    exhibitors.upload_plan(event, plan_png(placed), text, acting=staff)
    session = jobdating.session_of(event)
    booked = 0
    for i, (name, email) in enumerate(VISITORS):
        guest = Guest(email=email, scope=f"meetings:{session.id}")
        jobdating.join_as_visitor(event, acting=guest, name=name, send_mail=False)
        for j, row in enumerate(rows[i:i + 2]):
            jobdating.book_interview(event, row, 2 + i + 3 * j, acting=guest,
                                     send_mail=False)
            booked += 1
    return [f"forum de janvier : {len(rows)} stands, un plan, {booked} entretiens"]
