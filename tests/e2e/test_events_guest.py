"""A guest registers for the 2 December evening, confirms from the mail, gets the invite."""

from __future__ import annotations

import io
import re

import icalendar
import pytest
import vobject
import zxingcpp
from PIL import Image

from network.outbox.services import deliver_due
from support import links_in, mail_text

pytestmark = pytest.mark.e2e


def test_guest_registers_confirms_and_gets_invite(smtp_config, live_server, page, check_a11y):
    from network.events import demo
    from network.events.models import Event
    from network.extensions import db

    with live_server.app.app_context():
        from network.accounts import services as accounts
        from network.core.auth import System
        from network.directory import reference as directory

        staff = accounts.create_staff("equipe@example.org", name="Camille",
                                      password="une phrase assez longue pour la Moselle",
                                      acting=System("test"))
        directory.ensure_reference_data()  # the territories events point at
        demo.load(staff=staff, member=staff)  # the demo registers its member: one seat taken
        db.session.commit()
        assert deliver_due().sent == 1  # that member's own confirmation, not this journey's
        smtp_config.messages.clear()
        event_id = db.session.scalar(db.select(Event.id).where(
            Event.title == demo.INNOVATION_TITLE))
        db.session.remove()

    page.goto(live_server.url + "/evenements/")
    page.get_by_role("link", name=demo.INNOVATION_TITLE).click()
    page.get_by_role("heading", name=demo.INNOVATION_TITLE).wait_for()
    assert page.get_by_text("149 places restantes sur 150").is_visible()
    assert page.get_by_text("Espace Pierre Messmer").first.is_visible()
    check_a11y(page, "page de l'événement")
    page.get_by_label("Prénom et nom").fill("Sam Invité")
    page.get_by_label("Adresse e-mail").fill("sam@example.org")
    page.get_by_label("Organisation").fill("Régie de quartier")
    page.get_by_label("J'accepte de figurer").check()
    page.get_by_role("button", name="Je m'inscris").click()
    page.get_by_role("heading", name="Vérifiez vos courriels").wait_for()
    check_a11y(page, "vérifiez vos courriels")

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    [mail] = smtp_config.wait_for(1)
    assert mail["To"] == "sam@example.org"
    [link] = [u for u in links_in(mail_text(mail)) if "/confirmer/" in u]
    page.goto(link)
    page.get_by_role("heading", name="Inscription confirmée").wait_for()
    check_a11y(page, "inscription confirmée")

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    _, confirmation = smtp_config.wait_for(2)
    [part] = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    data = part.get_payload(decode=True)
    ev = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(ev["SUMMARY"]) == demo.INNOVATION_TITLE
    assert ev.decoded("DTSTART").strftime("%d/%m %H:%M") == "02/12 16:30"
    assert str(ev["ATTENDEE"]) == "mailto:sam@example.org"
    [badge] = [p for p in confirmation.walk() if p.get_filename() == "badge.png"]
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(badge.get_payload(decode=True))))
    assert "/evenements/badge/" in qr.text
    assert vobject.readOne(data.decode()).vevent.dtstart.value.hour == 16
    [badge_link] = [u for u in links_in(mail_text(confirmation)) if u.endswith("/badge")]
    page.goto(badge_link)
    assert page.get_by_text("Sam Invité").is_visible()
    assert page.get_by_role("img", name=re.compile("QR code du badge")).is_visible()
    check_a11y(page, "badge")

    page.goto(f"{live_server.url}/evenements/{event_id}")
    assert page.get_by_text("148 places restantes sur 150").is_visible()

    # From the link in the mail, the guest downloads then erases their own data.
    [manage_link] = [u for u in links_in(mail_text(confirmation))
                     if "/evenements/inscription/" in u and not u.endswith("/badge")]
    page.goto(manage_link)
    page.get_by_role("heading", name="Mes données").wait_for()
    check_a11y(page, "mon inscription")
    exported = page.request.get(manage_link + "/mes-donnees.json").json()
    assert exported["inscription"]["email"] == "sam@example.org"
    assert exported["inscription"]["organisation"] == "Régie de quartier"
    page.get_by_role("button", name="Effacer mes données").click()
    page.get_by_text("Vos données sont effacées").wait_for()
    assert page.get_by_text("149 places restantes sur 150").is_visible()
    assert page.request.get(manage_link).status == 400  # the link no longer opens anything
