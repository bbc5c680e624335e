"""Door volunteers: invited by staff through the outbox (delivered by a real SMTP server), the
link proves the address and opens an event-scoped session that ends with the event or when
staff revoke it. Every door route is tried with the wrong party."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.errors import PermissionDenied, ValidationError
from network.core.time import utcnow
from network.events import door, registration, rules
from network.events.models import DoorVolunteer, Registration, RegistrationStatus
from network.outbox.services import deliver_due
from support import link_from_outbox, links_in, mail_text, path_of

S = RegistrationStatus


@pytest.fixture
def setup(make_event, make_user, make_staff, db):
    event = make_event(title="Soirée du 2 décembre")
    other = make_event(title="Autre soirée")
    person = make_user(name="Sacha Participant")
    reg = registration.register(event, registration.prefill(person), acting=person).registration
    return event, other, reg, make_staff(name="Claire Staff")


def invite(db, event, staff, email="benevole@example.org", name="Bénévole Bea"):
    vol = door.invite(event, name=name, email=email, acting=staff)
    db.session.commit()
    return vol


def scan(client, event_id, code):
    return client.post(f"/accueil/{event_id}/scan", data={"code": code},
                       headers={"Accept": "application/json"})


def test_staff_invite_from_the_page_and_the_mail_arrives(smtp_config, client, login, db,
                                                          setup):
    event, _other, _reg, staff = setup
    login(staff)
    page = client.get(f"/accueil/{event.id}/benevoles")
    assert page.status_code == 200
    bad = client.post(f"/accueil/{event.id}/benevoles", data={"name": "", "email": "x"})
    assert bad.status_code == 422
    assert db.session.scalar(db.select(db.func.count(DoorVolunteer.id))) == 0
    done = client.post(f"/accueil/{event.id}/benevoles",
                       data={"name": "Bea Bénévole", "email": "Bea@Example.org"})
    assert done.status_code == 302
    assert deliver_due().sent >= 1
    mail = next(m for m in smtp_config.wait_for(1) if m["To"] == "bea@example.org")
    assert "Soirée du 2 décembre" in mail["Subject"]
    link = next(u for u in links_in(mail_text(mail)) if "/accueil/lien/" in u)
    client.post("/deconnexion")
    opened = client.get(path_of(link))
    assert opened.status_code == 302 and opened.location.endswith(f"/accueil/{event.id}")
    assert client.get(f"/accueil/{event.id}").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(DoorVolunteer)).verified_at is not None


def test_a_volunteer_checks_in_for_their_event_only(client, db, setup):
    event, other, reg, staff = setup
    invite(db, event, staff)
    assert client.get(link_from_outbox("benevole@example.org", "/accueil/lien/")).status_code \
        == 302
    answer = scan(client, event.id, reg.badge_code)
    assert answer.status_code == 200 and answer.json["by"] == "Bénévole Bea"
    again = scan(client, event.id, reg.badge_code)
    assert again.status_code == 409 and "(par Bénévole Bea)" in again.json["message"]
    # Another event: every door route is refused, nothing changes.
    other_reg = registration.register(
        other, registration.Answers(name="Autre", email="a@example.org"),
        acting=staff).registration
    for method, url, data in (
            ("get", f"/accueil/{other.id}", None),
            ("post", f"/accueil/{other.id}/scan", {"code": other_reg.badge_code}),
            ("post", f"/accueil/{other.id}/annuler/{other_reg.id}", {}),
            ("post", f"/accueil/{other.id}/sur-place", {"name": "X", "email": "x@example.org"}),
            ("get", f"/accueil/{event.id}/benevoles", None),
            ("get", f"/accueil/{event.id}/impression", None),
            ("get", f"/accueil/{event.id}/emargement.pdf", None)):
        response = getattr(client, method)(url, data=data)
        assert response.status_code in (302, 403), url
        if method == "post" or "/accueil/" + str(other.id) in url:
            assert response.status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Registration, other_reg.id).checked_in_at is None
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 2


def test_revoked_or_expired_volunteers_are_refused(client, db, setup):
    event, _other, reg, staff = setup
    vol = invite(db, event, staff)
    client.get(link_from_outbox("benevole@example.org", "/accueil/lien/"))
    assert client.get(f"/accueil/{event.id}").status_code == 200
    door.revoke(vol, acting=staff)
    db.session.commit()
    refused = client.get(f"/accueil/{event.id}")
    assert refused.status_code == 403 and "expiré ou a été retiré" in refused.get_data(as_text=True)
    assert scan(client, event.id, reg.badge_code).status_code == 403
    # The old link no longer works either; a new invitation gives a new one.
    old = link_from_outbox("benevole@example.org", "/accueil/lien/")
    assert client.get(old).status_code == 404
    invite(db, event, staff)
    assert client.get(link_from_outbox("benevole@example.org", "/accueil/lien/")).status_code \
        == 302
    assert client.get(f"/accueil/{event.id}").status_code == 200
    # The event ends: two hours later the session and the link stop working.
    event.start_at = utcnow() - timedelta(hours=6)
    event.end_at = utcnow() - timedelta(hours=2, minutes=1)
    db.session.commit()
    for method, url, data in (
            ("get", f"/accueil/{event.id}", None),
            ("post", f"/accueil/{event.id}/scan", {"code": reg.badge_code}),
            ("post", f"/accueil/{event.id}/annuler/{reg.id}", {}),
            ("post", f"/accueil/{event.id}/sur-place", {"name": "X", "email": "x@example.org"})):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    expired = client.get(link_from_outbox("benevole@example.org", "/accueil/lien/"))
    assert expired.status_code == 409 and "expiré" in expired.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at is None


def test_leaving_ends_the_session(client, db, setup):
    event, _other, _reg, staff = setup
    invite(db, event, staff)
    client.get(link_from_outbox("benevole@example.org", "/accueil/lien/"))
    assert client.post("/accueil/quitter").status_code == 302
    assert client.get(f"/accueil/{event.id}").status_code == 302  # to the login page


def test_only_staff_invite_or_revoke(client, login, db, setup, make_user):
    event, _other, _reg, staff = setup
    member = make_user()
    with pytest.raises(PermissionDenied):
        door.invite(event, name="X", email="x@example.org", acting=member)
    vol = invite(db, event, staff)
    with pytest.raises(PermissionDenied):
        door.revoke(vol, acting=member)
    with pytest.raises(ValidationError) as err:
        door.invite(event, name=" ", email="pas-une-adresse", acting=staff)
    assert set(err.value.field_errors) == {"name", "email"}
    login(member)
    assert client.post(f"/accueil/benevoles/{vol.id}/retirer").status_code == 403
    assert client.post(f"/accueil/{event.id}/benevoles",
                       data={"name": "Y", "email": "y@example.org"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(DoorVolunteer, vol.id).revoked_at is None
    assert db.session.scalar(db.select(db.func.count(DoorVolunteer.id))) == 1
    client.post("/deconnexion")
    login(staff)
    assert client.post(f"/accueil/benevoles/{vol.id}/retirer").status_code == 302
    db.session.expire_all()
    assert db.session.get(DoorVolunteer, vol.id).revoked_at is not None


def test_tampered_links_are_refused(client, db, setup):
    event, _other, _reg, staff = setup
    invite(db, event, staff)
    link = link_from_outbox("benevole@example.org", "/accueil/lien/")
    assert client.get(link[:-3] + "abc").status_code == 400
    assert client.get("/accueil/lien/nimportequoi").status_code == 400
    assert client.get(f"/accueil/{event.id}").status_code == 302


def test_demo_evening_has_volunteers_and_a_printed_badge(app, db, make_staff, make_user):
    from network.directory import reference
    from network.events import demo
    from network.events.models import Event

    staff = make_staff()
    reference.ensure_reference_data()  # the territories the demo's events point at
    demo.load(staff=staff, member=make_user())
    db.session.commit()
    evening = db.session.scalar(db.select(Event).where(Event.title == demo.INNOVATION_TITLE))
    assert {v.name for v in door.list_volunteers(evening)} == {"Inès Accueil", "Marc Accueil"}
    assert all(r.badge_printed_at is not None for r in evening.registrations)
    assert all(door.is_active(v) for v in door.list_volunteers(evening))
    demo.load(staff=staff, member=make_user())  # idempotent
    assert len(door.list_volunteers(evening)) == 2


def test_volunteer_rows_are_in_the_personal_data_export_and_erased(app, db, setup, make_user):
    from conftest import DEFAULT_PASSWORD
    from network.accounts import services as accounts

    event, _other, _reg, staff = setup
    invite(db, event, staff, email="vol@example.org", name="Val Bénévole")
    user = make_user(email="vol@example.org")
    data = accounts.export_data(user)
    assert data["benevole_accueil"] == [{"evenement": event.title, "nom": "Val Bénévole",
                                         "invite_le": data["benevole_accueil"][0]["invite_le"]}]
    accounts.delete_account(user, DEFAULT_PASSWORD)
    db.session.commit()
    assert door.list_volunteers(event) == []


def test_door_pages_have_no_inline_script_or_style(client, login, db, setup):
    event, _other, reg, staff = setup
    login(staff)
    token = rules.manage_token(reg)
    for url in (f"/accueil/{event.id}", f"/accueil/{event.id}?q=sacha",
                f"/accueil/{event.id}/benevoles", f"/accueil/{event.id}/impression",
                f"/evenements/badge/{reg.badge_code}",
                f"/evenements/inscription/{token}/annulation",
                f"/evenements/inscription/{token}/badge", f"/evenements/{event.id}"):
        answer = client.get(url)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200, url
        assert "<script>" not in html and " style=" not in html, url
        assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
