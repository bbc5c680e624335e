"""ESSpresso in English and German (issue #17): the session page, the booking page and the
mails render with no French left outside what people typed (names, titles, needs), and
dates in the reader's language."""

from __future__ import annotations

import html
import re

import pytest
from babel.dates import format_date

from network.core.time import to_paris
from support import outbox_messages

# Words that only French uses (the English and German copy never holds them).
FRENCH = re.compile(
    r"\b(rendez-vous|créneaux?|réserv\w*|souhaits?|acheteurs?|fournisseurs?|bonjour|avec|"
    r"pour|les|vous|votre|vos|mes|mon|est|une|aux?|et|à|équipe|inscri\w*|"
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
    r"décembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|heure|"
    r"aucun\w*|prochain|tour|salle|bilan)\b", re.IGNORECASE)

EXPECTED = {
    "en": {"detail": ["My meetings", "Supplier catalogue", "Wishes"],
           "book": ["Book a meeting with", "Book this slot"],
           "mail": ["Hello,", "booked a business meeting with", "table"],
           "subject": "proposes a meeting"},
    "de": {"detail": ["Meine Termine", "Anbieterkatalog", "Wünsche"],
           "book": ["Einen Termin mit", "Dieses Zeitfenster buchen"],
           "mail": ["Guten Tag,", "Geschäftstermin", "Tisch"],
           "subject": "schlägt Ihnen einen Termin vor"},
}


def visible_main(page: str) -> str:
    """The text people read in <main> (the layout around it belongs to other parts)."""
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<div class="flashes".*?</div>', " ", main, flags=re.S)  # log-in's, not ours
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    attrs = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', main))
    return html.unescape(re.sub(r"<[^>]+>", " ", main) + " " + attrs)


def french_left(text: str, typed: list[str]) -> list[str]:
    """French words left once the typed data is taken out, each with a little context."""
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\s+", " ", text)
    return sorted({text[max(m.start() - 30, 0):m.end() + 30] for m in FRENCH.finditer(text)})


def typed_by_people(session, *sides) -> list[str]:
    """What the database holds as people typed it: never translated."""
    from network.esspresso import adapters, catalogue

    out = [session.title, "ESSpresso"]
    for side in sides:
        p = side.participant
        out += [p.display_name, p.contact_name or ""]
        entry = catalogue.entry_of(session, p)
        out += [n.description for n in entry.needs] + [n.category.name for n in entry.needs]
        out += [o.category.name for o in entry.offers]
    out += list(adapters.territories().values())
    # the directory's purchase categories: its own part translates them (`label`)
    out += [c.name for c in adapters.list_categories()]
    return [v for v in out if v]


def in_language(client, lang: str):
    client.set_cookie("lang", lang)  # what the language switcher leaves in the browser
    return client


@pytest.fixture
def booked(db, app, session, make_buyer, make_supplier, login):
    from network.esspresso import meetings

    app.config["WTF_CSRF_ENABLED"] = False
    buyer, supplier, other = make_buyer(), make_supplier(), make_supplier()
    meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 1,
                          acting=buyer.user)
    db.session.commit()
    client = app.test_client()
    login(buyer.user, on=client)
    return client, buyer, supplier, other


@pytest.mark.parametrize("lang", ["en", "de"])
def test_session_page_in_english_and_german(db, session, booked, lang):
    client, buyer, supplier, other = booked
    page = in_language(client, lang).get(f"/esspresso/{session.id}")
    assert page.status_code == 200
    text = visible_main(page.get_data(as_text=True))
    for phrase in EXPECTED[lang]["detail"]:
        assert phrase in text, phrase
    day = format_date(to_paris(session.starts_at).date(), "EEEE", locale=lang)
    assert day in text  # the date in the page's language
    typed = typed_by_people(session, buyer, supplier, other)
    assert not (left := french_left(text, typed)), "\n".join(left)
    assert f'lang="{lang}"' in page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_booking_page_in_english_and_german(db, session, booked, lang):
    client, buyer, supplier, other = booked
    page = in_language(client, lang).get(
        f"/esspresso/{session.id}/reserver/{other.participant.id}")
    assert page.status_code == 200
    text = visible_main(page.get_data(as_text=True))
    for phrase in EXPECTED[lang]["book"]:
        assert phrase in text, phrase
    assert re.search(r"\b14[:h.]40\b|2:40", text)  # the free slots' times are shown
    typed = typed_by_people(session, buyer, supplier, other)
    assert not (left := french_left(text, typed)), "\n".join(left)
    # a refusal comes back in the same language, at its field
    taken = client.post(f"/esspresso/{session.id}/reserver/{other.participant.id}",
                        data={"slot": 1})
    assert taken.status_code in (409, 422)
    refused = visible_main(taken.get_data(as_text=True))
    assert not (left := french_left(refused, typed)), "\n".join(left)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_booking_mail_in_the_recipients_language(db, session, make_buyer, make_supplier,
                                                 app, lang):
    """The supplier's account says German (or English): the mail the buyer's booking sends
    is in that language, whatever language the buyer reads the site in."""
    from network.esspresso import meetings

    buyer, supplier = make_buyer(), make_supplier()
    supplier.user.locale = lang
    db.session.commit()
    meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 2,
                          acting=buyer.user)
    db.session.commit()
    mail = outbox_messages(supplier.user.email)[-1]
    assert mail.kind == "esspresso_booked"
    assert EXPECTED[lang]["subject"] in mail.subject
    slot = session.slots[2]
    day = format_date(to_paris(slot.starts_at).date(), "EEEE", locale=lang)
    typed = typed_by_people(session, buyer, supplier) + [app.config["SITE_NAME"],
                                                        app.config["CONTACT_EMAIL"]]
    for body in (mail.body_text, html.unescape(re.sub(r"<[^>]+>", " ", mail.body_html))):
        for phrase in EXPECTED[lang]["mail"]:
            assert phrase in body, phrase
        assert day in body
        assert not (left := french_left(body, typed)), "\n".join(left)
    assert not (left := french_left(mail.subject, typed)), "\n".join(left)


def test_french_mail_for_a_french_reader(db, session, make_buyer, make_supplier):
    """The same mail to a French account stays French, with its date in French."""
    from network.esspresso import meetings

    buyer, supplier = make_buyer(), make_supplier()
    meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 0,
                          acting=buyer.user)
    db.session.commit()
    mail = outbox_messages(supplier.user.email)[-1]
    assert "vous propose un rendez-vous" in mail.subject
    assert "a réservé un rendez-vous d'affaires" in mail.body_text
    day = format_date(to_paris(session.slots[0].starts_at).date(), "EEEE", locale="fr")
    assert day in mail.body_text and "14h00" in mail.body_text


def test_wish_reasons_translate_the_schedulers_codes(app):
    """explain.py (no Flask) and the pages name the same reasons with the same French."""
    from network.core.i18n import in_locale
    from network.esspresso.explain import REASONS
    from network.esspresso.rules import WISH_REASONS

    assert set(WISH_REASONS) == set(REASONS)
    with app.test_request_context():
        with in_locale("fr"):
            assert {k: str(v) for k, v in WISH_REASONS.items()} == REASONS
        with in_locale("de"):
            assert str(WISH_REASONS["tables_full"]).startswith("In Ihren gemeinsamen")


def pdf_text(data: bytes) -> str:
    import io

    import pypdfium2

    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_esspresso_page_and_print_in_english_and_german(db, app, day, staff, login,
                                                              to_now, lang):
    """The day is on: every page a buyer or an organiser reads, the printed agenda, table
    plan and sheets, and the .ics, with no French outside what people typed."""
    from icalendar import Calendar

    from network.esspresso import planning

    app.config["WTF_CSRF_ENABLED"] = False
    to_now(day.session, minutes_in=5)
    sid, buyer = day.session.id, day.buyers[0]
    planning.run_scheduler(day.session, acting=staff, time_limit=2)  # a preview to show
    from network.meetings import day as engine_day

    engine_day.mark(day.session, day.meetings[0], "held", acting=staff)  # figures to chart
    db.session.commit()
    as_buyer, as_staff = app.test_client(), app.test_client()
    login(buyer.user, on=as_buyer)
    login(staff, on=as_staff)
    for c in (as_buyer, as_staff):
        in_language(c, lang)
    typed = typed_by_people(day.session, *day.buyers, *day.suppliers) + [
        app.config["SITE_NAME"]]
    pages = [
        (as_buyer, "/esspresso/"), (as_buyer, f"/esspresso/{sid}"),
        (as_buyer, f"/esspresso/{sid}/catalogue"),
        (as_buyer, f"/esspresso/{sid}/bilan"),
        (as_buyer, f"/esspresso/acheteurs/{buyer.organisation_id}/equipe"),
        (as_buyer, "/esspresso/acheteurs/nouveau"),
        (as_staff, f"/esspresso/{sid}/organisation"), (as_staff, f"/esspresso/{sid}/salle"),
        (as_staff, "/esspresso/impact"), (as_staff, "/esspresso/nouvelle"),
    ]
    for client, path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.get_data(as_text=True)
        title = html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1))
        left = french_left(visible_main(body) + " " + title, typed)
        assert not left, f"{path}:\n" + "\n".join(left)
    screen = as_staff.get(f"/esspresso/{sid}/ecran").get_data(as_text=True)
    assert f'<html lang="{lang}">' in screen
    left = french_left(html.unescape(re.sub(r"<[^>]+>", " ", screen)), typed)
    assert not left, "screen:\n" + "\n".join(left)
    prints = [as_buyer.get(f"/esspresso/{sid}/agenda.pdf"),
              as_staff.get(f"/esspresso/{sid}/plan-des-tables.pdf"),
              as_staff.get(f"/esspresso/{sid}/fiches-tables.pdf")]
    for pdf in prints:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        left = french_left(pdf_text(pdf.data), typed)
        assert not left, "\n".join(left)
    ics = Calendar.from_ical(as_buyer.get(f"/esspresso/{sid}/agenda.ics").data)
    words = " ".join(str(e.get(k, "")) for e in ics.walk("VEVENT")
                     for k in ("summary", "description", "location"))
    assert not (left := french_left(words, typed)), "\n".join(left)
