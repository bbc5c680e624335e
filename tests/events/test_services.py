"""Registration, waitlist, invites and staff use cases, called directly (no HTTP)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy.exc import IntegrityError

from network.core.auth import System
from network.core.errors import DomainError
from network.core.time import utcnow
from network.events import calendar, guests, queries, registration, rules, staff, waitlist
from network.events.models import EventStatus, Registration, RegistrationStatus
from network.events.rules import VISITOR
from support import link_from_outbox, outbox_messages

S = RegistrationStatus
SYSTEM = System("tests")


@pytest.fixture
def boss(make_staff):
    return make_staff()


def invite_of(message) -> icalendar.Calendar:
    [att] = [a for a in message.attachments if a["content_type"].startswith("text/calendar")]
    import base64

    data = base64.b64decode(att["data"])
    method = att["content_type"].split("method=")[1].split(";")[0]
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == method  # same METHOD in the MIME type and in the file
    vobject.readOne(data.decode())  # and a second parser accepts it
    return cal


def vevent(message):
    return invite_of(message).walk("VEVENT")[0]


def test_signed_in_registration_is_confirmed_with_invite(make_event, make_user, app):
    event = make_event()
    user = make_user(name="Alex Martin")
    outcome = registration.register(event, registration.prefill(user), acting=user)
    assert outcome.result == "confirmed"
    assert event.seats_taken == 1
    [mail] = outbox_messages(user.email)
    assert mail.kind == "event_confirmed"
    assert mail.attachments[0]["content_type"] == "text/calendar; method=REQUEST; charset=UTF-8"
    ev = vevent(mail)
    assert str(ev["ORGANIZER"]) == f"mailto:{app.config['CONTACT_EMAIL']}"
    assert str(ev["ATTENDEE"]) == f"mailto:{user.email}"
    assert str(ev["UID"]) == outcome.registration.ical_uid
    assert ev["SEQUENCE"] == 0
    assert ev.walk("VALARM")


def test_guest_holds_seat_then_confirms_by_link(make_event, guest, client, db):
    event = make_event(capacity=1)
    outcome = registration.register(event, guest(1), acting=VISITOR)
    reg = outcome.registration
    assert outcome.result == "pending" and reg.hold_expires_at is not None
    assert event.seats_taken == 1
    [mail] = outbox_messages("invite1@example.org")
    assert mail.kind == "event_pending" and not mail.attachments
    db.session.commit()  # the request edge commits; the test client reads in its own session
    response = client.get(link_from_outbox("invite1@example.org", "/confirmer/"))
    assert response.status_code == 200
    assert "Inscription confirmée" in response.get_data(as_text=True)
    assert queries.get_registration(reg.id).status == S.CONFIRMED
    assert outbox_messages("invite1@example.org")[-1].kind == "event_confirmed"
    assert queries.get_event(event.id).seats_taken == 1


def test_registering_again_never_takes_a_second_seat(make_event, guest, make_user):
    event = make_event(capacity=5)
    registration.register(event, guest(1), acting=VISITOR)
    again = registration.register(event, guest(1, email=" INVITE1@example.org "), acting=VISITOR)
    assert again.result == "resent"
    assert queries.get_event(event.id).seats_taken == 1
    assert [m.kind for m in outbox_messages("invite1@example.org")] == ["event_pending"] * 2
    user = make_user()
    registration.register(event, registration.prefill(user), acting=user)
    assert registration.register(event, registration.prefill(user), acting=user).result == "resent"
    assert queries.get_event(event.id).seats_taken == 2


def test_database_refuses_a_second_row_and_overbooking(make_event, db):
    event = make_event(capacity=1)
    db.session.add(Registration(event_id=event.id, email="a@x.org", name="A", ical_uid="u1",
                                status=S.CONFIRMED))
    db.session.add(Registration(event_id=event.id, email="a@x.org", name="A", ical_uid="u2",
                                status=S.CONFIRMED))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    event = queries.get_event(event.id)
    event.seats_taken = 2
    with pytest.raises(IntegrityError):  # CHECK seats_taken <= capacity
        db.session.commit()
    db.session.rollback()


def test_full_event_waitlists_with_position_and_mail(make_event, guest, make_user):
    event = make_event(capacity=1)
    users = [make_user() for _ in range(3)]
    outcomes = [registration.register(event, registration.prefill(u), acting=u) for u in users]
    assert [o.result for o in outcomes] == ["confirmed", "waitlisted", "waitlisted"]
    assert [queries.waitlist_position(o.registration) for o in outcomes] == [None, 1, 2]
    mail = outbox_messages(users[2].email)[-1]
    assert mail.kind == "event_waitlisted" and "position 2" in mail.body_text
    assert queries.get_event(event.id).seats_taken == 1


def test_freed_seat_is_offered_then_accepted(make_event, make_user, app):
    app.config["EVENTS_WAITLIST_OFFER_HOURS"] = 48
    event = make_event(capacity=1)
    first, second, third = (make_user() for _ in range(3))
    r1 = registration.register(event, registration.prefill(first), acting=first).registration
    r2 = registration.register(event, registration.prefill(second), acting=second).registration
    registration.register(event, registration.prefill(third), acting=third)
    now = utcnow()
    registration.cancel_registration(r1, acting=rules.guest_for(r1), now=now)
    cancel_mail = outbox_messages(first.email)[-1]
    assert cancel_mail.kind == "event_registration_cancelled"
    cal = invite_of(cancel_mail)
    assert cal["METHOD"] == "CANCEL"
    assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert cal.walk("VEVENT")[0]["SEQUENCE"] == 1  # above the REQUEST it replaces
    r2 = queries.get_registration(r2.id)
    assert r2.status == S.OFFERED
    assert r2.offer_expires_at == (now + timedelta(hours=48)).replace(microsecond=0) or \
        abs((r2.offer_expires_at - now - timedelta(hours=48)).total_seconds()) < 1
    assert outbox_messages(second.email)[-1].kind == "event_offer"
    assert queries.get_event(event.id).seats_taken == 1  # handed over, never free
    registration.accept_offer(r2, acting=SYSTEM, now=now + timedelta(hours=1))
    assert queries.get_registration(r2.id).status == S.CONFIRMED
    assert outbox_messages(second.email)[-1].kind == "event_confirmed"


def test_offer_deadline_never_past_event_start(make_event, make_user):
    start = utcnow() + timedelta(hours=10)
    event = make_event(capacity=1, start_at=start)
    a, b = make_user(), make_user()
    ra = registration.register(event, registration.prefill(a), acting=a).registration
    rb = registration.register(event, registration.prefill(b), acting=b).registration
    registration.cancel_registration(ra, acting=rules.guest_for(ra))
    assert queries.get_registration(rb.id).offer_expires_at == start.replace(microsecond=0) \
        or queries.get_registration(rb.id).offer_expires_at <= start


def test_lapsed_offer_passes_to_the_next(make_event, make_user, runner):
    event = make_event(capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    ra = registration.register(event, registration.prefill(a), acting=a).registration
    rb = registration.register(event, registration.prefill(b), acting=b).registration
    rc = registration.register(event, registration.prefill(c), acting=c).registration
    registration.cancel_registration(ra, acting=rules.guest_for(ra))
    assert queries.get_registration(rb.id).status == S.OFFERED
    later = utcnow() + timedelta(hours=49)
    assert waitlist.release_lapsed(acting=SYSTEM, now=later) == 1
    assert queries.get_registration(rb.id).status == S.EXPIRED
    assert outbox_messages(b.email)[-1].kind == "event_offer_expired"
    assert queries.get_registration(rc.id).status == S.OFFERED
    with pytest.raises(DomainError) as err:
        registration.accept_offer(queries.get_registration(rb.id), acting=SYSTEM, now=later)
    assert err.value.code == "offer_expired"
    assert queries.get_event(event.id).seats_taken == 1


def test_cli_expire_offers_and_lapsed_guest_hold(make_event, guest, runner, app, db):
    app.config["EVENTS_GUEST_HOLD_MINUTES"] = 0
    event = make_event(capacity=1)
    reg = registration.register(event, guest(1), acting=VISITOR).registration
    assert queries.get_event(event.id).seats_taken == 1
    db.session.commit()
    from network.events.cli import cli

    result = runner.invoke(cli, ["expire-offers"])
    assert "1 place libérée ou reproposée." in result.output
    assert queries.get_registration(reg.id).status == S.EXPIRED
    assert queries.get_event(event.id).seats_taken == 0


def test_lapsed_guest_hold_released_lazily_for_the_next_registrant(make_event, guest, app):
    app.config["EVENTS_GUEST_HOLD_MINUTES"] = 30
    event = make_event(capacity=1)
    registration.register(event, guest(1), acting=VISITOR)
    assert registration.register(event, guest(2), acting=VISITOR).result == "waitlisted"
    later = utcnow() + timedelta(minutes=31)
    # the lapsed hold goes to the first person waiting, not to a newcomer
    assert registration.register(event, guest(3), acting=VISITOR, now=later).result == "waitlisted"
    regs = {r.email: r.status for r in queries.list_registrations(event)}
    assert regs == {"invite1@example.org": S.EXPIRED, "invite2@example.org": S.OFFERED,
                    "invite3@example.org": S.WAITLISTED}


@pytest.mark.parametrize(("overrides", "code"), [
    ({"status": EventStatus.CANCELLED}, "event_cancelled"),
    ({"status": EventStatus.DRAFT}, "event_not_published"),
    ({"registration_opens_at": utcnow() + timedelta(days=1)}, "registration_not_open"),
    ({"registration_closes_at": utcnow() - timedelta(minutes=1),
      "registration_opens_at": utcnow() - timedelta(days=2)}, "registration_closed"),
    ({"start_at": utcnow() - timedelta(hours=1)}, "registration_closed"),
    ({"is_members_only": True}, "members_only"),
])
def test_refusals_take_no_seat(make_event, guest, overrides, code):
    event = make_event(**overrides)
    with pytest.raises(DomainError) as err:
        registration.register(event, guest(1), acting=VISITOR)
    assert err.value.code == code
    assert "é" in err.value.message or "à" in err.value.message  # French words for people
    assert queries.get_event(event.id).seats_taken == 0
    assert queries.list_registrations(event) == []


def test_members_only_accepts_a_member_of_an_approved_structure(make_event, make_member):
    from network.directory.models import StructureStatus

    event = make_event(is_members_only=True)
    member = make_member()
    assert registration.register(event, registration.prefill(member),
                                 acting=member).result == "confirmed"
    assert registration.prefill(member).organisation_name == "Association Exemple"
    # A structure still pending (or refused) is not membership of the network.
    pending = make_member(name="Pas encore validée", status=StructureStatus.PENDING)
    with pytest.raises(DomainError) as err:
        registration.register(event, registration.prefill(pending), acting=pending)
    assert err.value.code == "members_only"
    assert queries.get_event(event.id).seats_taken == 1


def test_tampered_tokens_are_refused(make_event, guest):
    event = make_event()
    reg = registration.register(event, guest(1), acting=VISITOR).registration
    token = rules.manage_token(reg)
    for bad in (token[:-2] + "xx", "nimportequoi"):
        with pytest.raises(DomainError) as err:
            queries.registration_from_token(bad)
        assert err.value.code == "token_invalid"
        with pytest.raises(DomainError):
            queries.registration_from_confirm_token(bad)
    assert queries.get_registration(reg.id).status == S.PENDING


def test_time_change_sends_update_with_higher_sequence(make_event, make_user, guest, boss):
    event = make_event()
    user = make_user()
    registration.register(event, registration.prefill(user), acting=user)
    # a pending guest: no invite yet, no update
    registration.register(event, guest(9), acting=VISITOR)
    data = staff.EventData.of(event)
    data.start_at += timedelta(hours=1)
    data.end_at += timedelta(hours=1)
    staff.update_event(event, data, acting=boss)
    assert event.sequence == 1
    mail = outbox_messages(user.email)[-1]
    assert mail.kind == "event_updated"
    ev = vevent(mail)
    assert ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTART") == data.start_at
    assert [m.kind for m in outbox_messages("invite9@example.org")] == ["event_pending"]
    # a change of the description only: no mail, same SEQUENCE
    data.description = "Autre texte"
    staff.update_event(event, data, acting=boss)
    assert event.sequence == 1 and outbox_messages(user.email)[-1] is mail or \
        outbox_messages(user.email)[-1].id == mail.id


def test_event_cancellation_sends_cancel_to_everyone(make_event, make_user, boss):
    event = make_event(capacity=1)
    a, b = make_user(), make_user()
    registration.register(event, registration.prefill(a), acting=a)
    registration.register(event, registration.prefill(b), acting=b)
    staff.cancel_event(event, acting=boss)
    mail_a = outbox_messages(a.email)[-1]
    assert mail_a.kind == "event_cancelled"
    cal = invite_of(mail_a)
    assert cal["METHOD"] == "CANCEL" and cal.walk("VEVENT")[0]["SEQUENCE"] == 1
    mail_b = outbox_messages(b.email)[-1]
    assert mail_b.kind == "event_cancelled" and not mail_b.attachments  # never had an invite
    assert all(r.status == S.CANCELLED for r in queries.list_registrations(event))


def test_re_registration_after_cancel_raises_sequence(make_event, make_user):
    event = make_event()
    user = make_user()
    reg = registration.register(event, registration.prefill(user), acting=user).registration
    registration.cancel_registration(reg, acting=rules.guest_for(reg))
    registration.register(event, registration.prefill(user), acting=user)
    ev = vevent(outbox_messages(user.email)[-1])
    assert ev["SEQUENCE"] == 2 and str(ev["UID"]) == reg.ical_uid


def test_raising_capacity_offers_seats_to_those_waiting(make_event, make_user, boss):
    event = make_event(capacity=1)
    users = [make_user() for _ in range(3)]
    regs = [registration.register(event, registration.prefill(u), acting=u).registration
            for u in users]
    data = staff.EventData.of(event)
    data.capacity = 2
    staff.update_event(event, data, acting=boss)
    assert queries.get_registration(regs[1].id).status == S.OFFERED
    assert queries.get_registration(regs[2].id).status == S.WAITLISTED
    assert queries.get_event(event.id).seats_taken == 2
    data.capacity = 1
    with pytest.raises(DomainError) as err:
        staff.update_event(event, data, acting=boss)
    assert err.value.code == "capacity_below_taken"
    assert "2 places sont déjà prises" in err.value.message  # plural agrees
    assert queries.get_event(event.id).capacity == 2  # nothing changed


def test_staff_moves_and_marks(make_event, guest, boss):
    event = make_event(capacity=1)
    r1 = registration.register(event, guest(1), acting=VISITOR).registration
    r2 = registration.register(event, guest(2), acting=VISITOR).registration
    with pytest.raises(DomainError) as err:
        registration.staff_set_status(r2, "confirm", acting=boss)
    assert err.value.code == "event_full"
    registration.staff_set_status(r1, "waitlist", acting=boss)
    assert queries.get_event(event.id).seats_taken == 0
    registration.staff_set_status(r2, "confirm", acting=boss)
    assert queries.get_registration(r2.id).status == S.CONFIRMED
    registration.staff_set_status(r2, "present", acting=boss)
    assert queries.get_registration(r2.id).attended is True
    registration.staff_set_status(r2, "cancel", acting=boss)
    assert "L'équipe a annulé" in outbox_messages("invite2@example.org")[-1].body_text
    # the freed seat went to the waitlisted r1
    assert queries.get_registration(r1.id).status == S.OFFERED


def test_staff_added_registration_is_confirmed_without_link(make_event, make_staff, guest):
    event = make_event()
    outcome = registration.register(event, guest(5), acting=make_staff())
    assert outcome.result == "confirmed"


def test_group_registration_invites_people_who_confirm_themselves(make_event, make_member,
                                                                  client, db):
    event = make_event(capacity=2)
    leader = make_member(name="Coop Solidaire")
    outcomes = guests.group_register(event, "Ana Lopez <ana@example.org>\nBen Roy ; "
                                     "ben@example.org\nChloé Petit <chloe@example.org>",
                                     acting=leader)
    # Seats are held for them, not confirmed without their consent.
    assert [o.result for o in outcomes] == ["pending", "pending", "waitlisted"]
    assert {o.registration.organisation_name for o in outcomes} == {"Coop Solidaire"}
    assert {o.registration.organisation_id for o in outcomes} == {
        leader.memberships[0].organisation_id}
    [invite] = outbox_messages("ana@example.org")
    assert invite.kind == "event_pending" and leader.name in invite.body_text
    db.session.commit()
    assert client.get(link_from_outbox("ana@example.org", "/confirmer/")).status_code == 200
    assert queries.get_registration(outcomes[0].registration.id).status == S.CONFIRMED
    with pytest.raises(DomainError):
        guests.parse_people("sans adresse")


def test_group_registration_limits(make_event, make_user, make_member, make_org, app):
    from network.directory.models import StructureStatus

    event = make_event(capacity=100)
    outsider = make_user()
    make_org(outsider)  # an organisation without an approved structure
    unverified = make_member(name="Non vérifiée")  # verified to create it, then unverified
    unverified.email_verified_at = None
    app.extensions["sqlalchemy"].session.commit()
    for who in (outsider, make_member(name="En attente", status=StructureStatus.PENDING),
                unverified):
        with pytest.raises(DomainError) as err:
            guests.group_register(event, "Ana <ana@example.org>", acting=who)
        assert err.value.code in ("no_organisation", "unverified")
    leader = make_member(name="Coop Solidaire")
    app.config["EVENTS_GROUP_MAX"] = 20
    many = "\n".join(f"P {i} <p{i}@example.org>" for i in range(21))
    with pytest.raises(DomainError) as err:
        guests.group_register(event, many, acting=leader)
    assert err.value.code == "too_many_people" and "20" in err.value.message
    # Every bad address is named at once; nothing is kept.
    with pytest.raises(DomainError) as err:
        guests.group_register(event, "A <a@b.co,c@d.co>\nB <=HYPERLINK(1)@ex.org>\n"
                              "C <c@example.org>", acting=leader)
    assert len(err.value.field_errors["people"]) == 2
    assert "Ligne 1" in err.value.field_errors["people"][0]
    too_long = "X" * 121
    with pytest.raises(DomainError) as err:
        guests.group_register(event, f"{too_long} <x@example.org>", acting=leader)
    assert "Ligne 1" in err.value.message
    assert queries.list_registrations(event) == []
    assert queries.get_event(event.id).seats_taken == 0


def test_csv_for_french_excel(make_event, guest, boss):
    event = make_event()
    registration.register(event, guest(1, name="Zoé Œuvre", organisation_name="=HYPERLINK(1)"),
                          acting=VISITOR)
    data = staff.registrations_csv(event, acting=boss)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "E-mail", "Organisation"]
    assert rows[1][0] == "Zoé Œuvre" and rows[1][2] == "'=HYPERLINK(1)"


def test_message_to_all_goes_through_outbox(make_event, guest, boss):
    event = make_event(capacity=1)
    registration.register(event, guest(1), acting=VISITOR)
    registration.register(event, guest(2), acting=VISITOR)
    assert staff.message_all(event, "Infos pratiques", "Parking rue X.", acting=boss) == 2
    assert outbox_messages("invite2@example.org")[-1].subject == "Infos pratiques"
    with pytest.raises(DomainError):
        staff.message_all(event, "", "x", acting=boss)


def test_figures_and_staff_summary(make_event, guest, make_user, make_org):
    event = make_event()
    registration.register(event, guest(1), acting=VISITOR)
    member = make_user()
    make_org(member)
    registration.register(event, registration.prefill(member), acting=member)
    fig = staff.figures(event)
    assert sum(n for _, n in fig["per_day"]) == 2
    assert dict(fig["per_kind"]) == {"Structure de l'ESS": 1, "Autre / non renseigné": 1}
    assert dict(fig["per_territory"]) == {"Metz": 2}
    summary = staff.staff_summary()
    assert summary[0][:2] == ("Événements à venir", 1)
    assert summary[1][1] == 1


def test_reminder_the_day_before_once(make_event, make_user, runner, db):
    soon = make_event(start_at=utcnow() + timedelta(hours=20))
    later = make_event(start_at=utcnow() + timedelta(days=5))
    user = make_user()
    registration.register(soon, registration.prefill(user), acting=user)
    registration.register(later, registration.prefill(user), acting=user)
    db.session.commit()
    from network.events.cli import cli

    assert "1 rappel mis" in runner.invoke(cli, ["remind"]).output
    assert "0 rappel" in runner.invoke(cli, ["remind"]).output
    assert outbox_messages(user.email)[-1].kind == "event_reminder"


def test_feeds(make_event, make_user):
    metz = make_event(title="A Metz")
    make_event(title="A Thionville", territory="thionville")
    make_event(title="Brouillon", status=EventStatus.DRAFT)
    cal = icalendar.Calendar.from_ical(calendar.public_feed())
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["A Metz", "A Thionville"]
    only = icalendar.Calendar.from_ical(calendar.public_feed(territory="thionville"))
    assert [str(e["SUMMARY"]) for e in only.walk("VEVENT")] == ["A Thionville"]
    user = make_user()
    reg = registration.register(metz, registration.prefill(user), acting=user).registration
    mine = icalendar.Calendar.from_ical(calendar.personal_feed(user.calendar_token))
    [ev] = mine.walk("VEVENT")
    assert str(ev["UID"]) == reg.ical_uid  # same UID as the invite: no duplicate in calendars
    with pytest.raises(DomainError):
        calendar.personal_feed("mauvais")


def test_description_is_sanitised():
    html = queries.render_description(
        "**gras** <script>alert(1)</script> [x](javascript:a) [y](https://ok.example)")
    assert "<strong>gras</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://ok.example" rel="nofollow noopener">y</a>' in html  # core policy


def test_gdpr_export_and_erase_free_the_seat(make_event, make_user):
    from network.accounts import services as accounts

    event = make_event(capacity=1)
    a, b = make_user(), make_user()
    registration.register(event, registration.prefill(a), acting=a)
    rb = registration.register(event, registration.prefill(b), acting=b).registration
    data = accounts.export_data(a)
    assert data["evenements"][0]["statut"] == "Inscription confirmée"
    from conftest import DEFAULT_PASSWORD

    accounts.delete_account(a, DEFAULT_PASSWORD)
    assert queries.get_registration(rb.id).status == S.OFFERED
    assert len(queries.list_registrations(event)) == 1


def test_demo_load_is_idempotent(make_staff, make_user, territory):
    from datetime import date

    from network.events import demo

    staff, member = make_staff(), make_user()
    added = demo.load(staff=staff, member=member, today=date(2026, 11, 25))
    assert len(added) == 6  # five events and the member's registration to the evening
    assert sum("inscription" in a for a in added) == 1
    assert demo.load(staff=staff, member=member, today=date(2026, 11, 25)) == []
    [evening] = [e for e in queries.list_upcoming(now=utcnow() - timedelta(days=400))
                 if e.title == demo.INNOVATION_TITLE]
    from network.core.time import to_paris

    assert to_paris(evening.start_at).strftime("%d/%m %H:%M") == "02/12 16:30"
    assert to_paris(evening.end_at).strftime("%H:%M") == "19:30"
    assert evening.partners == "CRESS Grand Est" and evening.venue_room == "Espace Pierre Messmer"
    assert demo.next_december_2(date(2026, 12, 3)) == date(2027, 12, 2)
