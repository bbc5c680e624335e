"""`flask demo load` gives about forty offers of both families, answers, and a team that can
publish: what `make run` shows."""

from __future__ import annotations

from sqlalchemy import func, select

from network.offers.models import ENGAGEMENT_KINDS, JOB_KINDS, Offer, OfferAnswer, OfferState


def test_demo_offers(app, db, runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "offres : " in result.output
    kinds = [k for (k,) in db.session.execute(select(Offer.kind).where(
        Offer.state == OfferState.PUBLISHED))]
    assert 35 <= len(kinds) <= 45
    assert sum(k in JOB_KINDS for k in kinds) >= 15
    assert sum(k in ENGAGEMENT_KINDS for k in kinds) >= 10
    assert db.session.scalar(select(func.count(OfferAnswer.id)).where(
        OfferAnswer.confirmed_at.is_not(None))) >= 10
    page = client.get("/offres/?q=benevole").get_data(as_text=True)
    assert "Bénévole" in page
    from network.accounts.services import get_user_by_email

    member = get_user_by_email("membre@example.org")
    client.post("/connexion", data={"email": member.email,
                                    "password": "demo-Moselle-ESS-2026"})
    assert client.get("/offres/publier").status_code == 302  # straight to its structure
    mine = client.get("/offres/mes-candidatures").get_data(as_text=True)
    assert mine.count('id="candidature-') == 2
