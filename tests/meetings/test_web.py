"""ESSpresso pages: wiring, French messages at the field, and every write route refused to the
wrong user (the service decides; the page answers 403)."""

from __future__ import annotations

import html
import re
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from network.core.time import as_utc, to_paris


def csrf_free(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def web(app, client, login):
    csrf_free(app)

    def as_user(user):
        c = app.test_client()
        login(user, on=c)
        return c

    return as_user


def test_pages_for_visitors(client, session):
    home = client.get("/")
    assert b"/esspresso/" in home.data
    listing = client.get("/esspresso/")
    assert listing.status_code == 200
    assert "ESSpresso de test" in listing.get_data(as_text=True)
    detail = client.get(f"/esspresso/{session.id}")
    assert detail.status_code == 200
    assert "Se connecter pour participer" in detail.get_data(as_text=True)
    assert client.get(f"/esspresso/{session.id}/catalogue").status_code == 302
    assert client.get("/esspresso/999999999999").status_code == 404
    assert client.get("/esspresso/2147483648").status_code == 404


def test_company_signs_up_as_buyer_organisation(db, web, make_user, session, app):
    from network.accounts.models import Organisation, OrganisationKind
    from network.directory.demo import make_siret
    from network.esspresso.models import BuyerProfile

    user = make_user()
    c = web(user)
    bad = c.post("/esspresso/acheteurs/nouveau", data={
        "name": "Acme", "buyer_type": "entreprise", "siret": "123", "naf_code": "6201",
        "postcode": "75001", "commune": "Paris", "website": "acme.fr"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for message in ("14 chiffres", "62.01Z", "57, 54, 55, 67 ou 88", "https://"):
        assert message in text
    assert db.session.scalar(select(func.count(BuyerProfile.id))) == 0
    good = c.post(f"/esspresso/acheteurs/nouveau?session={session.id}", data={
        "name": "Transports Mosellans SA", "buyer_type": "entreprise",
        "siret": make_siret(123_456), "naf_code": "49.39a", "postcode": "57000",
        "commune": "Metz", "territory": "metz"})
    assert good.status_code == 302 and good.location.endswith(f"/esspresso/{session.id}/acheteur")
    profile = db.session.scalar(select(BuyerProfile))
    assert profile.naf_code == "49.39A"
    org = db.session.get(Organisation, profile.organisation_id)
    assert org.kind == OrganisationKind.BUYER
    assert "Transports Mosellans SA" in c.get(good.location).get_data(as_text=True)  # flash
    # not in the public directory
    assert "Transports Mosellans" not in c.get("/annuaire/?q=Transports").get_data(as_text=True)
    again = c.post("/esspresso/acheteurs/nouveau", data={
        "name": "Autre", "buyer_type": "collectivite", "siret": make_siret(123_456),
        "postcode": "57000", "commune": "Metz"})
    assert again.status_code == 422 and "déjà inscrite" in again.get_data(as_text=True)


def test_unverified_user_cannot_create_a_buyer(db, web, make_user):
    from network.directory.demo import make_siret

    c = web(make_user(email_verified_at=None))
    r = c.post("/esspresso/acheteurs/nouveau", data={
        "name": "Acme", "buyer_type": "entreprise", "siret": make_siret(5), "naf_code": "62.01Z",
        "postcode": "57000", "commune": "Metz"})
    assert r.status_code == 403


def test_buyer_registers_with_a_need_then_books_and_wishes(db, web, make_user, session,
                                                           make_supplier, category):
    from network.directory.demo import make_siret
    from network.esspresso import buyers
    from network.meetings.models import Meeting, MeetingParticipant, MeetingWish

    supplier = make_supplier()
    user = make_user()
    profile = buyers.create_buyer(buyers.BuyerData(
        name="Hôpital de Mercy", buyer_type="hopital", siret=make_siret(42_424),
        postcode="57000", commune="Metz"), acting=user)
    db.session.commit()
    c = web(user)
    assert c.get(f"/esspresso/{session.id}/acheteur").status_code == 200
    bad = c.post(f"/esspresso/{session.id}/acheteur", data={
        "organisation_id": profile.organisation_id, "category_id": "0", "description": "",
        "amount": "x", "timing": "6-mois", "reservation": "aucune", "arrives": "18:00"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Choisissez une catégorie" in text or "catégorie" in text
    assert db.session.scalar(select(func.count(MeetingParticipant.id))) == 1
    ok = c.post(f"/esspresso/{session.id}/acheteur", data={
        "organisation_id": profile.organisation_id, "category_id": category("traiteur"),
        "description": "Plateaux-repas pour 300 agents", "amount": "40k-90k",
        "timing": "6-mois", "need_territory": "metz", "reservation": "siae",
        "max_meetings": "5"})
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    me = db.session.scalar(select(MeetingParticipant).where(
        MeetingParticipant.organisation_id == profile.organisation_id))
    assert me.registration_id is not None  # registered to the event too (badge)
    page = c.get(f"/esspresso/{session.id}/catalogue").get_data(as_text=True)
    assert supplier.participant.display_name in page
    booking = c.get(f"/esspresso/{session.id}/reserver/{supplier.participant.id}")
    assert booking.status_code == 200
    r = c.post(f"/esspresso/{session.id}/reserver/{supplier.participant.id}", data={"slot": 4})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count(Meeting.id))) == 1
    detail = c.get(f"/esspresso/{session.id}").get_data(as_text=True)
    assert supplier.participant.display_name in detail and "Mes rendez-vous" in detail
    r = c.post(f"/esspresso/{session.id}/souhaits", data={
        "target": supplier.participant.id, "priority": 3})
    assert r.status_code == 302
    assert db.session.scalar(select(MeetingWish.priority)) == 3


def test_slot_just_taken_shows_the_nearest_free_slots(db, web, session, make_buyer,
                                                      make_supplier):
    b1, b2, supplier = make_buyer(), make_buyer(), make_supplier()
    c1, c2 = web(b1.user), web(b2.user)
    page = c2.get(f"/esspresso/{session.id}/reserver/{supplier.participant.id}")
    assert 'value="4"' in page.get_data(as_text=True)
    assert c1.post(f"/esspresso/{session.id}/reserver/{supplier.participant.id}",
                   data={"slot": 4}).status_code == 302
    late = c2.post(f"/esspresso/{session.id}/reserver/{supplier.participant.id}",
                   data={"slot": 4})
    assert late.status_code == 409
    text = html.unescape(late.get_data(as_text=True))
    assert "vient d'être pris" in text and "Créneaux libres les plus proches" in text
    assert len(re.findall(r"<strong>\d\d/\d\d/\d{4} \d\dh\d\d–\d\dh\d\d</strong>", text)) == 3


def test_every_write_route_refuses_the_wrong_user(db, web, session, make_buyer, make_supplier,
                                                  make_user, staff):
    from network.esspresso import meetings
    from network.meetings.models import Meeting, MeetingWish

    buyer, supplier = make_buyer(), make_supplier()
    meeting = meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 0,
                                    acting=buyer.user)
    db.session.commit()
    stranger, sid = web(make_user()), session.id
    as_supplier = web(supplier.user)
    as_buyer = web(buyer.user)
    pid, bid = supplier.participant.id, buyer.participant.id
    routes = [
        (stranger, f"/esspresso/{sid}/reserver/{pid}", {"slot": 1}),
        (as_supplier, f"/esspresso/{sid}/reserver/{pid}", {"slot": 1}),
        (as_supplier, f"/esspresso/{sid}/reserver/{bid}", {"slot": 1}),
        (stranger, f"/esspresso/{sid}/souhaits", {"target": pid, "priority": 2}),
        (stranger, f"/esspresso/{sid}/besoins", {"need-category_id": 1,
                                                 "need-description": "x"}),
        (as_supplier, f"/esspresso/{sid}/besoins", {"need-category_id": 1,
                                                    "need-description": "x",
                                                    "need-amount": "inconnu",
                                                    "need-timing": "6-mois",
                                                    "need-reservation": "aucune"}),
        (stranger, f"/esspresso/{sid}/rendez-vous/{meeting.id}/annuler", {}),
        (stranger, f"/esspresso/{sid}/rendez-vous/{meeting.id}/decliner", {}),
        (as_buyer, f"/esspresso/{sid}/rendez-vous/{meeting.id}/decliner", {}),
        (as_buyer, f"/esspresso/{sid}/planificateur", {}),
        (as_supplier, f"/esspresso/{sid}/planificateur", {}),
        (as_buyer, f"/esspresso/{sid}/planificateur/1/publier", {}),
        (as_buyer, f"/esspresso/{sid}/organisateurs", {"email": buyer.user.email}),
        (as_buyer, "/esspresso/nouvelle", {"event_id": 1, "slot_minutes": 20,
                                           "tables_count": 3}),
    ]
    for c, url, data in routes:
        r = c.post(url, data=data)
        assert r.status_code == 403, (url, r.status_code)
    for c, url in ((as_buyer, f"/esspresso/{sid}/organisation"),
                   (stranger, f"/esspresso/{sid}/catalogue"),
                   (as_buyer, f"/esspresso/{sid}/instance.json")):
        assert c.get(url).status_code == 403, url
    assert db.session.scalar(select(func.count(Meeting.id))) == 1
    assert db.session.scalar(select(func.count(MeetingWish.id))) == 0
    # and the right people may
    assert as_supplier.post(f"/esspresso/{sid}/rendez-vous/{meeting.id}/decliner",
                            data={"reason": "Déjà pris"}).status_code == 302
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_organiser_runs_and_publishes_from_the_page(db, web, session, make_buyer, make_supplier,
                                                    staff):
    from network.esspresso import meetings
    from network.meetings.models import Meeting, SchedulingRun

    buyers = [make_buyer() for _ in range(3)]
    suppliers = [make_supplier() for _ in range(3)]
    for b in buyers:
        for s in suppliers[:2]:
            meetings.mark_wish(session, b.participant.id, s.participant.id, 2, acting=b.user)
    db.session.commit()
    c = web(staff)
    page = c.get(f"/esspresso/{session.id}/organisation")
    assert page.status_code == 200 and "Lancer le planificateur" in page.get_data(as_text=True)
    r = c.post(f"/esspresso/{session.id}/planificateur")
    assert r.status_code == 302
    preview = c.get(f"/esspresso/{session.id}/organisation").get_data(as_text=True)
    assert "Aperçu de la proposition" in preview and "Temps morts" in preview
    assert "6 au total" in preview
    run_id = db.session.scalar(select(SchedulingRun.id))
    assert c.post(f"/esspresso/{session.id}/planificateur/{run_id}/publier").status_code == 302
    assert db.session.scalar(select(func.count(Meeting.id)).where(
        Meeting.is_published.is_(True))) == 6
    seen = web(suppliers[0].user).get(f"/esspresso/{session.id}").get_data(as_text=True)
    assert "Mon agenda" in seen and buyers[0].participant.display_name in seen
    instance = c.get(f"/esspresso/{session.id}/instance.json").get_json()
    assert len(instance["fixed"]) == 6


def test_staff_opens_a_session_for_an_esspresso_event(db, web, staff, esspresso_event):
    from network.meetings.models import MeetingSession

    c = web(staff)
    assert c.get("/esspresso/nouvelle").status_code == 200
    bad = c.post("/esspresso/nouvelle", data={"event_id": esspresso_event.id,
                                              "slot_minutes": 20, "tables_count": 30,
                                              "break_starts": "15:00", "break_ends": "14:00"})
    assert bad.status_code == 422 and "pause" in bad.get_data(as_text=True)
    # Bookings that would open after the session starts: refused at the field, nothing made.
    start = to_paris(esspresso_event.start_at)
    late = c.post("/esspresso/nouvelle", data={
        "event_id": esspresso_event.id, "slot_minutes": 20, "tables_count": 30,
        "booking_opens_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert late.status_code == 422
    assert "Les réservations ouvrent avant le début de la session" in late.get_data(as_text=True)
    assert db.session.scalar(select(MeetingSession)) is None
    opens = (start - timedelta(days=3)).replace(second=0, microsecond=0)
    ok = c.post("/esspresso/nouvelle", data={"event_id": esspresso_event.id,
                                             "slot_minutes": 20, "tables_count": 30,
                                             "break_starts": "15:20", "break_ends": "15:40",
                                             "booking_opens_at": opens.strftime("%Y-%m-%dT%H:%M")})
    assert ok.status_code == 302
    s = db.session.scalar(select(MeetingSession))
    assert len(s.slots) == 8 and s.tables_count == 30
    assert as_utc(s.booking_opens_at) == opens.astimezone(UTC)
    page = c.get(f"/esspresso/{s.id}").get_data(as_text=True)
    assert "à partir du" in page


@pytest.mark.parametrize("junk", ["", "\x00", "9" * 40, "-1", "a" * 5000, "‮é​"])
def test_junk_never_answers_500(db, web, session, make_buyer, make_supplier, junk):
    buyer, supplier = make_buyer(), make_supplier()
    c = web(buyer.user)
    sid, pid = session.id, supplier.participant.id
    for url, data in [
        (f"/esspresso/{sid}/reserver/{pid}", {"slot": junk}),
        (f"/esspresso/{sid}/souhaits", {"target": junk, "priority": junk}),
        (f"/esspresso/{sid}/besoins", {"need-category_id": junk, "need-description": junk,
                                       "need-amount": junk, "need-timing": junk,
                                       "need-reservation": junk, "need-need_territory": junk}),
        ("/esspresso/acheteurs/nouveau", {"name": junk, "buyer_type": junk, "siret": junk,
                                          "naf_code": junk, "postcode": junk,
                                          "commune": junk, "website": junk}),
        (f"/esspresso/{sid}/rendez-vous/{junk or 0}/annuler", {"reason": junk}),
    ]:
        r = c.post(url, data=data)
        assert r.status_code < 500, (url, r.status_code)
    r = c.get(f"/esspresso/{sid}/catalogue", query_string={
        "categorie": junk, "territoire": junk, "reserve": junk, "q": junk, "cote": junk})
    # NUL is refused site-wide with a French 400 (core/inputs.py); anything else is a filter.
    assert r.status_code == (400 if "\x00" in junk else 200)


def test_pages_render_with_the_demo_mail_preview_on(app, db, web, session, make_buyer,
                                                    make_supplier, staff):
    """`make run` shows the mail-preview notice, which reads Flask's `session` in base.html:
    the pages must not hide it under a variable of the same name."""
    app.config.update(MAIL_PREVIEW=True, MAIL_SERVER="")
    buyer, supplier = make_buyer(), make_supplier()
    sid = session.id
    pages = [f"/esspresso/{sid}", f"/esspresso/{sid}/catalogue",
             f"/esspresso/{sid}/reserver/{supplier.participant.id}", f"/esspresso/{sid}/acheteur",
             "/esspresso/", "/esspresso/acheteurs/nouveau"]
    for user, urls in ((buyer.user, pages),
                       (staff, [f"/esspresso/{sid}/organisation", "/esspresso/nouvelle"]),
                       (supplier.user, [f"/esspresso/{sid}", f"/esspresso/{sid}/catalogue"])):
        c = web(user)
        for url in urls:
            r = c.get(url, follow_redirects=True)
            assert r.status_code == 200, (url, r.status_code)


def test_staff_area_shows_esspresso_figures(db, web, session, make_buyer, make_supplier, staff):
    from network.esspresso import meetings

    buyer, supplier = make_buyer(), make_supplier()
    meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 1,
                          acting=buyer.user)
    db.session.commit()
    page = html.unescape(web(staff).get("/equipe/").get_data(as_text=True))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "ESSpresso" in text
    for label in ("1 Organisations acheteuses", "1 Acheteurs inscrits",
                  "1 Fournisseurs inscrits", "1 Rendez-vous (réservés ou planifiés)"):
        assert label in text, text[text.find("ESSpresso"):][:600]


def test_buyer_owner_builds_a_team_that_books(db, web, session, make_buyer, make_supplier,
                                              make_user):
    from network.meetings.models import Meeting

    buyer, supplier = make_buyer(), make_supplier()
    colleague, stranger = make_user(name="Collègue"), make_user()
    org = buyer.organisation_id
    owner = web(buyer.user)
    assert web(stranger).get(f"/esspresso/acheteurs/{org}/equipe").status_code == 403
    assert web(stranger).post(f"/esspresso/acheteurs/{org}/equipe",
                              data={"email": stranger.email}).status_code == 403
    unknown = owner.post(f"/esspresso/acheteurs/{org}/equipe", data={"email": "x@y.example"})
    assert unknown.status_code == 422
    assert "Aucun compte n'existe" in html.unescape(unknown.get_data(as_text=True))
    assert owner.post(f"/esspresso/acheteurs/{org}/equipe",
                      data={"email": colleague.email}).status_code == 302
    as_colleague = web(colleague)
    # an editor cannot add people, but books for the organisation
    assert as_colleague.post(f"/esspresso/acheteurs/{org}/equipe",
                             data={"email": stranger.email}).status_code == 403
    r = as_colleague.post(f"/esspresso/{session.id}/reserver/{supplier.participant.id}",
                          data={"slot": 2})
    assert r.status_code == 302
    assert db.session.scalar(select(func.count(Meeting.id))) == 1
    assert owner.post(f"/esspresso/acheteurs/{org}/equipe/{colleague.id}/retirer"
                      ).status_code == 302
    assert web(colleague).get(f"/esspresso/{session.id}/catalogue").status_code == 403



def test_personal_data_export_and_erase(db, web, session, make_buyer, make_user):
    from network.accounts import services as accounts
    from network.accounts.models import OrgRole
    from network.meetings.models import MeetingParticipant

    buyer = make_buyer()
    owner = make_user(name="Responsable qui reste")
    accounts.set_member(buyer.organisation_id, owner, OrgRole.OWNER, acting=buyer.user)
    db.session.commit()  # services flush; the request edge (here, the test) commits
    c = web(buyer.user)
    data = c.get("/compte/mes-donnees.json").get_json()
    [row] = data["rendez_vous_d_affaires"]
    assert row["contact"] == buyer.user.name and row["session"] == session.title
    accounts.delete_account(buyer.user, "correct horse battery staple moselle")
    db.session.expire_all()
    p = db.session.get(MeetingParticipant, buyer.participant.id)
    assert p is not None and p.contact_name == "" and p.registered_by_id is None
