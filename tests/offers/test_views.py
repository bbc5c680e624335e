"""Offer pages over HTTP: wiring, status codes, and every permission tried with the wrong user."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest

from network.offers import answers
from network.offers.models import AnswerStatus, Offer, OfferAnswer, OfferState
from support import link_from_outbox, outbox_messages

MESSAGE = "Bonjour, je suis disponible tout de suite et très motivé par ce poste."


def _form(**overrides):
    values = {"kind": "cdd", "title": "Animatrice du jardin partagé", "commune": "Metz",
              "postcode": "57000", "territory": "metz",
              "closes_on": (date.today() + timedelta(days=20)).isoformat(),
              "description": "Animer le **jardin** avec les habitants.", "places": "2",
              "work_mode": "sur-place", "accessibility": ["rqth", "transports"],
              "skills": "jardinage, animation", "time_commitment": "24 h par semaine",
              "starts_on": ""}
    values.update(overrides)
    return values


def test_list_filters_live_in_the_url(client, make_offer):
    make_offer(title="Ouvrier maraîcher", kind="cddi")
    make_offer(title="Bénévole accueil", kind="benevolat")
    page = client.get("/offres/?q=MARAICHER&famille=emploi&territoire=metz")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ouvrier maraîcher" in html and "Bénévole accueil" not in html
    assert 'href="/offres/flux.atom?' in html and "/api/v1/offers?" in html


@pytest.mark.parametrize("query", [
    "?page=99999999999999999999", "?q=" + "x" * 5000, "?q=%00%01", "?debut_avant=9999-99-99",
    "?type=" + "&type=".join(["cdi"] * 100), "?q=%22%20OR%201%3D1", "?q=*", "?q=a%27b",
    "?tri=%00", "?commune=%E2%80%AE",
])
def test_odd_queries_never_fail(client, make_offer, query):
    make_offer()
    ok = 400 if "%00" in query else 200  # NUL: refused site-wide (core/inputs.py)
    assert client.get("/offres/" + query).status_code == ok
    assert client.get("/offres/flux.atom" + query).status_code == ok
    assert client.get("/api/v1/offers" + query).status_code in (ok, 422)


def test_offer_page_carries_job_posting_json_ld(client, make_offer):
    offer = make_offer(kind="service-civique", title="Médiation numérique")
    html = client.get(f"/offres/{offer.id}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["@type"] == "JobPosting" and data["title"] == "Médiation numérique"
    assert data["employmentType"] == ["VOLUNTEER"]
    assert data["validThrough"].startswith(offer.closes_on.isoformat())


def test_drafts_are_404_for_strangers_and_shown_to_the_team(client, login, make_offer, team,
                                                           make_user):
    draft = make_offer(publish=False)
    assert client.get(f"/offres/{draft.id}").status_code == 404
    login(make_user())
    assert client.get(f"/offres/{draft.id}").status_code == 404
    client.post("/deconnexion")
    login(team[1])
    assert client.get(f"/offres/{draft.id}").status_code == 200


def test_a_guest_answers_with_a_cv_and_confirms_by_mail(client, make_offer, make_pdf, team):
    offer = make_offer()
    response = client.post(f"/offres/{offer.id}/repondre", data={
        "name": "Léa Martin", "email": "lea@example.net", "message": MESSAGE,
        "phone": "06 12 34 56 78", "cv": (io.BytesIO(make_pdf()), "cv.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and "verifiez-vos-courriels" in response.location
    answer = OfferAnswer.query.one()
    assert answer.confirmed_at is None and answer.cv is not None
    confirmed = client.get(link_from_outbox("lea@example.net", "/confirmer/"))
    assert confirmed.status_code == 302
    page = client.get(confirmed.location)
    assert page.status_code == 200 and "Nouvelle" in page.get_data(as_text=True)
    assert outbox_messages(team[1].email)[-1].kind == "offer_answer_new"


def test_bad_answers_get_french_messages_at_the_field(client, make_offer):
    offer = make_offer()
    response = client.post(f"/offres/{offer.id}/repondre", data={
        "name": "", "email": "nope", "message": "trop court",
        "cv": (io.BytesIO(b"MZ\x90\x00 an exe"), "cv.pdf")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in html
    assert "Le CV doit être un fichier PDF" in html
    assert 'aria-invalid="true"' in html
    assert OfferAnswer.query.count() == 0


def test_honeypot_keeps_nothing(client, make_offer):
    offer = make_offer()
    response = client.post(f"/offres/{offer.id}/repondre", data={
        "name": "Robot", "email": "robot@example.net", "message": MESSAGE,
        "website": "http://spam.example"})
    assert response.status_code == 200
    assert OfferAnswer.query.count() == 0 and outbox_messages("robot@example.net") == []


@pytest.fixture
def limits_on(app_config):
    """Before the app is built: the limiter reads its settings at init."""
    app_config.update({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                       "OFFERS_ANSWER_RATE_LIMIT": "2 per hour"})


def test_answers_are_rate_limited_per_ip(limits_on, make_offer, client):
    offer = make_offer()
    codes = [client.post(f"/offres/{offer.id}/repondre", data={
        "name": "Léa", "email": f"lea{n}@example.net", "message": MESSAGE}).status_code
        for n in range(3)]
    assert codes == [302, 302, 429]
    assert OfferAnswer.query.count() == 2


# --- the team's pages ---------------------------------------------------------------------------

def test_team_creates_edits_and_publishes_through_the_pages(client, login, team):
    structure, owner = team
    login(owner)
    assert client.get("/offres/publier").status_code == 302
    assert client.get(f"/offres/structure/{structure.id}/nouvelle").status_code == 200
    bad = client.post(f"/offres/structure/{structure.id}/nouvelle",
                      data=_form(title="", closes_on="2001-01-01", territory="lune"))
    assert bad.status_code == 422 and Offer.query.count() == 0
    assert "La date limite est déjà passée." in bad.get_data(as_text=True)
    created = client.post(f"/offres/structure/{structure.id}/nouvelle", data=_form())
    assert created.status_code == 302
    offer = Offer.query.one()
    assert offer.accessibility == ["rqth", "transports"] and offer.places == 2
    assert client.post(f"/offres/{offer.id}/modifier",
                       data=_form(title="Animateur·rice du jardin")).status_code == 302
    assert client.post(f"/offres/{offer.id}/publier").status_code == 302
    offer = Offer.query.one()
    assert offer.state == OfferState.PUBLISHED and offer.title == "Animateur·rice du jardin"
    listing = client.get(f"/offres/structure/{structure.id}").get_data(as_text=True)
    assert "Animateur·rice du jardin" in listing


@pytest.mark.parametrize("who", ["anonymous", "stranger", "other_team", "answerer",
                                 "unverified_member"])
def test_team_pages_refuse_everyone_else(client, login, make_offer, make_user, make_structure,
                                         make_pdf, team, who):
    structure, owner = team
    offer = make_offer()
    answerer = make_user()
    answer = answers.answer_offer(offer, answers.AnswerData(message=MESSAGE, cv=make_pdf()),
                                  acting=answerer)
    from network.extensions import db

    db.session.commit()
    if who == "stranger":
        login(make_user())
    elif who == "other_team":
        other = make_user()
        make_structure(other)
        login(other)
    elif who == "answerer":
        login(answerer)
    elif who == "unverified_member":  # in the team, but the address is not confirmed
        from network.accounts import services as accounts
        from network.accounts.models import OrgRole

        member = make_user()  # verified to join, then unverified
        accounts.set_member(structure.organisation_id, member, OrgRole.EDITOR, acting=owner)
        member.email_verified_at = None
        db.session.commit()
        login(member)
    gets = [f"/offres/structure/{structure.id}", f"/offres/structure/{structure.id}/nouvelle",
            f"/offres/{offer.id}/modifier", f"/offres/{offer.id}/reponses"]
    posts = [(f"/offres/{offer.id}/fermer", {}), (f"/offres/{offer.id}/pourvue", {}),
             (f"/offres/{offer.id}/supprimer", {}),
             (f"/offres/{offer.id}/modifier", _form()),
             (f"/offres/reponses/{answer.id}/etat", {"status": "retained"})]
    for url in gets:
        status = client.get(url).status_code
        assert status in ((302,) if who == "anonymous" else (403, 404)), url
    for url, data in posts:
        status = client.post(url, data=data).status_code
        assert status in ((302,) if who == "anonymous" else (403, 404)), url
    cv = client.get(f"/offres/reponses/{answer.id}/cv")
    if who == "answerer":
        assert cv.status_code == 200  # their own CV
    else:
        assert cv.status_code in ((302,) if who == "anonymous" else (404,))
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).state == OfferState.PUBLISHED
    assert db.session.get(OfferAnswer, answer.id).status == AnswerStatus.NEW
    # the public page never shows who answered
    client.post("/deconnexion")
    assert answerer.email not in client.get(f"/offres/{offer.id}").get_data(as_text=True)


def test_the_team_reads_answers_and_marks_one_retained(client, login, make_offer, make_user,
                                                       make_pdf, team):
    offer = make_offer()
    person = make_user(name="Sam Candidate")
    answer = answers.answer_offer(offer, answers.AnswerData(message=MESSAGE, cv=make_pdf()),
                                  acting=person)
    from network.extensions import db

    db.session.commit()
    login(team[1])
    page = client.get(f"/offres/{offer.id}/reponses").get_data(as_text=True)
    assert "Sam Candidate" in page and MESSAGE in page and person.email in page
    cv = client.get(f"/offres/reponses/{answer.id}/cv")
    assert cv.status_code == 200 and cv.mimetype == "application/pdf"
    # Never kept by a shared cache: no-store for any page a logged-in person gets.
    assert cv.headers["Cache-Control"].startswith(("private", "no-store"))
    refused = client.post(f"/offres/reponses/{answer.id}/etat", data={"status": "not-retained"})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(OfferAnswer, answer.id).status == AnswerStatus.NEW
    client.post(f"/offres/reponses/{answer.id}/etat", data={"status": "retained"})
    assert outbox_messages(person.email)[-1].kind == "offer_answer_status"
    client.post("/deconnexion")
    login(person)
    mine = client.get("/offres/mes-candidatures").get_data(as_text=True)
    assert "Retenue" in mine
    assert "/offres/mes-candidatures" in client.get("/compte").get_data(as_text=True)


def test_staff_unpublish_with_a_reason(client, login, make_offer, make_staff, make_user, team):
    offer = make_offer()
    login(make_user())
    assert client.post(f"/offres/{offer.id}/retirer", data={"reason": "Non"}).status_code == 403
    client.post("/deconnexion")
    login(make_staff())
    assert client.get("/offres/gestion").status_code == 200
    assert client.post(f"/offres/{offer.id}/retirer", data={"reason": ""}).status_code == 422
    done = client.post(f"/offres/{offer.id}/retirer",
                       data={"reason": "Offre en double avec la n° 12."})
    assert done.status_code == 302
    assert Offer.query.one().state == OfferState.DRAFT
    assert outbox_messages(team[1].email)[-1].kind == "offer_unpublished"


# --- feed, API, crawlers, profile -----------------------------------------------------------------

def test_atom_feed_parses(client, make_offer):
    make_offer(title="Mécanicien cycles", kind="cddi")
    make_offer(title="Bénévole jardin", kind="benevolat")
    response = client.get("/offres/flux.atom?famille=engagement")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert len(titles) == 1 and titles[0].startswith("Bénévole jardin")


def test_api_lists_public_fields_only(client, make_offer, make_user):
    offer = make_offer(title="Ouvrier maraîcher", kind="cddi")
    answers.answer_offer(offer, answers.AnswerData(message=MESSAGE), acting=make_user())
    from network.extensions import db

    db.session.commit()
    body = client.get("/api/v1/offers?q=maraicher&type=cddi&per_page=5").json
    assert body["total"] == 1 and body["per_page"] == 5
    item = body["offres"][0]
    assert item["titre"] == "Ouvrier maraîcher" and item["type"]["code"] == "cddi"
    assert set(item) == {"id", "titre", "type", "famille", "etat", "description", "structure",
                         "commune", "code_postal", "territoire", "debut", "temps", "places",
                         "modalite", "accessibilite", "competences", "date_limite",
                         "publiee_le", "url"}
    assert client.get(f"/api/v1/offers/{offer.id}").json["id"] == offer.id
    bad = client.get("/api/v1/offers?per_page=100000")
    assert bad.status_code == 422 and bad.json["error"] == "invalid_page"
    assert client.get("/api/v1/offers/999999").status_code == 404


def test_api_answers_304_to_a_client_holding_the_same_body(client, make_offer, db):
    offer = make_offer(title="Animatrice jardin partagé")
    db.session.commit()
    for url in ("/api/v1/offers?q=jardin", f"/api/v1/offers/{offer.id}"):
        first = client.get(url)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and first.headers["Access-Control-Allow-Origin"] == "*"
        assert "max-age=300" in first.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    # A change to the offer is a new body, hence a new ETag: the old one gets the full answer.
    offer.title = "Animatrice jardin partagé (poste pourvu)"
    db.session.commit()
    changed = client.get(f"/api/v1/offers/{offer.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["titre"].endswith("(poste pourvu)")
    assert changed.headers["ETag"] != etag


def test_openapi_documents_the_offers_api(client):
    spec = client.get("/api/v1/openapi.json").json
    path = spec["paths"]["/api/v1/offers"]["get"]
    names = {p["name"] for p in path["parameters"]}
    assert {"q", "type", "famille", "territoire", "secteur", "commune", "debut_avant", "page",
            "per_page", "If-None-Match"} <= names
    assert "304" in path["responses"] and "ETag" in path["responses"]["200"]["headers"]


def test_robots_and_sitemap_list_public_pages(client, make_offer, team):
    offer = make_offer()
    draft = make_offer(publish=False, title="Brouillon secret")
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /compte" in robots
    root = ET.fromstring(client.get("/sitemap.xml").data)
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert f"http://localhost/offres/{offer.id}" in locs
    assert f"http://localhost/offres/{draft.id}" not in locs
    assert f"http://localhost/annuaire/{team[0].id}" in locs
    assert "http://localhost/evenements/" in locs


def test_profile_shows_the_response_rate(client, make_offer, make_user, team):
    offer = make_offer()
    owner = team[1]
    for n in range(3):
        answer = answers.answer_offer(offer, answers.AnswerData(message=MESSAGE),
                                      acting=make_user())
        if n < 2:
            answers.set_answer_status(answer, "contacted", acting=owner)
    from network.extensions import db

    db.session.commit()
    html = client.get(f"/annuaire/{team[0].id}").get_data(as_text=True)
    assert "répond à 67 % des candidatures" in html
    assert f"/offres/{offer.id}" in html


def test_saved_search_from_the_list_page(client, login, make_user, make_offer):
    person = make_user()
    login(person)
    response = client.post("/offres/alertes", data={"criteria": "q=jardin&type=cdi"})
    assert response.status_code == 302 and "q=jardin" in response.location
    make_offer(title="Jardinier", kind="cdi")
    assert outbox_messages(person.email)[-1].kind == "offer_alert"
    client.post("/deconnexion")
    guest = client.post("/offres/alertes", data={"criteria": "q=jardin", "email": "nope"})
    assert guest.status_code == 302  # back to the list, the error flashed
