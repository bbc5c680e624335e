"""ESSpresso and the forum in the staff to-do and the annual report (the receivers in
`esspresso/backoffice.py` and `offers/backoffice.py`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.time import utcnow


@pytest.fixture
def as_staff(client, login, staff):
    login(staff)
    return client


@pytest.fixture
def esspresso_sessions(db, staff, make_event):
    """One session to come, not scheduled; one held ten days ago with three meetings: one
    held with a contract, one held with no follow-up, one nobody reported on."""
    from network.esspresso import planning
    from network.events.models import EventKind
    from network.meetings.models import (
        Attendance,
        BookingSource,
        FollowUp,
        Meeting,
        MeetingOutcome,
        MeetingParticipant,
    )

    coming = make_event(kind=EventKind.ESSPRESSO, title="ESSpresso de printemps", days=30)
    to_plan = planning.create_session(planning.SessionForm(
        event_id=coming.id, slot_minutes=20, tables_count=5), acting=staff)
    db.session.add(MeetingParticipant(session_id=to_plan.id, side="a", display_name="Ville"))
    past = make_event(kind=EventKind.ESSPRESSO, title="ESSpresso d'automne", days=-10)
    held = planning.create_session(planning.SessionForm(
        event_id=past.id, slot_minutes=20, tables_count=5), acting=staff)
    held.published_at = past.start_at - timedelta(days=7)
    people = [MeetingParticipant(session_id=held.id, side=side, display_name=name)
              for side, name in (("a", "Batigère"), ("b", "Jardins"), ("b", "Régie"),
                                 ("b", "Scop"))]
    db.session.add_all(people)
    db.session.flush()
    meetings = [Meeting(session_id=held.id, slot_index=i, table_number=i + 1, a_id=people[0].id,
                        b_id=people[i + 1].id, source=BookingSource.SCHEDULED,
                        is_published=True) for i in range(3)]
    meetings[1].attendance = Attendance.HELD
    db.session.add_all(meetings)
    db.session.flush()
    db.session.add_all([
        MeetingOutcome(session_id=held.id, meeting_id=meetings[0].id,
                       participant_id=people[0].id, was_held=True,
                       follow_up=FollowUp.CONTRACT),
        MeetingOutcome(session_id=held.id, meeting_id=meetings[1].id,
                       participant_id=people[2].id, was_held=True, follow_up=FollowUp.NONE)])
    db.session.commit()
    return to_plan, held


@pytest.fixture
def forum_with_stands(db, staff, make_event, make_structure, make_user):
    """A forum to come with one stand waiting; a past forum with hires reported; an offer
    with an answer left "new" for three weeks."""
    from network.events.models import EventKind
    from network.offers import exhibitors, forum_outcomes, offers
    from network.offers.models import OfferAnswer

    owner = make_user(name="Responsable Jardins")
    structure = make_structure(owner, name="Les Jardins de la Seille")
    offer = offers.create_offer(structure, offers.OfferData(
        kind="cdi", title="Encadrant technique maraîchage", commune="Metz", territory="metz",
        closes_on=(utcnow() + timedelta(days=30)).date(), description="Encadrer.",
        postcode="57000", places=1, work_mode="sur-place"), acting=owner)
    offers.publish_offer(offer, acting=owner)
    db.session.add(OfferAnswer(offer_id=offer.id, email="candidate@example.org",
                               name="Candidate", confirmed_at=utcnow() - timedelta(days=21),
                               created_at=utcnow() - timedelta(days=21)))
    coming = make_event(kind=EventKind.FORUM, title="Forum de Thionville", days=20,
                        territory="thionville")
    exhibitors.register_exhibitor(coming, structure, [offer.id], acting=owner)
    past = make_event(kind=EventKind.FORUM, title="Forum de Metz", days=-3)
    before = past.start_at - timedelta(days=5)
    stand = exhibitors.register_exhibitor(past, structure, [offer.id], acting=owner,
                                          now=before)
    exhibitors.accept_exhibitor(stand, 3, acting=staff, now=before)
    db.session.commit()
    forum_outcomes.report(stand, {offer.id: (2, 1)}, acting=owner)
    db.session.commit()
    return coming, past, offer


def test_todo_shows_esspresso_and_forum_sections_with_their_links(
        as_staff, esspresso_sessions, forum_with_stands):
    to_plan, held = esspresso_sessions
    coming, _past, offer = forum_with_stands
    html = as_staff.get("/equipe/").get_data(as_text=True)
    assert "Sessions ESSpresso à planifier" in html
    assert f"/esspresso/{to_plan.id}/organisation" in html
    assert "1 participant inscrit" in html
    assert "Bilans ESSpresso à recueillir" in html and "1 rendez-vous sans bilan" in html
    assert f"/esspresso/{held.id}/organisation" in html
    assert "Stands du forum à accepter ou refuser" in html and "1 stand en attente" in html
    assert f"/forum/{coming.id}/gestion" in html
    assert "Réponses aux offres restées sans suite" in html
    assert "1 réponse sans suite depuis deux semaines" in html
    assert f"/offres/{offer.id}" in html


def test_todo_sections_absent_when_nothing_waits(as_staff, db):
    html = as_staff.get("/equipe/").get_data(as_text=True)
    assert "Sessions ESSpresso à planifier" not in html
    assert "Stands du forum" not in html
    assert "Rien en attente" in html


def test_annual_report_has_esspresso_offers_and_forum_sections(
        as_staff, staff, esspresso_sessions, forum_with_stands):
    from network.admin import report

    _to_plan, held = esspresso_sessions
    year = (utcnow() - timedelta(days=10)).year
    data = report.build(year, acting=staff)
    by_title = {s.title: s for s in data.sections}
    essp = by_title["Rendez-vous d'affaires ESSpresso"]
    row = next(r for r in essp.rows if r[0] == "ESSpresso d'automne")
    assert row[2:] == [4, 3, 2, 1, 1]  # participants, meetings, held, follow-up, contract
    assert "3 rendez-vous prévus, 2 tenus, 1 suivi d'une suite" in essp.summary
    offers_section = by_title["Offres d'emploi et de bénévolat"]
    assert offers_section.rows == [["CDI", 1, 0, 1]]
    forum = by_title["Forum de l'emploi et du bénévolat : recrutements"]
    assert "Forum de Metz" in [r[0] for r in forum.rows]
    metz = next(r for r in forum.rows if r[0] == "Forum de Metz")
    assert metz[2:] == [1, 2, 1]
    assert "2 recrutements et 1 bénévole engagé·e" in forum.summary

    csv = as_staff.get(f"/equipe/rapport-annuel-{year}.csv").data.decode("utf-8-sig")
    assert "Rendez-vous d'affaires ESSpresso" in csv and "Forum de Metz;" in csv
    pdf = as_staff.get(f"/equipe/rapport-annuel-{year}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
