"""Live arrivals and the devices page: staff only (anonymous, member, volunteer of this or
another event refused), the figures, the chart with its table, who has not come, the CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from network.core.time import utcnow
from network.events import arrivals, checkin, devices, door, registration
from network.events.door_models import DoorDevice


@pytest.fixture
def evening(make_event, make_user, make_staff, db):
    boss = make_staff(email="chef@example.org")
    event = make_event(capacity=20)
    regs = []
    for i, org in enumerate(("=HYPERLINK(\"x\")", "Régie de Borny", "")):
        user = make_user(email=f"p{i}@example.org", name=f"Personne {i}")
        answers = registration.prefill(user)
        answers.organisation_name = org
        regs.append(registration.register(event, answers, acting=user).registration)
    db.session.commit()
    base = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=30)
    checkin.check_in(event, regs[0].badge_code, acting=boss, now=base)
    checkin.check_in(event, regs[1].badge_code, acting=boss, now=base + timedelta(minutes=25))
    db.session.commit()
    return event, regs, boss


def test_per_ten_minutes_counts_and_fills_the_gaps(app):
    t = utcnow().replace(minute=0, second=0, microsecond=0)
    bins = arrivals.per_ten_minutes([t, t + timedelta(minutes=3), t + timedelta(minutes=31)])
    assert [n for _label, n in bins] == [2, 0, 0, 1]
    assert re.fullmatch(r"\d\dh00", bins[0][0]) and bins[1][0].endswith("h10")  # French: 18h40
    from network.core.i18n import in_locale

    with in_locale("de"):
        assert arrivals.per_ten_minutes([t])[0][0].endswith(":00 Uhr")
    assert arrivals.per_ten_minutes([]) == []


def test_staff_see_arrivals_chart_table_and_who_is_missing(app, client, login, evening):
    event, regs, boss = evening
    login(boss)
    r = client.get(f"/accueil/{event.id}/arrivees")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Arrivées : 2 sur 3 inscrit·es confirmé·es (67 %)" in html
    assert '<svg class="chart"' in html and "data-arrivals-table" in html
    assert 'http-equiv="refresh"' in html
    missing = html[html.index("data-arrivals-missing"):]
    assert "Personne 2" in missing and "Personne 0" not in missing
    r = client.get(f"/accueil/{event.id}/arrivees.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Nom", "Organisation", "Arrivée", "Accueilli·e par"]
    first = next(row for row in rows if row[0] == "Personne 0")
    assert first[1].startswith("'=") and first[2] and first[3]  # formula guarded


def test_arrivals_and_devices_refused_to_everyone_else(app, client, login, evening, make_user,
                                                       make_event, db):
    event, _regs, boss = evening
    paths = [f"/accueil/{event.id}/arrivees", f"/accueil/{event.id}/arrivees.csv",
             f"/accueil/{event.id}/appareils"]
    for path in paths:  # anonymous: sent to log in
        assert client.get(path).status_code == 302
    login(make_user(email="membre@example.org"))
    for path in paths:
        assert client.get(path).status_code == 403
    client.post("/deconnexion")
    other = make_event(title="Autre soirée")
    vol = door.invite(other, name="Vol", email="vol@example.org", acting=boss)
    db.session.commit()
    with client.session_transaction() as s:
        s.clear()
        s[door.SESSION_KEY] = door.session_value(vol)
    for path in paths:
        assert client.get(path).status_code in (302, 403)
    # …and the page's own token is only for this event's door team.
    r = client.post(f"/accueil/{event.id}/appareil")
    assert r.status_code == 403
    assert db.session.query(DoorDevice).count() == 0


def test_staff_issue_a_token_shown_once_and_revoke_it(app, client, login, evening, db):
    event, regs, boss = evening
    login(boss)
    page = client.get(f"/accueil/{event.id}/appareils")
    assert page.status_code == 200
    bad = client.post(f"/accueil/{event.id}/appareils", data={"name": "", "volunteer": ""})
    assert bad.status_code == 422 and "Donnez un nom" in bad.get_data(as_text=True)
    ok = client.post(f"/accueil/{event.id}/appareils", data={"name": "Entrée A",
                                                               "volunteer": ""})
    html = ok.get_data(as_text=True)
    token = html.split("data-new-token>")[1].split("<")[0]
    assert ok.status_code == 200 and token.startswith("door_")
    [dev] = devices.list_devices(event)
    assert dev.token_hash == devices.hash_token(token) and token not in dev.token_hash
    assert token not in client.get(f"/accueil/{event.id}/appareils").get_data(as_text=True)
    api = client.post("/api/v1/accueil/scans", json={"code": regs[2].badge_code},
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    client.post(f"/accueil/appareils/{dev.id}/retirer")
    api = client.post("/api/v1/accueil/scans", json={"code": regs[2].badge_code},
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401 and api.json["error"] == "token_revoked"


def test_volunteer_page_gets_its_own_device(app, client, evening, db):
    event, regs, boss = evening
    vol = door.invite(event, name="Bea", email="bea@example.org", acting=boss)
    db.session.commit()
    with client.session_transaction() as s:
        s[door.SESSION_KEY] = door.session_value(vol)
    r = client.post(f"/accueil/{event.id}/appareil")
    assert r.status_code == 200 and r.json["token"].startswith("door_")
    listing = client.get("/api/v1/accueil/liste",
                         headers={"Authorization": f"Bearer {r.json['token']}"})
    assert len(listing.json["people"]) == 3
