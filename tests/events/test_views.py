"""Wiring, status codes and permissions of the event pages (every write route, wrong user)."""

from __future__ import annotations

import json
import re

import icalendar
import pytest

from network.events import queries, registration
from network.events.models import EventStatus, RegistrationStatus
from network.events.rules import VISITOR
from support import link_from_outbox, outbox_messages

STAFF_GETS = ["/evenements/gestion/", "/evenements/gestion/nouveau",
              "/evenements/gestion/{id}/modifier", "/evenements/gestion/{id}/inscriptions",
              "/evenements/gestion/{id}/inscriptions.csv"]
STAFF_POSTS = ["/evenements/gestion/nouveau", "/evenements/gestion/{id}/modifier",
               "/evenements/gestion/{id}/publier", "/evenements/gestion/{id}/annuler",
               "/evenements/gestion/{id}/dupliquer",
               "/evenements/gestion/{id}/inscriptions/ajouter",
               "/evenements/gestion/{id}/message",
               "/evenements/gestion/inscriptions/{reg}/cancel",
               "/evenements/gestion/inscriptions/{reg}/confirm"]


def test_public_pages(client, make_event):
    event = make_event(title="Petit-déjeuner à Forbach", territory="forbach-boulay",
                       description="**Café** offert")
    make_event(title="Brouillon secret", status=EventStatus.DRAFT)
    page = client.get("/evenements/").get_data(as_text=True)
    assert "Petit-déjeuner à Forbach" in page and "Brouillon secret" not in page
    assert "webcal://" in page
    assert "Petit-déjeuner à Forbach" not in client.get(
        "/evenements/?territoire=metz").get_data(as_text=True)
    response = client.get(f"/evenements/{event.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10 places restantes sur 10" in html and "<strong>Café</strong>" in html
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "Event" and ld["remainingAttendeeCapacity"] == 10
    assert ld["startDate"].endswith("+01:00") or ld["startDate"].endswith("+02:00")
    assert "Prochains événements" in client.get("/").get_data(as_text=True)
    ics = client.get(f"/evenements/{event.id}/agenda.ics")
    assert ics.content_type.startswith("text/calendar")
    assert icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]["SUMMARY"] == event.title
    assert client.get("/evenements/agenda.ics?type=soiree").status_code == 200


def test_draft_is_hidden_from_public_and_members(client, make_event, make_user, login):
    draft = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/evenements/{draft.id}").status_code == 404
    login(make_user())
    assert client.get(f"/evenements/{draft.id}").status_code == 404
    assert client.post(f"/evenements/{draft.id}/inscription",
                       data={"name": "X", "email": "x@example.org"}).status_code == 404


def test_staff_routes_refuse_anonymous_and_members(app, client, make_event, make_user, login,
                                                  guest, db):
    event = make_event()
    reg = registration.register(event, guest(1), acting=VISITOR).registration
    db.session.commit()
    paths = [p.format(id=event.id, reg=reg.id) for p in STAFF_GETS]
    posts = [p.format(id=event.id, reg=reg.id) for p in STAFF_POSTS]
    for path in paths:
        assert client.get(path).status_code == 302, path  # to the log-in page
    for path in posts:
        assert client.post(path, data={"title": "x"}).status_code == 302, path
    login(make_user())
    for path in paths:
        assert client.get(path).status_code == 403, path
    for path in posts:
        assert client.post(path, data={"title": "x", "subject": "s", "body": "b"}
                           ).status_code == 403, path
    assert queries.get_event(event.id).status == EventStatus.PUBLISHED
    assert queries.get_registration(reg.id).status == RegistrationStatus.PENDING
    assert len(queries.list_all_events()) == 1


def test_staff_create_edit_publish_duplicate_cancel(client, make_staff, login, territory):
    login(make_staff())
    form = {"kind": "petit-dejeuner", "title": "Petit-déjeuner de Thionville",
            "start_at": "2030-04-02T08:30", "end_at": "2030-04-02T10:30",
            "territory_id": territory["thionville"].id, "capacity": "30", "asks_dietary": "y"}
    bad = client.post("/evenements/gestion/nouveau", data={**form, "end_at": "2030-04-02T07:00"})
    assert bad.status_code == 422 and "La fin doit être après le début" in bad.get_data(True)
    response = client.post("/evenements/gestion/nouveau", data=form)
    assert response.status_code == 302
    event_id = int(response.location.rsplit("/", 1)[1])
    event = queries.get_event(event_id)
    assert event.status == EventStatus.DRAFT and event.asks_dietary
    assert event.start_at.isoformat() == "2030-04-02T06:30:00+00:00"  # 8h30 CEST
    edit = client.get(f"/evenements/gestion/{event_id}/modifier").get_data(as_text=True)
    assert 'value="2030-04-02T08:30"' in edit
    assert client.post(f"/evenements/gestion/{event_id}/modifier",
                       data={**form, "venue_name": "Salle B"}).status_code == 302
    assert client.post(f"/evenements/gestion/{event_id}/publier").status_code == 302
    assert queries.get_event(event_id).status == EventStatus.PUBLISHED
    copy = client.post(f"/evenements/gestion/{event_id}/dupliquer")
    assert copy.status_code == 302 and "/modifier" in copy.location
    assert client.post(f"/evenements/gestion/{event_id}/annuler").status_code == 302
    assert queries.get_event(event_id).status == EventStatus.CANCELLED
    page = client.get("/evenements/gestion/").get_data(as_text=True)
    assert "(copie)" in page and "Annulé" in page


def test_staff_registrations_list_csv_add_message(client, make_staff, login, make_event, guest,
                                                 db):
    event = make_event()
    registration.register(event, guest(1, name="Zoé Durand"), acting=VISITOR)
    db.session.commit()
    login(make_staff())
    page = client.get(f"/evenements/gestion/{event.id}/inscriptions?q=zo").get_data(True)
    assert "Zoé Durand" in page and "Inscriptions par jour" in page
    csv = client.get(f"/evenements/gestion/{event.id}/inscriptions.csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and b";" in csv.data
    assert "attachment" in csv.headers["Content-Disposition"]
    added = client.post(f"/evenements/gestion/{event.id}/inscriptions/ajouter",
                        data={"name": "Léa Martin", "email": "lea@example.org"})
    assert added.status_code == 302
    assert outbox_messages("lea@example.org")[-1].kind == "event_confirmed"
    assert client.post(f"/evenements/gestion/{event.id}/message",
                       data={"subject": "Infos", "body": "Parking"}).status_code == 302
    assert outbox_messages("lea@example.org")[-1].subject == "Infos"


def test_guest_registration_errors_in_french(client, make_event):
    event = make_event()
    response = client.post(f"/evenements/{event.id}/inscription",
                           data={"name": "", "email": "pas-une-adresse"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ce champ est obligatoire." in html and "adresse e-mail valide" in html
    closed = make_event(status=EventStatus.CANCELLED)
    response = client.post(f"/evenements/{closed.id}/inscription",
                           data={"name": "A", "email": "a@example.org"})
    assert response.status_code == 409
    assert "Cet événement est annulé" in response.get_data(as_text=True)


def test_guest_confirms_manages_and_cancels_by_link(client, make_event):
    event = make_event()
    response = client.post(f"/evenements/{event.id}/inscription",
                           data={"name": "Alex", "email": "alex@example.org"})
    assert response.status_code == 302
    assert client.get(response.location).status_code == 200
    assert client.get(link_from_outbox("alex@example.org", "/confirmer/")).status_code == 200
    manage = link_from_outbox("alex@example.org", "/evenements/inscription/").removesuffix("/badge")
    assert "Inscription confirmée" in client.get(manage).get_data(as_text=True)
    assert client.post(manage + "/annuler").status_code == 302
    assert queries.get_event(event.id).seats_taken == 0
    tampered = client.get(manage[:-3] + "abc")
    assert tampered.status_code == 400
    assert "Lien non valide" in tampered.get_data(as_text=True)
    assert client.post(manage[:-3] + "abc/annuler").status_code == 400
    assert client.get("/evenements/confirmer/faux").status_code == 400


def test_signed_in_one_click_account_page_and_personal_feed(client, make_event, make_user,
                                                            login):
    event = make_event(title="Forum de Metz")
    user = make_user()
    login(user)
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert user.name in page and 'name="email"' not in page  # answers come from the profile
    assert client.post(f"/evenements/{event.id}/inscription", data={}).status_code == 302
    account = client.get("/compte").get_data(as_text=True)
    assert "Forum de Metz" in account and "Inscription confirmée" in account
    assert "Mon badge pour Forum de Metz" in account
    badge_path = account.split('href="/evenements/inscription/')[1].split('"')[0]
    assert "Forum de Metz" in client.get("/evenements/inscription/" + badge_path).get_data(
        as_text=True)
    assert f"/evenements/agenda/{user.calendar_token}.ics" in account
    feed = client.get(f"/evenements/agenda/{user.calendar_token}.ics")
    assert feed.status_code == 200
    assert "Forum de Metz" in feed.get_data(as_text=True)
    assert client.get("/evenements/agenda/faux.ics").status_code == 404


def test_cancel_mine_refuses_someone_elses_registration(client, make_event, make_user, login,
                                                        guest, db):
    event = make_event()
    other = registration.register(event, guest(1), acting=VISITOR).registration
    db.session.commit()
    login(make_user())
    assert client.post(f"/evenements/mes-inscriptions/{other.id}/annuler").status_code == 404
    assert queries.get_registration(other.id).status == RegistrationStatus.PENDING


def test_group_page_needs_login(client, make_event):
    event = make_event()
    assert client.get(f"/evenements/{event.id}/groupe").status_code == 302


@pytest.mark.parametrize("path", ["/evenements/999", "/evenements/999/agenda.ics"])
def test_unknown_event(client, path):
    assert client.get(path).status_code == 404


def test_territories_come_from_the_directory_list(client, db, login, make_staff, make_event):
    from network.directory import reference as directory
    from network.events.territories import territories

    staff = make_staff()
    directory.ensure_reference_data()
    added = directory.add_reference("territoires", "Pays de Bitche", acting=staff)
    db.session.commit()  # services flush; the request edge commits
    assert territories()[added.code] == "Pays de Bitche"
    login(staff)
    form = client.get("/evenements/gestion/nouveau").get_data(as_text=True)
    assert f'value="{added.id}"' in form and "Pays de Bitche" in form
    event = make_event(territory=added.code, title="Petit-déjeuner à Bitche")
    assert event.territory_id == added.id  # a key to the one reference table
    listing = client.get(f"/evenements/?territoire={added.code}").get_data(as_text=True)
    assert "Petit-déjeuner à Bitche" in listing and "Pays de Bitche" in listing
    directory.set_reference_active("territoires", added.id, False, acting=staff)
    db.session.commit()
    assert added.code not in territories()
    assert event.territory_label == "Pays de Bitche"  # past events keep their label
    # The edit form of that event still offers its (deactivated) territory.
    edit = client.get(f"/evenements/gestion/{event.id}/modifier").get_data(as_text=True)
    assert f'value="{added.id}" selected' in edit or f'selected value="{added.id}"' in edit
