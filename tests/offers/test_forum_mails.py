"""The exhibitor's team is told by mail when a visitor books or cancels an interview at its
stand, and when the organiser's run gives it interviews: through the outbox and a real SMTP
server, each member in their own language, with the time in Europe/Paris."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from support import mail_text

PARIS = ZoneInfo("Europe/Paris")
BOOKED = "a réservé un entretien au stand 7"


def _hours(event, slot_index: int, sep: str = "h") -> str:
    """"10h20–10h30" (or "10:20–10:30"): the slot's hours in Paris, not in UTC."""
    from network.offers.jobdating import SLOT_MINUTES

    start = event.start_at.astimezone(PARIS) + timedelta(minutes=SLOT_MINUTES * slot_index)
    end = start + timedelta(minutes=SLOT_MINUTES)
    return f"{start:%H}{sep}{start:%M}–{end:%H}{sep}{end:%M}"


@pytest.fixture
def stand_team(db, team, exhibitor, make_user):
    """The stand's team: its owner (French), an English editor, and an editor whose address
    is no longer verified (who reads none of the stand's mail)."""
    from network.accounts import organisations
    from network.accounts.models import OrgRole

    structure, owner = team
    english = make_user(name="Alex Editor", email="alex@example.org", locale="en")
    stale = make_user(name="Old Address", email="stale@example.org")
    for person in (english, stale):
        organisations.set_member(structure.organisation_id, person, OrgRole.EDITOR,
                                 acting=owner)
    stale.email_verified_at = None
    db.session.commit()
    return owner, english, stale


def _visitor(db, event, make_user, name="Paul Visiteur", email="paul@example.org"):
    from network.offers import jobdating

    person = make_user(name=name, email=email)
    jobdating.join_as_visitor(event, acting=person)
    db.session.commit()
    return person


def _deliver(sink) -> int:
    """Send what the outbox holds; how many mails the server has received so far."""
    from network.outbox.services import deliver_due

    assert deliver_due().failed == 0
    return len(sink.messages)


def _new_mail(sink, before: int, to: str | None = None):
    """The mails the server received since `before` (to one address)."""
    _deliver(sink)
    return [m for m in sink.messages[before:] if to is None or m["To"] == to]


def test_booking_tells_the_stand_team_each_in_their_language(
        smtp_config, db, forum, exhibitor, stand_team, make_user):
    from network.offers import jobdating

    event, _staff = forum
    row, _offer = exhibitor
    owner, english, stale = stand_team
    person = _visitor(db, event, make_user)
    before = _deliver(smtp_config)  # the set-up's own mail (the visitor's badge …)
    jobdating.book_interview(event, row, 2, acting=person)
    db.session.commit()

    sent = _new_mail(smtp_config, before)
    assert sorted(m["To"] for m in sent) == [english.email, owner.email]  # not stale's
    (french,) = _new_mail(smtp_config, before, owner.email)
    assert french["Subject"] == f"Job-dating : Paul Visiteur {BOOKED}"
    body = mail_text(french)
    assert "Paul Visiteur a réservé un entretien de job-dating à votre stand pendant " \
           "« Forum emploi-bénévolat de test » :" in body
    assert f"{_hours(event, 2)}, stand 7." in body
    assert f"http://localhost/forum/{event.id}#exposer" in body
    html = french.get_body(("html",)).get_content()
    assert '<html lang="fr">' in html and _hours(event, 2) in html

    (mail,) = _new_mail(smtp_config, before, english.email)
    assert mail["Subject"] == "Job dating: Paul Visiteur booked an interview at stand 7"
    body = mail_text(mail)
    assert "Paul Visiteur booked a job dating interview at your stand during " \
           '"Forum emploi-bénévolat de test":' in body
    assert f"{_hours(event, 2, ':')}, stand 7." in body
    assert "Bonjour" not in body
    assert '<html lang="en">' in mail.get_body(("html",)).get_content()
    assert not smtp_config.to(stale.email)


def test_cancelling_tells_the_stand_team(smtp_config, db, forum, exhibitor, stand_team,
                                         make_user):
    from network.offers import jobdating

    event, _staff = forum
    row, _offer = exhibitor
    owner, english, _stale = stand_team
    person = _visitor(db, event, make_user)
    meeting = jobdating.book_interview(event, row, 3, acting=person)
    db.session.commit()
    before = _deliver(smtp_config)
    jobdating.cancel_interview(event, meeting.id, acting=person)
    db.session.commit()

    sent = _new_mail(smtp_config, before)
    assert sorted(m["To"] for m in sent) == [english.email, owner.email]
    (mail,) = _new_mail(smtp_config, before, owner.email)
    assert mail["Subject"] == "Job-dating : entretien annulé au stand 7"
    body = mail_text(mail)
    assert "L'entretien de job-dating avec Paul Visiteur à votre stand pendant " \
           "« Forum emploi-bénévolat de test » est annulé :" in body
    assert f"{_hours(event, 3)}, stand 7." in body
    (mail,) = _new_mail(smtp_config, before, english.email)
    assert mail["Subject"] == "Job dating: interview cancelled at stand 7"
    assert f"{_hours(event, 3, ':')}, stand 7." in mail_text(mail)


def test_the_stand_cancelling_tells_the_visitor_not_itself(smtp_config, db, forum, exhibitor,
                                                            team, make_user):
    from network.offers import jobdating

    event, staff = forum
    row, _offer = exhibitor
    _structure, owner = team
    person = _visitor(db, event, make_user)
    meeting = jobdating.book_interview(event, row, 1, acting=person)
    db.session.commit()
    before = _deliver(smtp_config)
    jobdating.cancel_interview(event, meeting.id, acting=owner)  # the stand's own team
    db.session.commit()
    assert _new_mail(smtp_config, before, owner.email) == []
    (mail,) = _new_mail(smtp_config, before, person.email)
    assert mail["Subject"] == "Job-dating : votre entretien au stand 7 est annulé"
    body = mail_text(mail)
    assert f"{_hours(event, 1)}, stand 7." in body
    assert "Vous pouvez réserver un autre créneau" in body
    assert f"http://localhost/forum/{event.id}#jobdating" in body
    # The organiser cancels another: both sides hear of it.
    meeting = jobdating.book_interview(event, row, 2, acting=person)
    db.session.commit()
    before = _deliver(smtp_config)
    jobdating.cancel_interview(event, meeting.id, acting=staff)
    db.session.commit()
    assert sorted(m["To"] for m in _new_mail(smtp_config, before)) == sorted(
        [owner.email, person.email])


def test_a_name_with_line_breaks_adds_no_header(smtp_config, db, forum, exhibitor, team,
                                               make_user):
    from network.offers import jobdating

    event, _staff = forum
    row, _offer = exhibitor
    _structure, owner = team
    person = _visitor(db, event, make_user,
                      name="Eve\r\nBcc: intrus@example.org\r\nX-Evil: 1\nTo: autre@example.org")
    before = _deliver(smtp_config)
    meeting = jobdating.book_interview(event, row, 2, acting=person)
    db.session.commit()
    jobdating.cancel_interview(event, meeting.id, acting=person)
    db.session.commit()

    told = _new_mail(smtp_config, before)
    assert [m["To"] for m in told] == [owner.email, owner.email]
    for mail in smtp_config.messages:
        assert mail["Bcc"] is None and mail["X-Evil"] is None
        assert mail.get_all("To") == [mail["To"]]
        assert "\n" not in str(mail["Subject"]) and "\r" not in str(mail["Subject"])
    assert not smtp_config.to("intrus@example.org") and not smtp_config.to("autre@example.org")
    assert told[0]["Subject"] == ("Job-dating : Eve Bcc: intrus@example.org X-Evil: 1 To: "
                                  f"autre@example.org {BOOKED}")


def test_the_published_run_sends_each_stand_its_list(smtp_config, db, forum, exhibitor, team,
                                                    make_user):
    from network.offers import jobdating

    event, staff = forum
    row, _offer = exhibitor
    _structure, owner = team
    early = _visitor(db, event, make_user, name="Ana Réserve", email="ana@example.org")
    jobdating.book_interview(event, row, 0, acting=early)
    person = _visitor(db, event, make_user)
    jobdating.set_wish(event, row, 3, acting=person)
    db.session.commit()
    before = _deliver(smtp_config)
    run = jobdating.run_scheduler(event, acting=staff)
    assert jobdating.publish_run(event, run.id, acting=staff) == 1
    db.session.commit()

    (mail,) = _new_mail(smtp_config, before)
    assert mail["To"] == owner.email
    assert mail["Subject"] == "Job-dating : vos entretiens au stand 7"
    body = mail_text(mail)
    assert "Vos 2 entretiens au stand 7 :" in body
    assert f"{_hours(event, 0)} : Ana Réserve" in body
    assert f"{_hours(event, 1)} : Paul Visiteur" in body  # the first slot the run found free
