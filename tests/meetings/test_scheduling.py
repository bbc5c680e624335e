"""Wishes, the scheduler run with its preview, publishing, re-running, and the commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from network.core.errors import Conflict, PermissionDenied, ValidationError
from network.core.time import as_utc
from support import outbox_messages


def wish(session, source, target, priority, acting=None, **kw):
    from network.esspresso import meetings

    meetings.mark_wish(session, source.participant.id, target.participant.id, priority,
                       acting=acting or source.user, **kw)


def test_wishes_set_change_remove_and_close(db, session, make_buyer, make_supplier, make_user):
    from network.meetings.wishes import list_wishes

    buyer, supplier = make_buyer(), make_supplier()
    wish(session, buyer, supplier, 2)
    wish(session, buyer, supplier, 3)
    wish(session, supplier, buyer, 1)
    assert sorted(w.priority for w in list_wishes(session)) == [1, 3]
    wish(session, buyer, supplier, 0)
    assert [w.priority for w in list_wishes(session)] == [1]
    with pytest.raises(ValidationError):
        wish(session, buyer, supplier, 7)
    with pytest.raises(PermissionDenied):
        wish(session, buyer, supplier, 2, acting=make_user())
    with pytest.raises(PermissionDenied):
        wish(session, buyer, supplier, 2, acting=supplier.user)
    other = make_buyer()
    with pytest.raises(PermissionDenied) as same_side:
        wish(session, buyer, other, 2)
    assert same_side.value.code == "wrong_sides"
    later = as_utc(session.starts_at) + timedelta(seconds=1)
    with pytest.raises(Conflict) as closed:
        wish(session, buyer, supplier, 2, now=later)
    assert closed.value.code == "wishes_closed"


def _crowd(make_buyer, make_supplier, n_buyers=6, n_suppliers=8):
    buyers = [make_buyer() for _ in range(n_buyers)]
    suppliers = [make_supplier() for _ in range(n_suppliers)]
    return buyers, suppliers


def test_run_previews_then_publish_keeps_bookings_and_tells_everyone(
        db, session, make_buyer, make_supplier, make_user, staff):
    from network.esspresso import meetings, planning
    from network.meetings.booking import list_meetings

    buyers, suppliers = _crowd(make_buyer, make_supplier)
    booked = meetings.book_meeting(session, buyers[0].participant.id,
                                   suppliers[0].participant.id, 3, acting=buyers[0].user)
    for i, b in enumerate(buyers):
        for j in range(3):
            wish(session, b, suppliers[(i + j) % len(suppliers)], 3 - j)
    for j, s in enumerate(suppliers[:4]):
        wish(session, s, buyers[j], 2)
    db.session.commit()
    booked_at = (booked.slot_index, booked.table_number)

    with pytest.raises(PermissionDenied):
        planning.run_scheduler(session, acting=buyers[0].user)
    run = planning.run_scheduler(session, acting=staff)
    db.session.commit()
    f = run.figures
    assert f["kept"] == 1 and f["new"] == f["meetings"] - 1 and f["new"] > 10
    assert f["wishes"]["3"]["met"] == f["wishes"]["3"]["asked"] == 6
    assert f["empty_tables"] == 9 * 4 - f["meetings"]
    assert sum(f["per_person"].values()) == 14
    assert len(list_meetings(session)) == 1  # nothing changes before publishing

    with pytest.raises(PermissionDenied):
        planning.publish(session, run.id, acting=make_user())
    told = planning.publish(session, run.id, acting=staff)
    db.session.commit()
    assert told == 14
    live = list_meetings(session)
    assert len(live) == f["meetings"] and all(m.is_published for m in live)
    assert {(m.slot_index, m.table_number) for m in live if m.id == booked.id} == {booked_at}
    for side in (*buyers, *suppliers):
        assert outbox_messages(side.user.email)[-1].kind == "esspresso_published"
    with pytest.raises(Conflict) as again:
        planning.publish(session, run.id, acting=staff)
    assert again.value.code == "run_used"
    _assert_counts(db, session)
    meetings.cancel_meeting(session, live[0].id, acting=staff)
    db.session.commit()
    _assert_counts(db, session)


def test_rerun_keeps_published_meetings_and_fills_gaps(db, session, make_buyer, make_supplier,
                                                      staff):
    from network.esspresso import planning
    from network.meetings.booking import list_meetings

    buyers, suppliers = _crowd(make_buyer, make_supplier, 3, 3)
    for b in buyers:
        wish(session, b, suppliers[0], 3)
    run = planning.run_scheduler(session, acting=staff)
    planning.publish(session, run.id, acting=staff)
    db.session.commit()
    first = {(m.a_id, m.b_id, m.slot_index, m.table_number) for m in list_meetings(session)}
    assert len(first) == 3
    late = make_buyer()
    session.published_at = None  # the organiser reopens wishes for a late buyer
    wish(session, late, suppliers[1], 2)
    db.session.commit()
    rerun = planning.run_scheduler(session, acting=staff)
    assert rerun.figures["kept"] == 3 and rerun.figures["new"] == 1
    planning.publish(session, rerun.id, acting=staff)
    db.session.commit()
    after = {(m.a_id, m.b_id, m.slot_index, m.table_number) for m in list_meetings(session)}
    assert first < after and len(after) == 4
    _assert_counts(db, session)


def _assert_counts(db, session):
    """Each participant's stored count (which the cap's CHECK guards) matches its meetings."""
    from collections import Counter

    from network.meetings.booking import list_meetings
    from network.meetings.scheduling import list_participants

    db.session.expire_all()
    real = Counter(pid for m in list_meetings(session) for pid in (m.a_id, m.b_id))
    assert {p.id: p.meetings_count for p in list_participants(session)} == {
        p.id: real[p.id] for p in list_participants(session)}


def test_a_booking_after_the_run_makes_it_outdated(db, session, make_buyer, make_supplier,
                                                   staff):
    from network.esspresso import meetings, planning

    buyers, suppliers = _crowd(make_buyer, make_supplier, 2, 2)
    wish(session, buyers[0], suppliers[0], 3)
    run = planning.run_scheduler(session, acting=staff)
    meetings.book_meeting(session, buyers[1].participant.id, suppliers[1].participant.id, 0,
                          acting=buyers[1].user)
    with pytest.raises(Conflict) as outdated:
        planning.publish(session, run.id, acting=staff)
    assert outdated.value.code == "run_outdated"


def test_named_organiser_may_run_but_not_name_others(db, session, make_user, staff,
                                                     make_buyer, make_supplier):
    from network.esspresso import planning
    from network.meetings import sessions

    cress = make_user(name="Personne de la CRESS")
    with pytest.raises(PermissionDenied):
        planning.run_scheduler(session, acting=cress)
    sessions.add_organiser(session, cress, acting=staff)
    db.session.commit()
    planning.run_scheduler(session, acting=cress)
    with pytest.raises(PermissionDenied):
        sessions.add_organiser(session, make_user(), acting=cress)


def test_export_and_schedule_commands(db, session, runner, make_buyer, make_supplier,
                                      tmp_path):
    from network.meetings.booking import list_meetings

    buyers, suppliers = _crowd(make_buyer, make_supplier, 2, 3)
    wish(session, buyers[0], suppliers[1], 3)
    wish(session, suppliers[2], buyers[1], 2)
    db.session.commit()
    out = tmp_path / "instance.json"
    result = runner.invoke(args=["esspresso", "export", str(session.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert (data["slots"], data["tables"], len(data["participants"])) == (9, 4, 5)
    assert {(w["from"][0], w["to"][0], w["priority"]) for w in data["wishes"]} == {
        ("A", "B", 3), ("B", "A", 2)}
    from network.esspresso.instance import parse_instance

    parse_instance(data)  # valid for the pure core
    result = runner.invoke(args=["esspresso", "schedule", str(session.id)])
    assert result.exit_code == 0, result.output
    assert "2 rendez-vous" in result.output
    db.session.expire_all()
    assert list_meetings(session) == []
    result = runner.invoke(args=["esspresso", "schedule", str(session.id), "--publish"])
    assert result.exit_code == 0 and "publié" in result.output, result.output
    db.session.expire_all()
    assert len(list_meetings(session)) == 2
    missing = runner.invoke(args=["esspresso", "export", "999999"])
    assert missing.exit_code != 0 and "n'existe pas" in missing.output


def test_session_slots_skip_the_break(db, esspresso_event, staff):
    from network.esspresso import planning

    start = as_utc(esspresso_event.start_at)
    s = planning.create_session(planning.SessionForm(
        event_id=esspresso_event.id, slot_minutes=20, tables_count=10,
        breaks=[(start + timedelta(minutes=50), start + timedelta(minutes=70))]),
        acting=staff)
    starts = [as_utc(x.starts_at) - start for x in s.slots]
    assert starts[:4] == [timedelta(0), timedelta(minutes=20), timedelta(minutes=70),
                          timedelta(minutes=90)]
    assert [x.index for x in s.slots] == list(range(len(s.slots)))
    with pytest.raises(Conflict):
        planning.create_session(planning.SessionForm(
            event_id=esspresso_event.id, slot_minutes=20, tables_count=10), acting=staff)


def test_bad_session_values_are_all_reported(db, esspresso_event, staff, make_user):
    from network.esspresso import planning

    with pytest.raises(PermissionDenied):
        planning.create_session(planning.SessionForm(
            event_id=esspresso_event.id, slot_minutes=20, tables_count=10), acting=make_user())
    with pytest.raises(ValidationError) as bad:
        planning.create_session(planning.SessionForm(
            event_id=esspresso_event.id, slot_minutes=2, tables_count=0,
            wishes_close_at=as_utc(esspresso_event.end_at)), acting=staff)
    assert set(bad.value.errors) == {"slot_minutes", "tables_count", "wishes_close_at"}
