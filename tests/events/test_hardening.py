"""Issue #9 on the events side: what an unverified account may not do, group registration
limits, a guest page that tells strangers nothing, guarded CSV and headers, personal data
retention, the guest's own export and erase, and input that must answer a message, not 500."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from network.core import signals
from network.core.auth import System
from network.core.errors import DomainError, ValidationError
from network.core.time import utcnow
from network.events import calendar, guests, queries, registration, rules, staff
from network.events.models import Registration, RegistrationStatus
from network.events.rules import VISITOR
from support import link_from_outbox, outbox_messages

S = RegistrationStatus


@pytest.fixture
def boss(make_staff):
    return make_staff()


def _confirmed_guest(event, client, db, email="victim@example.org", **answers):
    from network.events.registration import Answers

    reg = registration.register(event, Answers(name="Victime", email=email,
                                               accessibility_needs="Fauteuil roulant",
                                               **answers), acting=VISITOR).registration
    db.session.commit()
    assert client.get(link_from_outbox(email, "/confirmer/")).status_code == 200
    db.session.expire_all()
    assert reg.status == S.CONFIRMED
    return reg


# --- 1. an unverified account takes nothing over ----------------------------------------------

def test_unverified_account_does_not_see_export_feed_or_cancel_guest_registrations(
        client, db, make_event, make_user, login):
    from network.accounts import services as accounts

    event = make_event(title="Soirée de la victime")
    reg = _confirmed_guest(event, client, db)
    squatter = make_user(email="victim@example.org", email_verified_at=None)
    assert queries.list_for_user(squatter) == []
    assert "Soirée de la victime" not in calendar.personal_feed(squatter.calendar_token).decode()
    assert accounts.export_data(squatter).get("evenements", []) == []
    with pytest.raises(DomainError) as err:
        registration.cancel_own(reg.id, acting=squatter)
    assert err.value.code == "registration_not_found"
    login(squatter)
    assert "Soirée de la victime" not in client.get("/compte").get_data(as_text=True)
    # Refused by the unverified-account gate (403) before the events service could say 404.
    assert client.post(f"/evenements/mes-inscriptions/{reg.id}/annuler").status_code in (403, 404)
    db.session.expire_all()
    assert queries.get_registration(reg.id).status == S.CONFIRMED


def test_unverified_account_is_not_confirmed_at_once(client, db, make_event, make_user, login):
    event = make_event()
    user = make_user(email_verified_at=None)
    with pytest.raises(DomainError) as err:
        registration.register(event, registration.prefill(user), acting=user)
    assert err.value.code == "unverified"
    assert queries.get_event(event.id).seats_taken == 0
    login(user)
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "Renvoyer le lien de confirmation" in page and "/verification/renvoyer" in page
    response = client.post(f"/evenements/{event.id}/inscription", data={})
    # The accounts gate (403) or the events service (409) refuses, with the same advice.
    assert response.status_code in (403, 409)
    assert "adresse e-mail" in response.get_data(as_text=True)
    assert queries.list_registrations(event) == []


def test_verified_address_attaches_guest_registrations(client, db, make_event, make_user):
    event = make_event(title="Soirée rattachée")
    reg = _confirmed_guest(event, client, db, email="later@example.org")
    user = make_user(email="later@example.org", email_verified_at=None)
    assert queries.list_for_user(user) == []
    user.email_verified_at = utcnow()
    signals.email_verified.send(user)
    assert queries.get_registration(reg.id).user_id == user.id
    assert [r.id for r, _pos in queries.list_for_user(user)] == [reg.id]


# --- 2. group registration over HTTP ---------------------------------------------------------

def test_group_page_refuses_non_members_and_caps_lines(client, db, make_event, make_user,
                                                       make_org, make_member, login, app):
    event = make_event(capacity=100)
    outsider = make_user()
    make_org(outsider)  # created a structure, never approved
    db.session.commit()
    login(outsider)
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "Inscrire des collègues" not in page
    response = client.post(f"/evenements/{event.id}/groupe",
                           data={"people": "Ana <ana@example.org>"})
    assert response.status_code == 403
    client.post("/deconnexion")
    leader = make_member(name="Coop Solidaire")
    login(leader)
    app.config["EVENTS_GROUP_MAX"] = 3
    many = "\n".join(f"P {i} <p{i}@example.org>" for i in range(4))
    response = client.post(f"/evenements/{event.id}/groupe", data={"people": many})
    assert response.status_code == 422
    assert "Au plus 3 personnes par envoi" in response.get_data(as_text=True)
    long_name = "N" * 130
    response = client.post(f"/evenements/{event.id}/groupe",
                           data={"people": f"{long_name} <n@example.org>"})
    assert response.status_code == 422 and "Ligne 1" in response.get_data(as_text=True)
    assert queries.list_registrations(event) == []
    response = client.post(f"/evenements/{event.id}/groupe",
                           data={"people": "Ana Lopez <ana@example.org>"})
    assert response.status_code == 302
    [reg] = queries.list_registrations(event)
    assert reg.status == S.PENDING and reg.registered_by_id == leader.id
    assert outbox_messages("ana@example.org")[-1].kind == "event_pending"


def test_a_member_of_two_structures_says_for_which_one(client, db, make_event, make_member,
                                                      login):
    event = make_event(capacity=100)
    leader = make_member(name="Coop Solidaire")
    make_member(leader, name="Régie de quartier Borny")
    other = make_member(name="Association d'un autre")
    first, second = (m.organisation for m in leader.memberships)
    login(leader)
    url = f"/evenements/{event.id}/groupe"
    page = client.get(url).get_data(as_text=True)
    assert "Au nom de la structure" in page and "Régie de quartier Borny" in page
    assert "Association d&#39;un autre" not in page
    # Someone else's structure, or garbage: refused at the field, in French; nothing kept.
    for bad in (str(other.memberships[0].organisation_id), "abc", "99999999999"):
        response = client.post(url, data={"organisation_id": bad,
                                          "people": "Ana Lopez <ana@example.org>"})
        assert response.status_code == 422, bad
        assert "Choisissez une des structures dont vous êtes membre" in \
            response.get_data(as_text=True)
    assert queries.list_registrations(event) == []
    response = client.post(url, data={"organisation_id": str(second.id),
                                      "people": "Ana Lopez <ana@example.org>"})
    assert response.status_code == 302
    [reg] = queries.list_registrations(event)
    assert (reg.organisation_id, reg.organisation_name) == (second.id, "Régie de quartier Borny")
    # Without a choice (a member of one structure, or an old form): the first one.
    response = client.post(url, data={"people": "Ben Roy <ben@example.org>"})
    assert response.status_code == 302
    assert {r.organisation_id for r in queries.list_registrations(event)} == {first.id,
                                                                              second.id}


@pytest.fixture
def limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"


def test_group_registration_is_rate_limited(limits_on, client, db, make_event, make_member,
                                            login):
    event = make_event(capacity=100)
    login(make_member())
    codes = [client.post(f"/evenements/{event.id}/groupe",
                         data={"people": f"P <p{i}@example.org>"}).status_code
             for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert len(queries.list_registrations(event)) == 10


# --- 5. a guest registration says nothing about an address --------------------------------------

def test_guest_answer_is_the_same_whatever_the_state_and_mails_are_capped(client, db, app,
                                                                        make_event):
    app.config["EVENTS_RESEND_MAX"] = 2
    event = make_event()
    _confirmed_guest(event, client, db, email="known@example.org")
    answers = []
    for email in ("known@example.org", "new@example.org"):
        response = client.post(f"/evenements/{event.id}/inscription",
                               data={"name": "Curieux", "email": email}, follow_redirects=True)
        page = response.get_data(as_text=True).replace(email, "ADRESSE")
        answers.append(re.sub(r"[\w-]{16,}\.[\w-]+\.[\w-]+", "JETON-CSRF", page))
        assert response.status_code == 200
    assert answers[0] == answers[1]
    assert "déjà inscrit" not in answers[0] and "confirmée" not in answers[0]
    # The known address got its mail again, but only EVENTS_RESEND_MAX times in the window.
    before = len(outbox_messages("known@example.org"))
    for _ in range(4):
        client.post(f"/evenements/{event.id}/inscription",
                    data={"name": "Curieux", "email": "known@example.org"})
    assert len(outbox_messages("known@example.org")) - before == 1  # 1 + 1 = the cap of 2
    assert queries.get_event(event.id).seats_taken == 2


def test_a_stranger_cannot_revive_a_cancelled_registration_as_confirmed(client, db,
                                                                       make_event, make_user):
    event = make_event()
    user = make_user(email="owner@example.org")
    reg = registration.register(event, registration.prefill(user), acting=user).registration
    registration.cancel_registration(reg, acting=user)
    again = registration.register(event, registration.Answers(
        name="Intrus", email="owner@example.org"), acting=VISITOR)
    assert again.result == "pending"  # the address must be proven again


# --- 10 and 6: the CSV guard and a staff message's subject ---------------------------------------

def test_csv_guards_the_email_column(make_event, db, boss):
    event = make_event()
    db.session.add(Registration(event_id=event.id, email="=1+1@example.com", name="+Formule",
                                ical_uid="legacy-1", status=S.CONFIRMED))
    db.session.flush()
    rows = list(csv.reader(io.StringIO(staff.registrations_csv(event, acting=boss)
                                       .decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "'+Formule" and rows[1][1] == "'=1+1@example.com"
    with pytest.raises(DomainError) as err:
        registration.register(event, registration.Answers(name="X", email="=1+1@example.com"),
                              acting=VISITOR)
    assert err.value.code == "bad_email"
    with pytest.raises(DomainError):
        staff.registrations_csv(event, acting=System("tests"))


def test_staff_message_subject_never_reaches_a_header_with_a_line_break(make_event, db, boss,
                                                                       guest):
    event = make_event()
    registration.register(event, guest(1), acting=VISITOR)
    staff.message_all(event, "Infos\r\nBcc: tous@example.org", "Parking.", acting=boss)
    subject = outbox_messages("invite1@example.org")[-1].subject
    assert "\r" not in subject and "\n" not in subject
    assert subject == "Infos Bcc: tous@example.org"
    with pytest.raises(ValidationError) as err:
        staff.message_all(event, "", "", acting=boss)
    assert set(err.value.field_errors) == {"subject", "body"}  # every field at once


# --- 15. retention, a guest's own export and erase ------------------------------------------------

def test_purge_erases_health_answers_and_anonymises_guests_after_retention(
        app, db, make_event, make_user, runner, client):
    app.config["EVENTS_RETENTION_DAYS"] = 90
    old = make_event(title="Il y a longtemps")
    recent = make_event(title="Récent")
    member = make_user()
    kept = registration.register(old, registration.Answers(
        name=member.name, email=member.email, accessibility_needs="Boucle magnétique",
        dietary_needs="Sans gluten"), acting=member).registration
    guest_reg = _confirmed_guest(old, client, db, email="ancien@example.org")
    fresh = _confirmed_guest(recent, client, db, email="recent@example.org")
    guest_reg.checked_in_at = utcnow()
    # The first event ended 91 days ago.
    for event in (old,):
        event.start_at = utcnow() - timedelta(days=91, hours=3)
        event.end_at = utcnow() - timedelta(days=91)
    db.session.commit()
    from network.events.cli import cli

    assert "2 inscriptions nettoyées" in runner.invoke(cli, ["purge-personal-data"]).output
    db.session.expire_all()
    kept, guest_reg, fresh = (queries.get_registration(r.id) for r in (kept, guest_reg, fresh))
    assert (kept.accessibility_needs, kept.dietary_needs) == ("", "")
    assert kept.name == member.name and kept.user_id == member.id
    assert guest_reg.name == "" and "ancien" not in guest_reg.email
    assert guest_reg.accessibility_needs == "" and guest_reg.status == S.CONFIRMED
    assert guest_reg.checked_in_at is not None  # figures keep counting
    assert fresh.accessibility_needs == "Fauteuil roulant"  # within the period: untouched
    assert queries.counts(old)[S.CONFIRMED] == 2
    assert "0 inscription" in runner.invoke(cli, ["purge-personal-data"]).output
    privacy = client.get("/confidentialite").get_data(as_text=True)
    assert "90 jours après la fin de chaque événement" in privacy


def test_guest_exports_and_erases_their_data_from_the_link(client, db, make_event, make_user):
    event = make_event(capacity=1)
    reg = _confirmed_guest(event, client, db, email="moi@example.org")
    waiting = make_user()
    registration.register(event, registration.prefill(waiting), acting=waiting)
    db.session.commit()
    manage = "/evenements/inscription/" + rules.manage_token(reg)
    page = client.get(manage).get_data(as_text=True)
    assert "Télécharger mes données" in page and "Effacer mes données" in page
    exported = client.get(manage + "/mes-donnees.json")
    assert exported.headers["Content-Type"].startswith("application/json")
    data = json.loads(exported.data)
    assert data["inscription"]["email"] == "moi@example.org"
    assert data["inscription"]["accessibilite"] == "Fauteuil roulant"
    assert client.post(manage + "/effacer").status_code == 302
    db.session.expire_all()
    erased = queries.get_registration(reg.id)
    assert erased.name == "" and erased.accessibility_needs == "" and erased.status == S.CANCELLED
    assert "moi@example.org" not in erased.email
    assert client.get(manage).status_code == 400  # the old link no longer works
    # The seat went to the person waiting.
    [(waiting_reg, _pos)] = queries.list_for_user(waiting)
    assert waiting_reg.status == S.OFFERED
    # Someone else's link cannot export this one.
    other = registration.register(event, registration.Answers(name="Autre",
                                  email="autre@example.org"), acting=VISITOR).registration
    with pytest.raises(DomainError):
        guests.export_guest_data(other, acting=rules.guest_for(waiting_reg))


# --- 9. inputs that must answer a message --------------------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01T10:00", "9999-12-31T23:59"])
def test_event_form_refuses_absurd_years_with_a_message(client, make_staff, login, territory,
                                                        when):
    login(make_staff())
    response = client.post("/evenements/gestion/nouveau", data={
        "kind": "soiree", "title": "Soirée", "start_at": when, "end_at": "2030-04-02T10:30",
        "territory_id": territory["metz"].id})
    assert response.status_code == 422
    assert "Choisissez une date entre 2000 et 2100" in response.get_data(as_text=True)
    assert queries.list_all_events() == []


def test_service_reports_every_bad_field_at_once(make_event, territory, boss):
    with pytest.raises(ValidationError) as err:
        staff.create_event(staff.EventData(
            kind=make_event().kind, title="", start_at=utcnow().replace(year=1),
            end_at=utcnow(), territory_id=999_999, venue_name="x" * 201), acting=boss)
    assert err.value.status == 422
    assert {"title", "start_at", "territory_id", "venue_name"} <= set(err.value.field_errors)
    event = make_event()
    with pytest.raises(ValidationError) as err:
        registration.register(event, registration.Answers(
            name="N" * 121, email="pas-une-adresse", organisation_name="O" * 201),
            acting=VISITOR)
    assert set(err.value.field_errors) == {"name", "email", "organisation_name"}
    assert queries.list_registrations(event) == []


def test_huge_ids_answer_404(client, make_staff, login):
    assert client.get(f"/evenements/{2**63}").status_code == 404
    assert client.get(f"/evenements/{2**40}/agenda.ics").status_code == 404
    login(make_staff())
    assert client.get(f"/evenements/gestion/{2**40}/inscriptions").status_code == 404


# --- rights in services, one unit of work, the signals the door listens to --------------

def test_write_services_check_the_acting_party(make_event, make_user, guest, db):
    event = make_event()
    member = make_user()
    reg = registration.register(event, guest(1), acting=VISITOR).registration
    for call in (lambda: staff.publish_event(event, acting=member),
                 lambda: staff.cancel_event(event, acting=member),
                 lambda: staff.duplicate_event(event, acting=VISITOR),
                 lambda: staff.message_all(event, "s", "b", acting=member),
                 lambda: registration.staff_set_status(reg, "confirm", acting=member),
                 lambda: registration.cancel_registration(reg, acting=member),
                 lambda: registration.accept_offer(reg, acting=VISITOR),
                 lambda: registration.register(event, guest(2), acting=member)):
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.status == 403, call
    from network.events import notices, waitlist

    with pytest.raises(DomainError):
        notices.send_reminders(acting=member)
    with pytest.raises(DomainError):
        waitlist.release_lapsed(acting=VISITOR)
    with pytest.raises(DomainError):
        guests.purge_personal_data(acting=member)


def test_services_never_commit(make_event, make_user, db):
    event = make_event()
    user = make_user()
    registration.register(event, registration.prefill(user), acting=user)
    db.session.rollback()  # the edge decides: nothing was committed by the service
    assert queries.list_registrations(event) == []
    assert queries.get_event(event.id).seats_taken == 0
    from pathlib import Path

    import network.events as package

    for path in Path(package.__file__).parent.glob("*.py"):
        if path.name != "cli.py":  # a command is its own edge
            assert ".commit(" not in path.read_text(), path.name


def test_confirmed_and_cancelled_signals_on_every_path(make_event, make_user, make_staff,
                                                       guest, client, db):
    heard = []

    def confirmed(reg, now):
        heard.append(("confirmed", reg.email))

    def cancelled(reg, now):
        heard.append(("cancelled", reg.email))

    signals.registration_confirmed.connect(confirmed)
    signals.registration_cancelled.connect(cancelled)
    try:
        boss = make_staff()
        event = make_event(capacity=2)
        user = make_user(email="direct@example.org")
        direct = registration.register(event, registration.prefill(user), acting=user)
        pending = registration.register(event, guest("g"), acting=VISITOR).registration
        waiting = registration.register(event, guest("w"), acting=VISITOR).registration
        registration.confirm_guest(pending, acting=rules.guest_for(pending))
        registration.cancel_registration(direct.registration, acting=user)  # seat → waiting
        registration.accept_offer(waiting, acting=rules.guest_for(waiting))
        registration.staff_set_status(pending, "waitlist", acting=boss)
        registration.staff_set_status(pending, "confirm", acting=boss)
        staff.cancel_event(event, acting=boss)
    finally:
        signals.registration_confirmed.disconnect(confirmed)
        signals.registration_cancelled.disconnect(cancelled)
    assert heard == [("confirmed", "direct@example.org"), ("confirmed", "inviteg@example.org"),
                     ("cancelled", "direct@example.org"), ("confirmed", "invitew@example.org"),
                     ("confirmed", "inviteg@example.org"), ("cancelled", "inviteg@example.org"),
                     ("cancelled", "invitew@example.org")]


def test_figures_by_territory_and_kind_come_from_the_organisation(make_event, make_member,
                                                                guest):
    event = make_event()  # in Metz
    member = make_member(name="Régie de Thionville", place="thionville")
    registration.register(event, registration.prefill(member), acting=member)
    registration.register(event, guest(1, organisation_name="Régie de Thionville"),
                          acting=VISITOR)  # a typed name is not an organisation
    fig = staff.figures(event)
    assert dict(fig["per_territory"]) == {"Thionville": 1, "Metz": 1}
    assert dict(fig["per_kind"]) == {"Structure de l'ESS": 1, "Autre / non renseigné": 1}
    [reg] = [r for r in queries.list_registrations(event) if r.user_id == member.id]
    assert reg.organisation_id == member.memberships[0].organisation_id


NASTY = ["\x00", "a\x00b", "x" * 5000, "Eve\r\nBcc: tous@example.org", "\u202eevil\u200b",
         "=HYPERLINK(\"http://x\")", "0001-01-01T00:00", "9999-12-31T23:59", str(2**64)]


def test_no_input_gives_a_server_error(client, db, make_event, make_staff, make_member, login,
                                       territory):
    """Every events form and filter with NUL, huge, CR/LF, RTL and absurd values: never 5xx,
    and a refused submission changes nothing."""
    from sqlalchemy import func, select

    from network.events.models import Event
    from network.outbox.models import OutboxMessage

    event = make_event(capacity=5)
    guest_fields = ["name", "email", "organisation_name", "role", "accessibility_needs",
                    "dietary_needs"]
    event_fields = ["kind", "title", "subtitle", "description", "start_at", "end_at",
                    "venue_name", "venue_room", "venue_address", "territory_id", "organiser",
                    "partners", "capacity", "registration_opens_at", "registration_closes_at"]
    good_event = {"kind": "soiree", "title": "Soirée", "start_at": "2030-04-02T18:00",
                  "end_at": "2030-04-02T20:00", "territory_id": territory["metz"].id}
    statuses = []

    def state():
        db.session.expire_all()
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Event, Registration, OutboxMessage)) + (
            db.session.get(Event, event.id).title, db.session.get(Event, event.id).seats_taken)

    def probe(method, url, **kwargs):
        before = state()
        response = getattr(client, method)(url, **kwargs)
        statuses.append(response.status_code)
        if response.status_code >= 400:
            assert state() == before, (url, kwargs)

    for value in NASTY:
        for name in ("type", "territoire"):
            probe("get", "/evenements/", query_string={name: value})
            probe("get", "/evenements/agenda.ics", query_string={name: value})
        probe("get", f"/evenements/agenda/{value[:100]}.ics")
        for name in guest_fields:
            probe("post", f"/evenements/{event.id}/inscription",
                  data={"name": "Ana", "email": "ana@example.org", name: value})
    login(make_member())
    for value in NASTY:
        probe("post", f"/evenements/{event.id}/groupe",
              data={"people": f"{value} <x@example.org>", "role": value})
    client.post("/deconnexion")
    login(make_staff())
    for value in NASTY:
        probe("get", f"/evenements/gestion/{event.id}/inscriptions", query_string={"q": value})
        probe("post", f"/evenements/gestion/{event.id}/message",
              data={"subject": value, "body": value})
        for name in event_fields:
            probe("post", "/evenements/gestion/nouveau", data={**good_event, name: value})
            probe("post", f"/evenements/gestion/{event.id}/modifier",
                  data={**good_event, name: value})
    assert len(statuses) > 300 and max(statuses) < 500, sorted(set(statuses))
    assert 422 in statuses


def test_group_answer_does_not_tell_a_leader_who_is_registered(client, db, make_event,
                                                              make_member, login):
    event = make_event(capacity=10)
    _confirmed_guest(event, client, db, email="secret@example.org")
    login(make_member())
    response = client.post(f"/evenements/{event.id}/groupe", follow_redirects=True,
                           data={"people": "Nom Tapé <secret@example.org>\n"
                                           "Autre <autre@example.org>"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nom Tapé, Autre" in page
    assert "Victime" not in page and "confirmée" not in page
    db.session.expire_all()
    [secret] = [r for r in queries.list_registrations(event) if r.email == "secret@example.org"]
    assert secret.name == "Victime" and secret.status == S.CONFIRMED  # untouched


def test_mail_preview_never_opens_someone_elses_mailbox(app, client, db, make_event,
                                                        make_member, login):
    """Demo mode: the preview shows a visitor the mail of what they just did, not the mail of
    a registration that already existed for that address, nor the invitations of a group."""
    event = make_event(capacity=10)
    _confirmed_guest(event, client, db, email="owner@example.org")
    app.config.update(MAIL_PREVIEW=True, MAIL_SERVER="")
    client.post(f"/evenements/{event.id}/inscription",
                data={"name": "Intrus", "email": "owner@example.org"})
    client.post(f"/evenements/{event.id}/inscription",
                data={"name": "Nouvelle", "email": "nouvelle@example.org"})
    def previewed_addresses() -> set[str]:
        from network.outbox.models import OutboxMessage

        with client.session_transaction() as session:
            ids = list(session.get("preview_mail", []))
        return {db.session.get(OutboxMessage, i).to_address for i in ids}

    # A confirmation link grants a seat: never previewed, not even for the new address.
    assert previewed_addresses() == set()
    login(make_member())
    client.post(f"/evenements/{event.id}/groupe", data={"people": "Ana <ana@example.org>"})
    assert "ana@example.org" not in previewed_addresses()
    assert outbox_messages("ana@example.org")  # the invitation was sent, just not shown
