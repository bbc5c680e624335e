"""Concurrent answers through real HTTP: the same address never answers an offer twice (the
unique constraint decides, not a read in Python), and every request gets an answer < 500."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

MESSAGE = "Bonjour, je suis disponible tout de suite et très motivée par ce poste."


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, data: dict) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_concurrent_answers_from_the_same_addresses(live_server):
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import utcnow
    from network.directory import profiles as directory
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.extensions import db
    from network.offers import offers
    from network.offers.models import OfferAnswer

    app = live_server.app
    with app.app_context():
        directory_reference.ensure_reference_data()
        owner = User(email="owner@example.org", name="Owner", email_verified_at=utcnow(),
                     password_hash=generate_password_hash("x" * 12), is_staff=True)
        db.session.add(owner)
        db.session.flush()
        structure = directory.create_structure(acting=owner, data=StructureData(
            name="Association Concurrence", siret=make_siret(7777), legal_form="association",
            rna="W572007777", postcode="57000", commune="Metz", territory="metz"))
        directory.approve_structure(structure, acting=owner)
        offer = offers.create_offer(structure, offers.OfferData(
            kind="benevolat", title="Bénévole très demandé", commune="Metz", territory="metz",
            closes_on=utcnow().date() + timedelta(days=10),
            description="Une mission **très** demandée."), acting=owner)
        offers.publish_offer(offer, acting=owner)
        db.session.commit()
        offer_id = offer.id
        db.session.remove()

    url = f"{live_server.url}/offres/{offer_id}/repondre"
    people = [{"name": f"Personne {i}", "email": f"p{i}@example.org", "message": MESSAGE}
              for i in range(4)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda d: post(url, d), people * 6))
    assert set(statuses) <= {302, 409}, statuses
    with app.app_context():
        rows = db.session.execute(select(OfferAnswer.email, func.count()).where(
            OfferAnswer.offer_id == offer_id).group_by(OfferAnswer.email)).all()
    assert sorted(rows) == [(f"p{i}@example.org", 1) for i in range(4)]
