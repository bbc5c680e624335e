"""Answers: account and guest paths, CV checks, follow-up by the structure, who sees what,
abuse limits, retention, personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from network.core.time import utcnow
from network.offers import answers
from network.offers.models import AnswerCV, AnswerStatus, OfferAnswer
from support import outbox_messages

MESSAGE = "Bonjour, je suis très intéressée par ce poste et disponible dès janvier."


def _guest(n=1, **kw):
    values = dict(name=f"Invitée {n}", email=f"invitee{n}@example.net", message=MESSAGE)
    values.update(kw)
    return answers.AnswerData(**values)


def test_an_account_answers_at_once_and_the_team_is_told(db, make_offer, make_user, team):
    offer = make_offer()
    person = make_user(name="Alex Candidat")
    answer = answers.answer_offer(offer, answers.AnswerData(message=MESSAGE), acting=person)
    db.session.commit()
    assert answer.confirmed_at is not None and answer.email == person.email
    assert [m.kind for m in outbox_messages(person.email)] == ["offer_answer_received"]
    team_mail = outbox_messages(team[1].email)[-1]
    assert team_mail.kind == "offer_answer_new"
    assert MESSAGE not in team_mail.body_text  # details stay behind the login
    assert answers.list_for_person(person) == [answer]


def test_an_unverified_account_must_confirm_its_address_first(db, make_offer, make_user):
    offer = make_offer()
    with pytest.raises(PermissionDenied) as refused:
        answers.answer_offer(offer, answers.AnswerData(message=MESSAGE),
                             acting=make_user(email_verified_at=None))
    assert refused.value.code == "unverified"


def test_a_guest_confirms_by_the_signed_link_then_the_team_sees_it(db, make_offer, team):
    offer = make_offer()
    answer = answers.answer_offer(offer, _guest(), acting=None)
    db.session.commit()
    assert answer.confirmed_at is None
    assert answers.list_answers(offer, acting=team[1]) == []  # not before the click
    mail = outbox_messages("invitee1@example.net")[-1]
    assert mail.kind == "offer_answer_confirm"
    token = mail.body_text.split("/offres/candidature/confirmer/")[1].split()[0]
    guest = answers.guest_from_token(token, purpose=answers.CONFIRM)
    assert guest.scope == f"answer:{answer.id}"
    answers.confirm_answer(acting=guest)
    answers.confirm_answer(acting=guest)  # twice: the team is told once
    db.session.commit()
    assert answers.list_answers(offer, acting=team[1]) == [answer]
    assert [m.kind for m in outbox_messages(team[1].email)].count("offer_answer_new") == 1


def test_a_forged_or_foreign_link_is_refused(db, make_offer):
    from network.core.auth import Guest
    from network.core.tokens import TokenError

    offer = make_offer()
    answer = answers.answer_offer(offer, _guest(), acting=None)
    with pytest.raises(TokenError):
        answers.guest_from_token("bogus.token.value", purpose=answers.CONFIRM)
    with pytest.raises(TokenError):  # a view link is not a confirmation link
        answers.guest_from_token(answers.view_token(answer), purpose=answers.CONFIRM)
    with pytest.raises(NotFound):
        answers.confirm_answer(acting=Guest(email="autre@example.net",
                                             scope=f"answer:{answer.id}"))


def test_bad_input_is_named_field_by_field_and_nothing_is_kept(db, make_offer):
    offer = make_offer()
    with pytest.raises(ValidationError) as refused:
        answers.answer_offer(offer, answers.AnswerData(
            name="", email="pas-une-adresse", phone="<script>", message="court",
            cv=b"GIF89a not a pdf"), acting=None)
    assert set(refused.value.field_errors) == {"name", "email", "phone", "message", "cv"}
    assert db.session.query(OfferAnswer).count() == 0


def test_a_second_answer_from_the_same_address_is_refused(db, make_offer, make_user):
    offer = make_offer()
    person = make_user()
    answers.answer_offer(offer, answers.AnswerData(message=MESSAGE), acting=person)
    with pytest.raises(Conflict) as refused:
        answers.answer_offer(offer, answers.AnswerData(message=MESSAGE), acting=person)
    assert refused.value.code == "already_answered"


def test_a_guest_who_lost_the_mail_gets_the_link_again(db, make_offer):
    offer = make_offer()
    first = answers.answer_offer(offer, _guest(), acting=None)
    answers.answer_offer(offer, _guest(), acting=None)  # at once: no second mail (flooding)
    assert len(outbox_messages("invitee1@example.net")) == 1
    again = answers.answer_offer(offer, _guest(), acting=None,
                                 now=utcnow() + timedelta(minutes=11))
    assert again.id == first.id
    assert [m.kind for m in outbox_messages("invitee1@example.net")] == [
        "offer_answer_confirm", "offer_answer_confirm"]


def test_closed_and_draft_offers_take_no_answers(db, make_offer, team):
    from network.offers import offers

    draft = make_offer(publish=False)
    closed = make_offer()
    offers.close_offer(closed, acting=team[1])
    for offer in (draft, closed):
        with pytest.raises(ValidationError) as refused:
            answers.answer_offer(offer, _guest(), acting=None)
        assert refused.value.code == "offer_closed"


def test_at_most_n_answers_per_hour_per_address(app, db, make_offer):
    app.config["OFFERS_ANSWERS_PER_HOUR"] = 2
    offers_ = [make_offer(title=f"Poste {n}") for n in range(3)]
    answers.answer_offer(offers_[0], _guest(), acting=None)
    answers.answer_offer(offers_[1], _guest(), acting=None)
    with pytest.raises(answers.TooManyAnswers) as refused:
        answers.answer_offer(offers_[2], _guest(), acting=None)
    assert refused.value.status == 429
    later = utcnow() + timedelta(hours=2)
    assert answers.answer_offer(offers_[2], _guest(), acting=None, now=later).id


# --- the CV -------------------------------------------------------------------------------------

def test_a_real_pdf_is_kept_in_the_database(db, make_offer, make_pdf):
    offer = make_offer()
    pdf = make_pdf(2)
    answer = answers.answer_offer(offer, _guest(cv=pdf), acting=None)
    db.session.commit()
    stored = db.session.get(AnswerCV, answer.id)
    assert stored.data == pdf and stored.size == len(pdf)


@pytest.mark.parametrize("payload,code", [
    (b"PK\x03\x04 a word document", "cv_not_pdf"),
    (b"%PDF-1.7\nthis is not really a pdf at all\n%%EOF", "cv_unreadable"),
    (b"\x89PNG\r\n\x1a\n", "cv_not_pdf"),
])
def test_anything_but_a_readable_pdf_is_refused(db, make_offer, payload, code):
    offer = make_offer()
    with pytest.raises(ValidationError) as refused:
        answers.answer_offer(offer, _guest(cv=payload), acting=None)
    assert refused.value.code == code and "cv" in refused.value.field_errors


def test_a_pdf_over_the_limit_is_refused(app, db, make_offer, make_pdf):
    app.config["OFFERS_CV_MAX_BYTES"] = 200
    with pytest.raises(ValidationError) as refused:
        answers.answer_offer(make_offer(), _guest(cv=make_pdf(3)), acting=None)
    assert refused.value.code == "cv_too_large"


def test_an_encrypted_pdf_is_refused(db, make_offer, make_pdf):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError) as refused:
        answers.answer_offer(make_offer(), _guest(cv=out.getvalue()), acting=None)
    assert refused.value.code in ("cv_encrypted", "cv_unreadable")


def test_volunteering_takes_no_cv(db, make_offer, make_pdf):
    with pytest.raises(ValidationError) as refused:
        answers.answer_offer(make_offer(kind="benevolat"), _guest(cv=make_pdf()), acting=None)
    assert refused.value.code == "cv_unwanted"


def test_cvs_are_purged_after_the_retention_period(app, db, make_offer, make_pdf, runner):
    answer = answers.answer_offer(make_offer(), _guest(cv=make_pdf()), acting=None)
    db.session.commit()
    days = app.config["OFFERS_CV_RETENTION_DAYS"]
    assert answers.purge_cvs(now=utcnow() + timedelta(days=days - 1)) == 0
    assert answers.purge_cvs(now=utcnow() + timedelta(days=days + 1)) == 1
    db.session.commit()
    assert db.session.get(AnswerCV, answer.id) is None
    assert db.session.get(OfferAnswer, answer.id) is not None  # the answer itself stays


def test_purge_command_removes_old_cvs(db, make_offer, make_pdf, runner):
    answer = answers.answer_offer(make_offer(), _guest(cv=make_pdf()), acting=None)
    answer.cv.uploaded_at = utcnow() - timedelta(days=400)
    db.session.commit()
    result = runner.invoke(args=["offers", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 CV supprimé." in result.output
    db.session.expire_all()
    assert db.session.get(AnswerCV, answer.id) is None


def test_cv_is_shown_to_the_team_staff_and_its_sender_only(db, make_offer, make_pdf, make_user,
                                                           make_staff, make_structure, team):
    person = make_user()
    answer = answers.answer_offer(make_offer(), answers.AnswerData(message=MESSAGE,
                                                                   cv=make_pdf()),
                                  acting=person)
    db.session.commit()
    for viewer in (team[1], make_staff(), person):
        assert answers.get_cv(answer.id, acting=viewer).data.startswith(b"%PDF-")
    other_owner = make_user()
    make_structure(other_owner)
    for viewer in (other_owner, make_user(), None):
        with pytest.raises(NotFound):
            answers.get_cv(answer.id, acting=viewer)


# --- the structure follows up -------------------------------------------------------------------

def test_status_changes_are_mailed_and_feed_the_response_rate(db, make_offer, make_user, team):
    offer = make_offer()
    owner = team[1]
    people = [make_user() for _ in range(4)]
    got = [answers.answer_offer(offer, answers.AnswerData(message=MESSAGE), acting=p)
           for p in people]
    start = utcnow()
    answers.set_answer_status(got[0], "contacted", acting=owner, now=start + timedelta(days=1))
    answers.set_answer_status(got[1], "retained", acting=owner, now=start + timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        answers.set_answer_status(got[2], "not-retained", acting=owner)
    assert refused.value.field_errors == {"reason": [refused.value.message]}
    answers.set_answer_status(got[2], "not-retained", acting=owner, reason="Poste pourvu.",
                              now=start + timedelta(days=2))
    db.session.commit()
    mail = outbox_messages(people[2].email)[-1]
    assert mail.kind == "offer_answer_status" and "Poste pourvu." in mail.body_text
    assert "Non retenue" in mail.subject
    stats = answers.response_stats(offer.structure, now=start + timedelta(days=5))
    assert (stats.answers, stats.responded, stats.rate) == (4, 3, 75)
    assert stats.median_days == pytest.approx(2, abs=0.1)


def test_only_the_team_and_staff_follow_up(db, make_offer, make_user, make_structure,
                                          make_staff, team):
    answer = answers.answer_offer(make_offer(), answers.AnswerData(message=MESSAGE),
                                  acting=make_user())
    other_owner = make_user()
    make_structure(other_owner)
    for viewer in (other_owner, make_user(), None, answer.offer and make_user()):
        with pytest.raises(NotFound):
            answers.get_answer(answer.id, acting=viewer)
        with pytest.raises(PermissionDenied):
            answers.set_answer_status(answer, "retained", acting=viewer)
        with pytest.raises(PermissionDenied):
            answers.list_answers(answer.offer, acting=viewer)
    assert answers.get_answer(answer.id, acting=make_staff()) is answer
    assert answer.status == AnswerStatus.NEW


# --- personal data --------------------------------------------------------------------------------

def test_export_and_erase_cover_answers(db, make_offer, make_user, make_pdf):
    from network.core import gdpr

    person = make_user()
    answers.answer_offer(make_offer(), answers.AnswerData(message=MESSAGE, cv=make_pdf()),
                         acting=person)
    exported = gdpr.export_sections(person)
    assert exported["candidatures"][0]["message"] == MESSAGE
    gdpr.erase_everywhere(person)
    db.session.commit()
    assert db.session.query(OfferAnswer).count() == 0
    assert db.session.query(AnswerCV).count() == 0


def test_guest_answers_join_the_account_once_its_address_is_verified(db, make_offer, make_user):
    from network.core import signals

    answer = answers.answer_offer(make_offer(), _guest(), acting=None)
    user = make_user(email="invitee1@example.net")
    signals.email_verified.send(user)
    assert answer.user_id == user.id
    assert answers.list_for_person(user) == [answer]


def test_an_unverified_account_neither_exports_nor_erases_guest_answers_of_its_address(
        db, make_offer, make_user):
    from network.core import gdpr

    answer = answers.answer_offer(make_offer(), _guest(), acting=None)
    squatter = make_user(email="invitee1@example.net", email_verified_at=None)
    assert gdpr.export_sections(squatter)["candidatures"] == []
    gdpr.erase_everywhere(squatter)
    assert db.session.get(OfferAnswer, answer.id) is not None
