"""Registration, waitlist, invites and staff use cases, called directly (no HTTP)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy.exc import IntegrityError

from network.core.errors import DomainError
from network.core.time import utcnow
from network.events import services
from network.events.models import EventStatus, Registration, RegistrationStatus
from support import link_from_outbox, outbox_messages

S = RegistrationStatus


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
    outcome = services.register(event, services.prefill(user), user=user)
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


def test_guest_holds_seat_then_confirms_by_link(make_event, guest, client):
    event = make_event(capacity=1)
    outcome = services.register(event, guest(1))
    reg = outcome.registration
    assert outcome.result == "pending" and reg.hold_expires_at is not None
    assert event.seats_taken == 1
    [mail] = outbox_messages("invite1@example.org")
    assert mail.kind == "event_pending" and not mail.attachments
    response = client.get(link_from_outbox("invite1@example.org", "/confirmer/"))
    assert response.status_code == 200
    assert "Inscription confirmée" in response.get_data(as_text=True)
    assert services.get_registration(reg.id).status == S.CONFIRMED
    assert outbox_messages("invite1@example.org")[-1].kind == "event_confirmed"
    assert services.get_event(event.id).seats_taken == 1


def test_registering_again_never_takes_a_second_seat(make_event, guest, make_user):
    event = make_event(capacity=5)
    services.register(event, guest(1))
    again = services.register(event, guest(1, email=" INVITE1@example.org "))
    assert again.result == "resent"
    assert services.get_event(event.id).seats_taken == 1
    assert [m.kind for m in outbox_messages("invite1@example.org")] == ["event_pending"] * 2
    user = make_user()
    services.register(event, services.prefill(user), user=user)
    assert services.register(event, services.prefill(user), user=user).result == "resent"
    assert services.get_event(event.id).seats_taken == 2


def test_database_refuses_a_second_row_and_overbooking(make_event, db):
    event = make_event(capacity=1)
    db.session.add(Registration(event_id=event.id, email="a@x.org", name="A", ical_uid="u1",
                                status=S.CONFIRMED))
    db.session.add(Registration(event_id=event.id, email="a@x.org", name="A", ical_uid="u2",
                                status=S.CONFIRMED))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    event = services.get_event(event.id)
    event.seats_taken = 2
    with pytest.raises(IntegrityError):  # CHECK seats_taken <= capacity
        db.session.commit()
    db.session.rollback()


def test_full_event_waitlists_with_position_and_mail(make_event, guest, make_user):
    event = make_event(capacity=1)
    users = [make_user() for _ in range(3)]
    outcomes = [services.register(event, services.prefill(u), user=u) for u in users]
    assert [o.result for o in outcomes] == ["confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(o.registration) for o in outcomes] == [None, 1, 2]
    mail = outbox_messages(users[2].email)[-1]
    assert mail.kind == "event_waitlisted" and "position 2" in mail.body_text
    assert services.get_event(event.id).seats_taken == 1


def test_freed_seat_is_offered_then_accepted(make_event, make_user, app):
    app.config["EVENTS_WAITLIST_OFFER_HOURS"] = 48
    event = make_event(capacity=1)
    first, second, third = (make_user() for _ in range(3))
    r1 = services.register(event, services.prefill(first), user=first).registration
    r2 = services.register(event, services.prefill(second), user=second).registration
    services.register(event, services.prefill(third), user=third)
    now = utcnow()
    services.cancel_registration(r1, now=now)
    cancel_mail = outbox_messages(first.email)[-1]
    assert cancel_mail.kind == "event_registration_cancelled"
    cal = invite_of(cancel_mail)
    assert cal["METHOD"] == "CANCEL"
    assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert cal.walk("VEVENT")[0]["SEQUENCE"] == 1  # above the REQUEST it replaces
    r2 = services.get_registration(r2.id)
    assert r2.status == S.OFFERED
    assert r2.offer_expires_at == (now + timedelta(hours=48)).replace(microsecond=0) or \
        abs((r2.offer_expires_at - now - timedelta(hours=48)).total_seconds()) < 1
    assert outbox_messages(second.email)[-1].kind == "event_offer"
    assert services.get_event(event.id).seats_taken == 1  # handed over, never free
    services.accept_offer(r2, now=now + timedelta(hours=1))
    assert services.get_registration(r2.id).status == S.CONFIRMED
    assert outbox_messages(second.email)[-1].kind == "event_confirmed"


def test_offer_deadline_never_past_event_start(make_event, make_user):
    start = utcnow() + timedelta(hours=10)
    event = make_event(capacity=1, start_at=start)
    a, b = make_user(), make_user()
    ra = services.register(event, services.prefill(a), user=a).registration
    rb = services.register(event, services.prefill(b), user=b).registration
    services.cancel_registration(ra)
    assert services.get_registration(rb.id).offer_expires_at == start.replace(microsecond=0) \
        or services.get_registration(rb.id).offer_expires_at <= start


def test_lapsed_offer_passes_to_the_next(make_event, make_user, runner):
    event = make_event(capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    ra = services.register(event, services.prefill(a), user=a).registration
    rb = services.register(event, services.prefill(b), user=b).registration
    rc = services.register(event, services.prefill(c), user=c).registration
    services.cancel_registration(ra)
    assert services.get_registration(rb.id).status == S.OFFERED
    later = utcnow() + timedelta(hours=49)
    assert services.release_lapsed(now=later) == 1
    assert services.get_registration(rb.id).status == S.EXPIRED
    assert outbox_messages(b.email)[-1].kind == "event_offer_expired"
    assert services.get_registration(rc.id).status == S.OFFERED
    with pytest.raises(DomainError) as err:
        services.accept_offer(services.get_registration(rb.id), now=later)
    assert err.value.code == "offer_expired"
    assert services.get_event(event.id).seats_taken == 1


def test_cli_expire_offers_and_lapsed_guest_hold(make_event, guest, runner, app):
    app.config["EVENTS_GUEST_HOLD_MINUTES"] = 0
    event = make_event(capacity=1)
    reg = services.register(event, guest(1)).registration
    assert services.get_event(event.id).seats_taken == 1
    from network.events.cli import cli

    result = runner.invoke(cli, ["expire-offers"])
    assert "1 place(s)" in result.output
    assert services.get_registration(reg.id).status == S.EXPIRED
    assert services.get_event(event.id).seats_taken == 0


def test_lapsed_guest_hold_released_lazily_for_the_next_registrant(make_event, guest, app):
    app.config["EVENTS_GUEST_HOLD_MINUTES"] = 30
    event = make_event(capacity=1)
    services.register(event, guest(1))
    assert services.register(event, guest(2)).result == "waitlisted"
    later = utcnow() + timedelta(minutes=31)
    # the lapsed hold goes to the first person waiting, not to a newcomer
    assert services.register(event, guest(3), now=later).result == "waitlisted"
    regs = {r.email: r.status for r in services.list_registrations(event)}
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
        services.register(event, guest(1))
    assert err.value.code == code
    assert "é" in err.value.message or "à" in err.value.message  # French words for people
    assert services.get_event(event.id).seats_taken == 0
    assert services.list_registrations(event) == []


def test_members_only_accepts_a_member_of_a_structure(make_event, make_user, make_org):
    event = make_event(is_members_only=True)
    member = make_user()
    make_org(member)
    assert services.register(event, services.prefill(member), user=member).result == "confirmed"
    assert services.prefill(member).organisation_name == "Association Exemple"


def test_tampered_tokens_are_refused(make_event, guest):
    event = make_event()
    reg = services.register(event, guest(1)).registration
    token = services.manage_token(reg)
    for bad in (token[:-2] + "xx", "nimportequoi"):
        with pytest.raises(DomainError) as err:
            services.registration_from_token(bad)
        assert err.value.code == "token_invalid"
        with pytest.raises(DomainError):
            services.confirm_guest(bad)
    assert services.get_registration(reg.id).status == S.PENDING


def test_time_change_sends_update_with_higher_sequence(make_event, make_user, guest):
    event = make_event()
    user = make_user()
    services.register(event, services.prefill(user), user=user)
    services.register(event, guest(9))  # pending guest: no invite yet, no update
    data = services.EventData.of(event)
    data.start_at += timedelta(hours=1)
    data.end_at += timedelta(hours=1)
    services.update_event(event, data)
    assert event.sequence == 1
    mail = outbox_messages(user.email)[-1]
    assert mail.kind == "event_updated"
    ev = vevent(mail)
    assert ev["SEQUENCE"] == 1
    assert ev.decoded("DTSTART") == data.start_at
    assert [m.kind for m in outbox_messages("invite9@example.org")] == ["event_pending"]
    # a change of the description only: no mail, same SEQUENCE
    data.description = "Autre texte"
    services.update_event(event, data)
    assert event.sequence == 1 and outbox_messages(user.email)[-1] is mail or \
        outbox_messages(user.email)[-1].id == mail.id


def test_event_cancellation_sends_cancel_to_everyone(make_event, make_user):
    event = make_event(capacity=1)
    a, b = make_user(), make_user()
    services.register(event, services.prefill(a), user=a)
    services.register(event, services.prefill(b), user=b)
    services.cancel_event(event)
    mail_a = outbox_messages(a.email)[-1]
    assert mail_a.kind == "event_cancelled"
    cal = invite_of(mail_a)
    assert cal["METHOD"] == "CANCEL" and cal.walk("VEVENT")[0]["SEQUENCE"] == 1
    mail_b = outbox_messages(b.email)[-1]
    assert mail_b.kind == "event_cancelled" and not mail_b.attachments  # never had an invite
    assert all(r.status == S.CANCELLED for r in services.list_registrations(event))


def test_re_registration_after_cancel_raises_sequence(make_event, make_user):
    event = make_event()
    user = make_user()
    reg = services.register(event, services.prefill(user), user=user).registration
    services.cancel_registration(reg)
    services.register(event, services.prefill(user), user=user)
    ev = vevent(outbox_messages(user.email)[-1])
    assert ev["SEQUENCE"] == 2 and str(ev["UID"]) == reg.ical_uid


def test_raising_capacity_offers_seats_to_those_waiting(make_event, make_user):
    event = make_event(capacity=1)
    users = [make_user() for _ in range(3)]
    regs = [services.register(event, services.prefill(u), user=u).registration for u in users]
    data = services.EventData.of(event)
    data.capacity = 2
    services.update_event(event, data)
    assert services.get_registration(regs[1].id).status == S.OFFERED
    assert services.get_registration(regs[2].id).status == S.WAITLISTED
    assert services.get_event(event.id).seats_taken == 2
    data.capacity = 1
    with pytest.raises(DomainError) as err:
        services.update_event(event, data)
    assert err.value.code == "capacity_below_taken"
    assert "2 places sont déjà prises" in err.value.message
    assert services.get_event(event.id).capacity == 2  # nothing changed


def test_staff_moves_and_marks(make_event, guest):
    event = make_event(capacity=1)
    r1 = services.register(event, guest(1)).registration
    r2 = services.register(event, guest(2)).registration
    with pytest.raises(DomainError) as err:
        services.staff_set_status(r2, "confirm")
    assert err.value.code == "event_full"
    services.staff_set_status(r1, "waitlist")
    assert services.get_event(event.id).seats_taken == 0
    services.staff_set_status(r2, "confirm")
    assert services.get_registration(r2.id).status == S.CONFIRMED
    services.staff_set_status(r2, "present")
    assert services.get_registration(r2.id).attended is True
    services.staff_set_status(r2, "cancel")
    assert "L'équipe a annulé" in outbox_messages("invite2@example.org")[-1].body_text
    # the freed seat went to the waitlisted r1
    assert services.get_registration(r1.id).status == S.OFFERED


def test_staff_added_registration_is_confirmed_without_link(make_event, make_staff, guest):
    event = make_event()
    outcome = services.register(event, guest(5), registered_by=make_staff())
    assert outcome.result == "confirmed"


def test_group_registration(make_event, make_user, make_org):
    event = make_event(capacity=2)
    leader = make_user()
    make_org(leader, name="Coop Solidaire")
    people = services.parse_people("Ana Lopez <ana@example.org>\nBen Roy ; ben@example.org\n"
                                   "Chloé Petit <chloe@example.org>")
    outcomes = services.group_register(event, leader, people)
    assert [o.result for o in outcomes] == ["confirmed", "confirmed", "waitlisted"]
    assert {o.registration.organisation_name for o in outcomes} == {"Coop Solidaire"}
    with pytest.raises(DomainError):
        services.parse_people("sans adresse")
    with pytest.raises(DomainError) as err:
        services.group_register(event, make_user(), people)
    assert err.value.code == "no_organisation"


def test_csv_for_french_excel(make_event, guest):
    event = make_event()
    services.register(event, guest(1, name="Zoé Œuvre", organisation_name="=HYPERLINK(1)"))
    data = services.registrations_csv(event)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "E-mail", "Organisation"]
    assert rows[1][0] == "Zoé Œuvre" and rows[1][2] == "'=HYPERLINK(1)"


def test_message_to_all_goes_through_outbox(make_event, guest):
    event = make_event(capacity=1)
    services.register(event, guest(1))
    services.register(event, guest(2))
    assert services.message_all(event, "Infos pratiques", "Parking rue X.") == 2
    assert outbox_messages("invite2@example.org")[-1].subject == "Infos pratiques"
    with pytest.raises(DomainError):
        services.message_all(event, "", "x")


def test_figures_and_staff_summary(make_event, guest, make_user, make_org):
    event = make_event()
    services.register(event, guest(1))
    member = make_user()
    make_org(member)
    services.register(event, services.prefill(member), user=member)
    fig = services.figures(event)
    assert sum(n for _, n in fig["per_day"]) == 2
    assert dict(fig["per_kind"]) == {"Structure de l'ESS": 1, "Autre / non renseigné": 1}
    assert dict(fig["per_territory"]) == {"Metz": 2}
    summary = services.staff_summary()
    assert summary[0][:2] == ("Événements à venir", 1)
    assert summary[1][1] == 1


def test_reminder_the_day_before_once(make_event, make_user, runner):
    soon = make_event(start_at=utcnow() + timedelta(hours=20))
    later = make_event(start_at=utcnow() + timedelta(days=5))
    user = make_user()
    services.register(soon, services.prefill(user), user=user)
    services.register(later, services.prefill(user), user=user)
    from network.events.cli import cli

    assert "1 rappel(s)" in runner.invoke(cli, ["remind"]).output
    assert "0 rappel(s)" in runner.invoke(cli, ["remind"]).output
    assert outbox_messages(user.email)[-1].kind == "event_reminder"


def test_feeds(make_event, make_user):
    metz = make_event(title="A Metz")
    make_event(title="A Thionville", territory="thionville")
    make_event(title="Brouillon", status=EventStatus.DRAFT)
    cal = icalendar.Calendar.from_ical(services.public_feed())
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["A Metz", "A Thionville"]
    only = icalendar.Calendar.from_ical(services.public_feed(territory="thionville"))
    assert [str(e["SUMMARY"]) for e in only.walk("VEVENT")] == ["A Thionville"]
    user = make_user()
    reg = services.register(metz, services.prefill(user), user=user).registration
    mine = icalendar.Calendar.from_ical(services.personal_feed(user.calendar_token))
    [ev] = mine.walk("VEVENT")
    assert str(ev["UID"]) == reg.ical_uid  # same UID as the invite: no duplicate in calendars
    with pytest.raises(DomainError):
        services.personal_feed("mauvais")


def test_description_is_sanitised():
    html = services.render_description(
        "**gras** <script>alert(1)</script> [x](javascript:a) [y](https://ok.example)")
    assert "<strong>gras</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://ok.example" rel="noopener noreferrer">y</a>' in html


def test_gdpr_export_and_erase_free_the_seat(make_event, make_user):
    from network.accounts import services as accounts

    event = make_event(capacity=1)
    a, b = make_user(), make_user()
    services.register(event, services.prefill(a), user=a)
    rb = services.register(event, services.prefill(b), user=b).registration
    data = accounts.export_data(a)
    assert data["evenements"][0]["statut"] == "Inscription confirmée"
    from conftest import DEFAULT_PASSWORD

    accounts.delete_account(a, DEFAULT_PASSWORD)
    assert services.get_registration(rb.id).status == S.OFFERED
    assert len(services.list_registrations(event)) == 1


def test_demo_load_is_idempotent(make_staff, make_user):
    from datetime import date

    from network.events import demo

    staff, member = make_staff(), make_user()
    added = demo.load(staff=staff, member=member, today=date(2026, 11, 25))
    assert len(added) == 6  # five events and the member's registration to the evening
    assert sum("inscription" in a for a in added) == 1
    assert demo.load(staff=staff, member=member, today=date(2026, 11, 25)) == []
    [evening] = [e for e in services.list_upcoming(now=utcnow() - timedelta(days=400))
                 if e.title == demo.INNOVATION_TITLE]
    from network.core.time import to_paris

    assert to_paris(evening.start_at).strftime("%d/%m %H:%M") == "02/12 16:30"
    assert to_paris(evening.end_at).strftime("%H:%M") == "19:30"
    assert evening.partners == "CRESS Grand Est" and evening.venue_room == "Espace Pierre Messmer"
    assert demo.next_december_2(date(2026, 12, 3)) == date(2027, 12, 2)
