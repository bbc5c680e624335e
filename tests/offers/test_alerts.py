"""Saved searches: only verified addresses get mail, one click stops it."""

from __future__ import annotations

import pytest

from network.core.errors import PermissionDenied, ValidationError
from network.offers import alerts, listing, offers
from network.offers.models import SavedSearch
from support import link_from_outbox, outbox_messages


def _filters(**kw):
    return listing.OfferFilters(**kw)


def test_an_account_alert_mails_on_a_matching_publication(db, make_user, make_offer):
    person = make_user()
    alerts.save_search(_filters(q="maraicher", territories=("metz",)), acting=person)
    db.session.commit()
    make_offer(title="Ouvrier maraîcher en insertion")
    make_offer(title="Comptable", description="Tenir la comptabilité de l'association.",
               skills="comptabilité")
    mails = outbox_messages(person.email)
    assert [m.kind for m in mails] == ["offer_alert"]
    assert "Ouvrier maraîcher" in mails[0].subject
    assert "/offres/alertes/arreter/" in mails[0].body_text


def test_publishing_twice_mails_once(db, make_user, make_offer, team):
    person = make_user()
    alerts.save_search(_filters(), acting=person)
    offer = make_offer()
    offers.publish_offer(offer, acting=team[1])
    assert len(outbox_messages(person.email)) == 1


def test_a_guest_alert_waits_for_the_confirmation_click(db, make_offer, client):
    alert = alerts.save_search(_filters(kinds=("cdi",)), acting=None, email="Visiteur@Example.net")
    db.session.commit()
    assert alert.email == "visiteur@example.net" and alert.confirmed_at is None
    make_offer(title="Premier poste")
    assert [m.kind for m in outbox_messages(alert.email)] == ["offer_alert_confirm"]
    response = client.get(link_from_outbox(alert.email, "/offres/alertes/confirmer/"))
    assert response.status_code == 200
    make_offer(title="Second poste")
    kinds = [m.kind for m in outbox_messages(alert.email)]
    assert kinds == ["offer_alert_confirm", "offer_alert"]


def test_one_click_unsubscribe_without_login(db, make_user, make_offer, client):
    person = make_user()
    alerts.save_search(_filters(), acting=person)
    db.session.commit()
    make_offer()
    link = link_from_outbox(person.email, "/offres/alertes/arreter/")
    response = client.get(link)
    assert response.status_code == 200 and "Alerte supprimée" in response.get_data(as_text=True)
    assert db.session.query(SavedSearch).count() == 0
    assert client.get(link).status_code == 200  # clicking again is harmless
    assert client.get(link[:-3] + "xyz").status_code == 400


def test_no_mail_to_an_address_that_is_not_verified(db, make_user, make_offer):
    person = make_user()
    alerts.save_search(_filters(), acting=person)
    person.email_verified_at = None  # e.g. the address changed and awaits confirmation
    db.session.commit()
    make_offer()
    assert outbox_messages(person.email) == []
    with pytest.raises(PermissionDenied):
        alerts.save_search(_filters(), acting=person)


def test_limits_and_ownership(app, db, make_user):
    app.config["OFFERS_ALERTS_PER_ADDRESS"] = 2
    person, other = make_user(), make_user()
    first = alerts.save_search(_filters(q="a"), acting=person)
    alerts.save_search(_filters(q="b"), acting=person)
    with pytest.raises(ValidationError) as refused:
        alerts.save_search(_filters(q="c"), acting=person)
    assert refused.value.code == "too_many_alerts"
    with pytest.raises(ValidationError):
        alerts.save_search(_filters(), acting=None, email="pas une adresse")
    with pytest.raises(PermissionDenied):
        alerts.delete_alert(first.id, acting=other)
    alerts.delete_alert(first.id, acting=person)
    assert [a.label for a in alerts.list_alerts(person)] == ["« b »"]
