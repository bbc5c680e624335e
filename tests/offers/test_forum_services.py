"""Forum part 2 services: exhibitors and stands, the plan, job-dating on the meetings engine,
and the outcomes. Every write is tried with the wrong party."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from network.core.auth import Guest, System
from network.core.errors import Conflict, PermissionDenied, ValidationError
from tests.offers.conftest import png_bytes as _png

# --- exhibitors ----------------------------------------------------------------------------------


def test_the_team_registers_with_its_published_offers_and_staff_give_a_stand(
        db, forum, team, make_offer):
    from network.meetings.models import MeetingTable
    from network.offers import exhibitors, jobdating
    from network.offers.models import ExhibitorStatus

    event, staff = forum
    structure, owner = team
    mine = make_offer(title="Chauffeur livreur")
    draft = make_offer(publish=False, title="Brouillon")
    row = exhibitors.register_exhibitor(event, structure, [mine.id, draft.id], acting=owner)
    assert [o.title for o in row.offers] == ["Chauffeur livreur"]  # drafts are not brought
    assert row.status == ExhibitorStatus.PENDING
    assert exhibitors.list_stands(event) == []  # not listed before staff accept it
    exhibitors.accept_exhibitor(row, 12, acting=staff)
    db.session.commit()
    session = jobdating.session_of(event)
    assert session.side_a_role == "visiteur" and session.side_b_role == "exposant"
    table = db.session.query(MeetingTable).filter_by(session_id=session.id, number=12).one()
    assert table.owner_id == row.participant_id  # the stand is the exhibitor's table
    stands = exhibitors.list_stands(event)
    assert [(s.exhibitor.stand_number, [o.title for o in s.offers]) for s in stands] == [
        (12, ["Chauffeur livreur"])]
    with pytest.raises(Conflict) as again:
        exhibitors.register_exhibitor(event, structure, [mine.id], acting=owner)
    assert again.value.code == "already_exhibitor"


@pytest.mark.parametrize("who", ["stranger", "other_team", "guest", "system", "unverified"])
def test_only_the_team_registers_its_structure(db, forum, team, make_offer, make_user,
                                                make_structure, who):
    from network.accounts import services as accounts
    from network.accounts.models import OrgRole
    from network.offers import exhibitors
    from network.offers.models import ForumExhibitor

    event, _staff = forum
    structure, owner = team
    offer = make_offer()
    acting = {"stranger": make_user, "guest": lambda: Guest(email=owner.email, scope="x"),
              "system": lambda: System("test")}.get(who, lambda: None)()
    if who == "other_team":
        acting = make_user()
        make_structure(acting)
    if who == "unverified":
        acting = make_user()
        accounts.set_member(structure.organisation_id, acting, OrgRole.EDITOR, acting=owner)
        acting.email_verified_at = None
    with pytest.raises(PermissionDenied):
        exhibitors.register_exhibitor(event, structure, [offer.id], acting=acting)
    assert db.session.query(ForumExhibitor).count() == 0


def test_bad_registration_names_the_field_and_keeps_nothing(db, forum, team, make_offer):
    from network.offers import exhibitors
    from network.offers.models import ForumExhibitor

    event, _staff = forum
    structure, owner = team
    with pytest.raises(ValidationError) as err:
        exhibitors.register_exhibitor(event, structure, [2**40, -1], acting=owner,
                                      note="x" * 501)
    assert set(err.value.field_errors) == {"offers", "note"}
    assert db.session.query(ForumExhibitor).count() == 0


def test_only_staff_accept_and_a_stand_goes_to_one_exhibitor(
        db, forum, exhibitor, make_user, make_structure, make_offer):
    from network.offers import exhibitors

    event, staff = forum
    row, _offer = exhibitor
    owner2 = make_user()
    s2 = make_structure(owner2, name="Ressourcerie du Saulnois")
    o2 = make_offer(s2, owner2, kind="benevolat", title="Bénévole au tri")
    second = exhibitors.register_exhibitor(event, s2, [o2.id], acting=owner2)
    for wrong in (owner2, make_user(), Guest(email=owner2.email, scope="x")):
        with pytest.raises(PermissionDenied):
            exhibitors.accept_exhibitor(second, 3, acting=wrong)
    with pytest.raises(ValidationError) as taken:
        exhibitors.accept_exhibitor(second, 7, acting=staff)
    assert taken.value.code == "stand_taken" and "stand_number" in taken.value.field_errors
    exhibitors.accept_exhibitor(second, 8, acting=staff)
    db.session.commit()
    assert [s.exhibitor.stand_number for s in exhibitors.list_stands(event)] == [7, 8]
    only_volunteering = exhibitors.list_stands(event, exhibitors.Filters(kind="engagement"))
    assert [s.exhibitor.stand_number for s in only_volunteering] == [8]
    assert [s.exhibitor.stand_number for s in exhibitors.list_stands(
        event, exhibitors.Filters(kind="cdi"))] == [7]
    assert exhibitors.list_stands(event, exhibitors.Filters(territory="thionville")) == []
    assert len(exhibitors.list_stands(event, exhibitors.Filters(sector="insertion"))) == 2


# --- the plan ------------------------------------------------------------------------------------


def test_staff_upload_a_plan_reencoded_with_its_text(db, forum, make_user, make_pdf):
    from PIL import Image

    from network.offers import exhibitors

    event, staff = forum
    raw = _png()
    raw = raw + b"TRAILING-SECRET"  # bytes after the image's end: dropped by re-encoding
    plan = exhibitors.upload_plan(event, raw, "Stand 7 à gauche de l'entrée.", acting=staff)
    assert plan.mimetype == "image/png" and b"TRAILING-SECRET" not in plan.data
    assert Image.open(io.BytesIO(plan.data)).size == (40, 30)
    pdf = exhibitors.upload_plan(event, make_pdf(), "Plan en PDF.", acting=staff)
    assert pdf.mimetype == "application/pdf"
    with pytest.raises(ValidationError) as bad:
        exhibitors.upload_plan(event, b"\x89PNG\r\n\x1a\nnot really", "", acting=staff)
    assert set(bad.value.field_errors) == {"plan", "description"}
    with pytest.raises(PermissionDenied):
        exhibitors.upload_plan(event, _png(), "Texte", acting=make_user())


# --- job-dating ----------------------------------------------------------------------------------


def test_a_guest_confirms_by_mail_books_at_the_stand_and_gets_badge_and_agenda(
        db, forum, exhibitor):
    from icalendar import Calendar

    from network.events.models import Registration, RegistrationStatus
    from network.offers import jobdating
    from network.outbox.models import OutboxMessage

    event, _staff = forum
    row, _offer = exhibitor
    jobdating.send_guest_link(event, "Inès Visiteuse", "ines@example.org")
    db.session.commit()
    mail = db.session.query(OutboxMessage).filter_by(to_address="ines@example.org").one()
    token = mail.body_text.split("/jobdating/invite/")[1].split()[0]
    guest, name = jobdating.guest_from_token(token)
    assert name == "Inès Visiteuse"
    visitor = jobdating.join_as_visitor(event, acting=guest, name=name)
    meeting = jobdating.book_interview(event, row, 2, acting=guest)
    db.session.commit()
    assert meeting.table_number == 7  # the exhibitor's stand
    reg = db.session.get(Registration, visitor.registration_id)
    assert reg.event_id == event.id and reg.status == RegistrationStatus.CONFIRMED
    cal = Calendar.from_ical(jobdating.agenda_ics(event, jobdating.session_of(event), visitor))
    summaries = [str(c["summary"]) for c in cal.walk("VEVENT")]
    assert summaries == ["Entretien : Les Jardins de la Seille (stand 7)"]
    # Another guest's link, or a link for another session, books nothing in her name.
    with pytest.raises(PermissionDenied):
        jobdating.book_interview(event, row, 3, acting=Guest(email="ines@example.org",
                                                             scope="meetings:999"))
    other = Guest(email="autre@example.org", scope=guest.scope)
    jobdating.join_as_visitor(event, acting=other, name="Autre")
    from network.meetings.booking import SlotTaken

    with pytest.raises(SlotTaken):  # the stand is busy in that slot
        jobdating.book_interview(event, row, 2, acting=other)


def test_an_account_visitor_marks_a_wish_and_the_organiser_fills_it(
        db, forum, exhibitor, make_user):
    from network.meetings.booking import list_meetings
    from network.offers import jobdating

    event, staff = forum
    row, _offer = exhibitor
    person = make_user(name="Paul Visiteur")
    visitor = jobdating.join_as_visitor(event, acting=person)
    jobdating.set_wish(event, row, 3, acting=person)
    with pytest.raises(PermissionDenied):
        jobdating.run_scheduler(event, acting=person)
    run = jobdating.run_scheduler(event, acting=staff)
    assert jobdating.publish_run(event, run.id, acting=staff) == 1
    db.session.commit()
    (meeting,) = list_meetings(jobdating.session_of(event), visitor)
    assert meeting.table_number == 7 and meeting.b_id == row.participant_id


def test_an_unverified_account_cannot_join(db, forum, exhibitor, make_user):
    from network.offers import jobdating

    event, _staff = forum
    with pytest.raises(PermissionDenied):
        jobdating.join_as_visitor(event, acting=make_user(email_verified_at=None))


# --- outcomes ------------------------------------------------------------------------------------


def test_the_exhibitor_reports_hires_and_staff_see_them_counted(
        db, forum, exhibitor, team, make_user):
    from network.offers import forum_outcomes

    event, staff = forum
    row, offer = exhibitor
    owner = team[1]
    after = event.start_at + timedelta(hours=2)
    with pytest.raises(Conflict):
        forum_outcomes.report(row, {offer.id: (1, 0)}, acting=owner)  # before the forum
    for wrong in (make_user(), Guest(email=owner.email, scope="x")):
        with pytest.raises(PermissionDenied):
            forum_outcomes.report(row, {offer.id: (1, 0)}, acting=wrong, now=after)
    with pytest.raises(ValidationError) as bad:
        forum_outcomes.report(row, {offer.id: ("-1", "2000")}, acting=owner, now=after)
    assert set(bad.value.field_errors) == {f"hired_{offer.id}", f"volunteers_{offer.id}"}
    forum_outcomes.report(row, {offer.id: ("2", "1")}, acting=owner, now=after)
    forum_outcomes.report(row, {offer.id: ("3", "1")}, acting=owner, now=after)  # corrected
    db.session.commit()
    figures = forum_outcomes.figures(event, acting=staff)
    assert (figures.hired, figures.volunteers, figures.reported) == (3, 1, 1)
    assert figures.by_kind == [("CDI", 3, 1)]
    assert figures.by_territory == [("Metz", 3, 1)]
    with pytest.raises(PermissionDenied):
        forum_outcomes.figures(event, acting=owner)
    text = forum_outcomes.figures_csv(event, acting=staff).decode("utf-8-sig")
    assert "Maraîcher en insertion" in text and ";3;1" in text
