"""Hostile input on every offer form and URL: never a 5xx, and nothing kept on refusal."""

from __future__ import annotations

import pytest

from network.offers.models import Offer, OfferAnswer, SavedSearch

NASTY = ["x" * 100_000, "a\x00b", "ligne\r\nBcc: pirate@example.org", "\u202eevil\u200b",
         "9999-12-31", "0001-01-01", str(2**63 + 1), "-1", "<script>alert(1)</script>",
         "=HYPERLINK(\"http://x\")", "' OR 1=1 --", "\U0001F600" * 50]
OFFER_FIELDS = ["kind", "title", "description", "commune", "postcode", "territory",
                "starts_on", "time_commitment", "places", "work_mode", "accessibility",
                "skills", "closes_on"]


def _valid_offer():
    from datetime import date, timedelta

    return {"kind": "cdi", "title": "Poste valable", "description": "Une mission.",
            "commune": "Metz", "postcode": "57000", "territory": "metz", "starts_on": "",
            "time_commitment": "", "places": "1", "work_mode": "sur-place",
            "accessibility": "rqth", "skills": "",
            "closes_on": (date.today() + timedelta(days=9)).isoformat()}


@pytest.mark.parametrize("value", NASTY)
def test_offer_form_fields(client, login, team, value):
    structure, owner = team
    login(owner)
    for name in OFFER_FIELDS:
        data = _valid_offer() | {name: value}
        before = Offer.query.count()
        response = client.post(f"/offres/structure/{structure.id}/nouvelle", data=data)
        assert response.status_code < 500, (name, value[:20])
        if response.status_code != 302:
            assert Offer.query.count() == before, (name, value[:20])
        else:  # accepted: what was kept holds no control character
            offer = Offer.query.order_by(Offer.id.desc()).first()
            assert "\x00" not in offer.title + offer.commune + offer.description
            assert "\n" not in offer.title and "\r" not in offer.title


@pytest.mark.parametrize("value", NASTY)
def test_answer_and_alert_fields(db, client, make_offer, value):
    offer = make_offer()
    good = {"name": "Léa", "email": "lea@example.net", "phone": "",
            "message": "Bonjour, je suis disponible dès maintenant pour ce poste."}
    for name in ("name", "email", "phone", "message"):
        response = client.post(f"/offres/{offer.id}/repondre", data=good | {name: value})
        assert response.status_code < 500, (name, value[:20])
        if response.status_code != 302:
            assert OfferAnswer.query.filter_by(email=good["email"]).count() == 0
        OfferAnswer.query.delete()
        db.session.commit()
    for data in ({"criteria": value, "email": "a@example.net"},
                 {"criteria": "q=x", "email": value},
                 {"criteria": f"type={value}&commune={value}", "email": "b@example.net"}):
        assert client.post("/offres/alertes", data=data).status_code < 500
    for alert in SavedSearch.query.all():
        assert "\x00" not in str(alert.criteria)
    query = {"q": value, "type": value, "commune": value, "territoire": value,
             "secteur": value, "debut_avant": value, "mode": value, "page": value}
    ok = 400 if "\x00" in value else 200  # NUL: refused site-wide (core/inputs.py)
    assert client.get("/offres/", query_string=query).status_code == ok
    assert client.get("/api/v1/offers", query_string=query).status_code in (ok, 422)
    assert client.get("/offres/flux.atom", query_string=query).status_code == ok


def test_huge_ids_in_urls(client, login, team, make_staff):
    big = 2**63 + 7
    for url in (f"/offres/{big}", f"/api/v1/offers/{big}", f"/offres/candidature/{big}"):
        assert client.get(url).status_code in (400, 404), url
    login(team[1])
    for url in (f"/offres/structure/{big}", f"/offres/structure/{big}/nouvelle",
                f"/offres/{big}/modifier", f"/offres/{big}/reponses",
                f"/offres/reponses/{big}/cv"):
        assert client.get(url).status_code == 404, url
    for url in (f"/offres/{big}/publier", f"/offres/reponses/{big}/etat",
                f"/offres/alertes/{big}/supprimer"):
        assert client.post(url, data={"status": "retained"}).status_code in (302, 404), url
    client.post("/deconnexion")
    login(make_staff())
    assert client.post(f"/offres/{big}/retirer", data={"reason": "raison"}).status_code == 404


def test_api_query_strings_from_hypothesis(app, client, make_offer):
    """Random query strings on the API and the list: a JSON answer (200, 422, or 400 for a
    NUL), never 5xx."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    make_offer()
    names = st.sampled_from(["q", "type", "famille", "territoire", "secteur", "commune", "mode",
                             "debut_avant", "tri", "page", "per_page", "x"])
    values = st.one_of(st.text(max_size=300), st.integers(min_value=-2**70, max_value=2**70)
                       .map(str), st.dates().map(lambda d: d.isoformat()))

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(names, values), max_size=6))
    def check(pairs):
        # The site-wide rule: a NUL anywhere in the query is refused with 400 (JSON on the API).
        nul = any("\x00" in str(name) + str(value) for name, value in pairs)
        response = client.get("/api/v1/offers", query_string=pairs)
        expected = (400,) if nul else (200, 422)
        assert response.status_code in expected, (pairs, response.status_code)
        assert response.is_json
        assert client.get("/offres/", query_string=pairs).status_code == (400 if nul else 200)

    check()
