"""A guest registers for the 2 December evening, confirms from the mail, gets the invite."""

from __future__ import annotations

import io
import re

import icalendar
import pytest
import vobject
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

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
    expect(page.get_by_text("149 places restantes sur 150")).to_be_visible()
    expect(page.get_by_text("Espace Pierre Messmer").first).to_be_visible()
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
    expect(page.get_by_text("Sam Invité")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code du badge"))).to_be_visible()
    check_a11y(page, "badge")

    page.goto(f"{live_server.url}/evenements/{event_id}")
    expect(page.get_by_text("148 places restantes sur 150")).to_be_visible()

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
    expect(page.get_by_text("149 places restantes sur 150")).to_be_visible()
    assert page.request.get(manage_link).status == 400  # the link no longer opens anything


def test_german_guest_registers_and_reads_everything_in_german(smtp_config, live_server, page,
                                                               check_a11y):
    """A SaarMoselle partner browsing in German (the `lang` cookie the language choice sets):
    the page, the form, both mails, the invite's alarm and the confirmation page speak German,
    and the CLI's reminder follows."""
    from datetime import timedelta

    from network.core.time import utcnow
    from network.events import demo
    from network.events.cli import cli
    from network.events.models import Event, Registration
    from network.extensions import db

    with live_server.app.app_context():
        from network.accounts import services as accounts
        from network.core.auth import System
        from network.directory import reference as directory

        staff = accounts.create_staff("equipe@example.org", name="Camille",
                                      password="une phrase assez longue pour la Moselle",
                                      acting=System("test"))
        directory.ensure_reference_data()
        demo.load(staff=staff, member=staff)
        db.session.commit()
        deliver_due()
        smtp_config.messages.clear()
        event_id = db.session.scalar(db.select(Event.id).where(
            Event.title == demo.INNOVATION_TITLE))
        db.session.remove()

    page.context.add_cookies([{"name": "lang", "value": "de", "url": live_server.url}])
    page.goto(f"{live_server.url}/evenements/{event_id}")
    expect(page.get_by_text("149 von 150 Plätzen frei")).to_be_visible()
    check_a11y(page, "Veranstaltungsseite")
    page.get_by_label("Vor- und Nachname").fill("Jana Weber")
    page.get_by_label("E-Mail-Adresse").fill("jana@example.org")
    page.get_by_label("Ich bin einverstanden, auf der Teilnehmendenliste").check()
    page.get_by_role("button", name="Jetzt anmelden").click()
    page.get_by_role("heading", name="Prüfen Sie Ihre E-Mails").wait_for()
    expect(page.get_by_text("Fast geschafft")).to_be_visible()

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    [mail] = smtp_config.wait_for(1)
    assert mail["Subject"] == "Bestätigen Sie Ihre Anmeldung: " + demo.INNOVATION_TITLE
    assert "Guten Tag Jana Weber," in mail_text(mail)
    [link] = [u for u in links_in(mail_text(mail)) if "/confirmer/" in u]
    page.goto(link)
    page.get_by_role("heading", name="Anmeldung bestätigt").wait_for()

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    _, confirmation = smtp_config.wait_for(2)
    assert confirmation["Subject"] == "Anmeldung bestätigt: " + demo.INNOVATION_TITLE
    assert "Badge-Code" in mail_text(confirmation)
    [part] = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    ev = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(ev.walk("VALARM")[0]["DESCRIPTION"]) == "Erinnerung: " + demo.INNOVATION_TITLE

    with live_server.app.app_context():  # the day before, from the scheduled job (French CLI)
        reg = db.session.scalar(db.select(Registration).where(
            Registration.email == "jana@example.org"))
        assert reg.locale == "de"
        event = db.session.get(Event, event_id)
        event.start_at, event.end_at = (utcnow() + timedelta(hours=20),
                                        utcnow() + timedelta(hours=23))
        db.session.commit()
        db.session.remove()
    result = live_server.app.test_cli_runner().invoke(cli, ["remind"])
    assert result.exit_code == 0, result.output
    with live_server.app.app_context():
        assert deliver_due().sent == 2  # Jana, and the demo member registered by the demo
    smtp_config.wait_for(4)
    reminders = [m for m in smtp_config.to("jana@example.org")
                 if m["Subject"].startswith("Erinnerung: ")]
    assert reminders and "Guten Tag Jana Weber," in mail_text(reminders[0])
