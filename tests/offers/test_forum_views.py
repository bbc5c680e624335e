"""Forum pages: wiring, status codes, permissions with the wrong user, bad input answered at
the field with nothing changed, and a guest's job-dating through HTTP."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.offers.conftest import png_bytes as _png


def test_the_forum_page_lists_stands_with_filters_and_the_plan(client, db, forum, exhibitor):
    from network.offers import exhibitors

    event, staff = forum
    exhibitors.upload_plan(event, _png(), "Stand 7 : à droite de l'entrée.", acting=staff)
    db.session.commit()
    html = client.get(f"/forum/{event.id}").get_data(as_text=True)
    assert "Stand 7" in html and "Maraîcher en insertion" in html
    assert "Stand 7 : à droite de l&#39;entrée." in html and 'aria-describedby="plan-text"' in html
    assert "Stand 7 —" not in client.get(f"/forum/{event.id}?type=benevolat").get_data(
        as_text=True)
    assert client.get(f"/forum/{event.id}?type=zz&secteur=" + "x" * 5000).status_code == 200
    assert client.get(f"/forum/{event.id}?type=%00").status_code == 400  # NUL: site-wide rule
    plan = client.get(f"/forum/{event.id}/plan")
    assert plan.status_code == 200 and plan.mimetype == "image/png"
    assert client.get("/forum/").status_code == 200
    assert client.get(f"/forum/{2**40}").status_code == 404
    # the forum's own event page leads to its stands
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert f'href="/forum/{event.id}"' in page and "Stands, offres et job-dating" in page


def test_an_anonymous_visitor_keeps_a_list_in_the_cookie(client, db, forum, exhibitor):
    event, _staff = forum
    row, _offer = exhibitor
    client.post(f"/forum/{event.id}/stands/{row.id}/visite", data={"on": "1"})
    assert "1 stand sur votre liste" in client.get(f"/forum/{event.id}").get_data(as_text=True)
    client.post(f"/forum/{event.id}/stands/{row.id}/visite", data={"on": "0"})
    assert "sur votre liste" not in client.get(f"/forum/{event.id}").get_data(as_text=True)


def test_an_account_keeps_its_list(client, db, login, forum, exhibitor, make_user):
    from network.offers.models import ForumVisit

    event, _staff = forum
    row, _offer = exhibitor
    login(make_user())
    for _ in range(2):  # a double click keeps one row
        client.post(f"/forum/{event.id}/stands/{row.id}/visite", data={"on": "1"})
    assert db.session.query(ForumVisit).count() == 1


@pytest.mark.parametrize("who", ["anonymous", "member", "exhibitor_team"])
def test_staff_pages_refuse_everyone_else(client, db, login, forum, exhibitor, team,
                                          make_user, who):
    event, _staff = forum
    row, _offer = exhibitor
    if who == "member":
        login(make_user())
    elif who == "exhibitor_team":
        login(team[1])
    gets = [f"/forum/{event.id}/gestion", f"/forum/{event.id}/bilan.csv"]
    posts = [f"/forum/{event.id}/gestion/exposants/{row.id}/accepter",
             f"/forum/{event.id}/gestion/exposants/{row.id}/refuser",
             f"/forum/{event.id}/gestion/plan", f"/forum/{event.id}/gestion/planificateur"]
    for url in gets:
        assert client.get(url).status_code in (302, 403), url
    for url in posts:
        assert client.post(url, data={"stand_number": "9"}).status_code in (302, 403), url
    db.session.refresh(row)
    assert row.stand_number == 7 and row.status.value == "accepted"


def test_staff_manage_stands_plan_and_read_figures(client, db, login, forum, exhibitor):
    event, staff = forum
    row, _offer = exhibitor
    login(staff)
    page = client.get(f"/forum/{event.id}/gestion")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<svg class="chart"' in html and "<caption>Par secteur</caption>" in html
    bad = client.post(f"/forum/{event.id}/gestion/plan", data={
        "plan": (io.BytesIO(b"GIF89a not a plan"), "plan.gif"), "description": ""},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "PNG ou JPEG" in bad.get_data(as_text=True)
    ok = client.post(f"/forum/{event.id}/gestion/plan", data={
        "plan": (io.BytesIO(_png()), "plan.png"), "description": "Stand 7 au fond."},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    client.post(f"/forum/{event.id}/gestion/exposants/{row.id}/accepter",
                data={"stand_number": "11"})
    db.session.refresh(row)
    assert row.stand_number == 11
    csv = client.get(f"/forum/{event.id}/bilan.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"


def test_a_guest_books_through_the_mailed_link(client, db, forum, exhibitor):
    from icalendar import Calendar

    from network.outbox.models import OutboxMessage

    event, _staff = forum
    row, _offer = exhibitor
    before = db.session.query(OutboxMessage).count()
    bad = client.post(f"/forum/{event.id}/jobdating/lien", data={"name": "", "email": "x"})
    assert bad.status_code == 422
    assert db.session.query(OutboxMessage).count() == before
    client.post(f"/forum/{event.id}/jobdating/lien",
                data={"name": "Lou Visiteuse", "email": "lou@example.org"})
    mail = db.session.query(OutboxMessage).filter_by(to_address="lou@example.org").one()
    link = mail.body_text.split("http://localhost")[1].split()[0]
    assert client.get(link).status_code == 302
    booked = client.post(f"/forum/{event.id}/stands/{row.id}/reserver", data={"slot": "1"})
    assert booked.status_code == 302 and booked.location.endswith(f"/forum/{event.id}/agenda")
    agenda = client.get(f"/forum/{event.id}/agenda").get_data(as_text=True)
    assert "Les Jardins de la Seille" in agenda
    cal = Calendar.from_ical(client.get(f"/forum/{event.id}/agenda.ics").data)
    assert len(cal.walk("VEVENT")) == 1
    # Another browser without the link has no agenda and books nothing.
    other = client.application.test_client()
    assert other.get(f"/forum/{event.id}/agenda").status_code == 404
    other.post(f"/forum/{event.id}/stands/{row.id}/reserver", data={"slot": "2"})
    from network.meetings.models import Meeting

    assert db.session.query(Meeting).count() == 1


def test_the_exhibitor_reports_through_the_form(client, db, login, forum, exhibitor, team,
                                                make_user):
    from network.core.time import utcnow
    from network.offers.models import ForumOutcome

    event, staff = forum
    row, offer = exhibitor
    event.start_at = utcnow() - timedelta(hours=3)
    event.end_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    stranger = login(make_user(), on=client.application.test_client())
    assert stranger.get(f"/forum/{event.id}/exposants/{row.id}/bilan").status_code == 403
    assert stranger.post(f"/forum/{event.id}/exposants/{row.id}/bilan",
                         data={f"hired_{offer.id}": "5"}).status_code == 403
    login(team[1])
    bad = client.post(f"/forum/{event.id}/exposants/{row.id}/bilan",
                      data={f"hired_{offer.id}": "beaucoup", f"volunteers_{offer.id}": "0"})
    assert bad.status_code == 422 and "Un nombre entre 0 et 1000" in bad.get_data(as_text=True)
    assert db.session.query(ForumOutcome).count() == 0
    ok = client.post(f"/forum/{event.id}/exposants/{row.id}/bilan",
                     data={f"hired_{offer.id}": "2", f"volunteers_{offer.id}": "0"})
    assert ok.status_code == 302
    staff_client = login(staff, on=client.application.test_client())
    html = staff_client.get(f"/forum/{event.id}/gestion").get_data(as_text=True)
    assert "1 exposant sur 1 a rendu son bilan." in html
    assert "Résultat : 2 personnes recrutées, 0 bénévole accueilli·e." in html


def test_the_stand_sees_and_cancels_its_interviews_others_do_not(client, db, login, forum,
                                                                 exhibitor, team, make_user):
    from network.core.errors import PermissionDenied
    from network.meetings.models import Meeting
    from network.offers import jobdating

    event, staff = forum
    row, _offer = exhibitor
    visitor = make_user(name="Paul Visiteur")
    jobdating.join_as_visitor(event, acting=visitor)
    meeting_id = jobdating.book_interview(event, row, 2, acting=visitor).id
    db.session.commit()
    # The stand's list is for its team and the organisers only, on the server too.
    stranger = make_user(name="Autre Structure")
    with pytest.raises(PermissionDenied):
        jobdating.stand_interviews(jobdating.session_of(event), row, acting=stranger)
    assert [i.visitor.display_name for i in jobdating.stand_interviews(
        jobdating.session_of(event), row, acting=staff)] == ["Paul Visiteur"]
    other = login(stranger, on=client.application.test_client())
    assert "Paul Visiteur" not in other.get(f"/forum/{event.id}").get_data(as_text=True)
    assert other.post(f"/forum/{event.id}/agenda/{meeting_id}/annuler",
                      data={"retour": "stand"}).status_code in (302, 403)
    assert db.session.get(Meeting, meeting_id) is not None  # a stranger cancels nothing
    login(team[1])
    page = client.get(f"/forum/{event.id}").get_data(as_text=True)
    assert "1 entretien à votre stand" in page and "Paul Visiteur" in page
    done = client.post(f"/forum/{event.id}/agenda/{meeting_id}/annuler",
                       data={"retour": "stand"})
    assert done.status_code == 302 and done.location.endswith(f"/forum/{event.id}#exposer")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id) is None
    page = client.get(f"/forum/{event.id}").get_data(as_text=True)
    assert "Aucun entretien réservé à votre stand pour l'instant." in page
