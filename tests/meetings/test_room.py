"""The day in the room: the room screen (no login, published only, names and organisations
only), the printed plan and table sheets, meetings marked held or missed, walk-ins on free
tables without double booking, « votre prochain rendez-vous » on the phone."""

from __future__ import annotations

import io

import pypdfium2
import pytest

from network.core.errors import Conflict, PermissionDenied


@pytest.fixture
def web(app, login):
    app.config["WTF_CSRF_ENABLED"] = False

    def as_user(user):
        c = app.test_client()
        login(user, on=c)
        return c

    return as_user


def pdf_pages(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_room_screen_only_once_published(client, session):
    r = client.get(f"/esspresso/{session.id}/ecran")
    assert r.status_code == 404
    assert "pas encore publié" in r.get_data(as_text=True)


def test_room_screen_shows_the_current_round_table_by_table(client, db, session, day, to_now):
    to_now(session, minutes_in=5)  # slot 0 (20 minutes) began 5 minutes ago
    r = client.get(f"/esspresso/{session.id}/ecran")  # no login
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Tour en cours" in text and "Tour suivant" in text
    current = text.split("Tour en cours", 1)[1].split("Tour suivant", 1)[0]
    assert day.buyers[0].participant.display_name in current
    assert day.suppliers[0].participant.display_name in current
    assert day.buyers[1].participant.display_name not in current  # their meeting is slot 1
    following = text.split("Tour suivant", 1)[1]
    assert day.buyers[1].participant.display_name in following
    # it refreshes itself, counts down, and shows no personal data
    assert 'data-refresh="60"' in text and 'data-seconds="' in text
    assert "esspresso-room.js" in text and "<script>" not in text
    for side in (*day.buyers, *day.suppliers):
        assert side.user.email not in text and f">{side.user.name}<" not in text
    seconds = int(text.split('data-seconds="', 1)[1].split('"', 1)[0])
    assert 14 * 60 < seconds <= 15 * 60


def test_room_screen_service_before_between_and_after(db, session, day):
    from datetime import timedelta

    from network.core.time import as_utc
    from network.esspresso.room import screen

    start = as_utc(session.slots[0].starts_at)
    before = screen(session, start - timedelta(minutes=10))
    assert before.current is None and before.next.slot.index == 0 and before.seconds_left == 600
    during = screen(session, start + timedelta(minutes=21))
    assert during.current.slot.index == 1 and [s.table for s in during.current.seats] == [1]
    after = screen(session, as_utc(session.ends_at) + timedelta(minutes=1))
    assert after.is_over and after.current is None and after.next is None


def test_table_plan_and_sheets_for_organisers_only(web, db, session, day, staff):
    c = web(staff)
    plan = c.get(f"/esspresso/{session.id}/plan-des-tables.pdf")
    assert plan.status_code == 200 and plan.mimetype == "application/pdf"
    [page] = pdf_pages(plan.data)
    assert "Plan des tables" in page
    for side in (*day.buyers, *day.suppliers):
        assert side.participant.display_name in page
    sheets = pdf_pages(c.get(f"/esspresso/{session.id}/fiches-tables.pdf").data)
    assert len(sheets) == session.tables_count
    assert "\nTable 1\r" in sheets[0] and "\nTable 4\r" in sheets[-1]
    assert "table libre" in sheets[-1]
    participant = web(day.buyers[0].user)
    assert participant.get(f"/esspresso/{session.id}/plan-des-tables.pdf").status_code == 403
    assert participant.get(f"/esspresso/{session.id}/fiches-tables.pdf").status_code == 403
    assert participant.get(f"/esspresso/{session.id}/salle").status_code == 403


def test_organiser_marks_held_or_missed_once_begun(web, db, session, day, staff, to_now):
    from network.meetings import day as engine_day
    from network.meetings.models import Attendance, Meeting

    mid = day.meetings[0]
    with pytest.raises(Conflict) as early:
        engine_day.mark(session, mid, "held", acting=staff)
    assert early.value.code == "not_started"
    to_now(session)
    url = f"/esspresso/{session.id}/rendez-vous/{mid}/presence"
    assert web(day.buyers[0].user).post(url, data={"attendance": "held"}).status_code == 403
    assert db.session.get(Meeting, mid).attendance is None
    r = web(staff).post(url, data={"attendance": "held"})
    assert r.status_code == 302
    assert db.session.get(Meeting, mid).attendance == Attendance.HELD
    web(staff).post(url, data={"attendance": "missed"})
    db.session.expire_all()
    assert db.session.get(Meeting, mid).attendance == Attendance.MISSED
    page = web(staff).get(f"/esspresso/{session.id}/salle").get_data(as_text=True)
    assert "manqué" in page


def test_walk_in_on_a_free_table_never_double_books(web, db, session, day, staff, to_now):
    from sqlalchemy import func, select

    from network.meetings import day as engine_day
    from network.meetings.models import Meeting

    to_now(session)
    b2, s2 = day.buyers[1].participant, day.suppliers[1].participant
    with pytest.raises(PermissionDenied):
        engine_day.add_walk_in(session, b2.id, s2.id, 0, None, acting=day.buyers[1].user)
    count = db.session.scalar(select(func.count(Meeting.id)))
    c = web(staff)
    # table 1 is taken at slot 0 (buyer 1 and supplier 1): refused at the field
    taken = c.post(f"/esspresso/{session.id}/salle", data={
        "walkin-buyer": b2.id, "walkin-supplier": s2.id, "walkin-slot": 0, "walkin-table": 1})
    assert taken.status_code == 409
    assert "La table 1 est déjà prise à ce créneau." in taken.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Meeting.id))) == count
    bad = c.post(f"/esspresso/{session.id}/salle", data={
        "walkin-buyer": 0, "walkin-supplier": 0, "walkin-slot": 99, "walkin-table": ""})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for message in ("Choisissez un acheteur.", "Choisissez un fournisseur.",
                    "Choisissez un créneau de la session."):
        assert message in text
    ok = c.post(f"/esspresso/{session.id}/salle", data={
        "walkin-buyer": b2.id, "walkin-supplier": s2.id, "walkin-slot": 0, "walkin-table": 2})
    assert ok.status_code == 302
    walk_in = db.session.scalar(select(Meeting).where(Meeting.a_id == b2.id,
                                                      Meeting.b_id == s2.id))
    assert (walk_in.slot_index, walk_in.table_number, walk_in.is_published) == (0, 2, True)
    assert walk_in.source.value == "organiser"
    # the same pair again, elsewhere: refused by the pair constraint
    with pytest.raises(Conflict):
        engine_day.add_walk_in(session, b2.id, s2.id, 3, None, acting=staff)


def test_phone_shows_the_next_meeting(web, db, session, day, to_now):
    to_now(session, minutes_in=-4)  # the first slot starts in 4 minutes
    c = web(day.buyers[0].user)
    text = c.get(f"/esspresso/{session.id}").get_data(as_text=True)
    name = day.suppliers[0].participant.display_name
    assert f"Votre prochain rendez-vous : table 1, avec {name}, dans 4 minutes." in text
    to_now(session, minutes_in=25)  # slot 1 on: buyer 1 has none; next is slot 2
    text = c.get(f"/esspresso/{session.id}").get_data(as_text=True)
    assert "Votre prochain rendez-vous : table" in text
    assert day.suppliers[1].participant.display_name in text.split("prochain rendez-vous", 1)[1]
