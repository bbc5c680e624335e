"""The participants list (only between people who agreed), the badge and calendar shown where
the person lands, and cancelling with a confirmation step, then registering again."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from network.core.errors import PermissionDenied
from network.events import participants, registration, rules
from network.events.models import Registration, RegistrationStatus

S = RegistrationStatus


def pdf_text(data: bytes) -> str:
    return "\n".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(data))


@pytest.fixture
def evening(make_event, make_user, db):
    event = make_event(title="Soirée de l'ESS")

    def reg(name, consents, **kw):
        user = make_user(name=name)
        answers = registration.prefill(user)
        answers.consents_to_list = consents
        answers.organisation_name = kw.get("org", "")
        reg = registration.register(event, answers, acting=user).registration
        db.session.commit()  # services flush; the pages read committed rows
        return reg

    return event, {
        "ana": reg("Ana Consent", True, org="Les Jardins de Cocagne"),
        "ben": reg("Ben Consent", True, org="Mairie de Metz"),
        "cleo": reg("Cléo Discrète", False, org="Secret SA"),
    }


def test_only_people_who_agreed_see_each_other(app, evening):
    _event, people = evening
    names = [r.name for r in participants.participants_for(people["ana"])]
    assert names == ["Ana Consent", "Ben Consent"]
    with pytest.raises(PermissionDenied) as err:
        participants.participants_for(people["cleo"])
    assert err.value.code == "list_not_allowed"
    registration.cancel_registration(people["ben"], acting=rules.guest_for(people["ben"]))
    with pytest.raises(PermissionDenied):
        participants.participants_for(people["ben"])  # cancelled: no longer a participant
    assert [r.name for r in participants.participants_for(people["ana"])] == ["Ana Consent"]


def test_participants_page_and_pdf(client, login, evening, make_user):
    _event, people = evening
    token = rules.manage_token(people["ana"])
    page = client.get(f"/evenements/inscription/{token}/participants")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ben Consent" in text and "Mairie de Metz" in text
    assert "Collectivité" in text and "Cléo" not in text and "Secret SA" not in text
    pdf = client.get(f"/evenements/inscription/{token}/participants.pdf")
    assert pdf.mimetype == "application/pdf"
    pdf_words = pdf_text(pdf.data)
    assert "Ben Consent" in pdf_words and "Cléo" not in pdf_words
    # The person who did not agree, a stranger with a made-up link, anonymous from the account.
    other = rules.manage_token(people["cleo"])
    for url in (f"/evenements/inscription/{other}/participants",
                f"/evenements/inscription/{other}/participants.pdf"):
        answer = client.get(url)
        assert answer.status_code == 403 and "Ben Consent" not in answer.get_data(as_text=True)
    assert client.get("/evenements/inscription/faux/participants").status_code == 400
    mine = f"/compte/participants/{people['ana'].id}"
    assert client.get(mine).status_code == 302 and "/connexion" in client.get(mine).location
    login(make_user())
    assert client.get(mine).status_code == 404


def test_account_and_badge_pages_link_to_the_list(client, login, db, evening):
    from network.accounts.models import User

    _event, people = evening
    ana = db.session.get(User, people["ana"].user_id)
    login(ana)
    account = client.get("/compte").get_data(as_text=True)
    assert "/participants" in account
    via_account = client.get(f"/compte/participants/{people['ana'].id}")
    assert via_account.status_code == 302
    assert "Ben Consent" in client.get(via_account.location).get_data(as_text=True)
    token = rules.manage_token(people["ana"])
    badge = client.get(f"/evenements/inscription/{token}/badge").get_data(as_text=True)
    assert f"/evenements/inscription/{token}/participants" in badge
    cleo_token = rules.manage_token(people["cleo"])
    badge = client.get(f"/evenements/inscription/{cleo_token}/badge").get_data(as_text=True)
    assert "/participants" not in badge


def test_event_page_shows_the_badge_and_the_calendar_link(client, login, db, evening):
    from network.accounts.models import User

    event, people = evening
    login(db.session.get(User, people["ana"].user_id))
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    token = rules.manage_token(people["ana"])
    assert f"/evenements/inscription/{token}/badge.png" in page
    assert f"/evenements/{event.id}/agenda.ics" in page
    assert f"/evenements/inscription/{token}/annulation" in page


def test_guest_confirmation_page_shows_the_badge_and_the_calendar_link(client, db, make_event,
                                                                      guest):
    from support import link_from_outbox

    event = make_event()
    registration.register(event, guest(5), acting=rules.VISITOR)
    db.session.commit()
    link = link_from_outbox("invite5@example.org", "/confirmer/")
    page = client.get(link).get_data(as_text=True)
    assert "Inscription confirmée" in page
    assert "/badge.png" in page and f"/evenements/{event.id}/agenda.ics" in page


def test_cancelling_asks_first_then_the_person_can_register_again(client, login, db, evening):
    from network.accounts.models import User

    event, people = evening
    reg = people["ana"]
    old_code = reg.badge_code
    token = rules.manage_token(reg)
    step = client.get(f"/evenements/inscription/{token}/annulation")
    assert step.status_code == 200 and "Oui, annuler mon inscription" in step.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == S.CONFIRMED  # asking changes nothing
    done = client.post(f"/evenements/inscription/{token}/annuler", follow_redirects=True)
    assert "Votre inscription est annulée" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == S.CANCELLED
    login(db.session.get(User, reg.user_id))
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert f"/evenements/{event.id}/inscription" in page  # the form is back
    again = client.post(f"/evenements/{event.id}/inscription", data={"consents_to_list": "y"})
    assert again.status_code == 302
    db.session.expire_all()
    back = db.session.get(Registration, reg.id)
    assert back.status == S.CONFIRMED and back.badge_code != old_code
