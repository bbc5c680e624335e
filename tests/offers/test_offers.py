"""Offer services, called directly: rights, validation at the field, states, expiry, search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from network.core.auth import Guest, System
from network.core.errors import NotFound, PermissionDenied, ValidationError
from network.core.time import utcnow
from network.directory.models import StructureStatus
from network.offers import listing, offers, public
from network.offers.models import Offer, OfferState
from support import outbox_messages


def test_team_creates_a_draft_then_publishes(offer_data, db, team):
    structure, owner = team
    offer = offers.create_offer(structure, offer_data(), acting=owner)
    assert offer.state == OfferState.DRAFT and offer.published_at is None
    assert "maraichage" in offer.search_text and "encadrant" in offer.search_text
    offers.publish_offer(offer, acting=owner)
    assert offer.state == OfferState.PUBLISHED and offer.published_at is not None


@pytest.mark.parametrize("who", ["stranger", "other_team", "unverified_member", "guest",
                                 "system", "anonymous"])
def test_only_the_team_or_staff_may_write(offer_data, db, team, make_user, make_structure, who):
    from network.accounts import services as accounts
    from network.accounts.models import OrgRole

    structure, owner = team
    if who == "stranger":
        acting = make_user()
    elif who == "other_team":
        acting = make_user()
        make_structure(acting)
    elif who == "unverified_member":
        acting = make_user()  # verified to join, then unverified
        accounts.set_member(structure.organisation_id, acting, OrgRole.EDITOR, acting=owner)
        acting.email_verified_at = None
        db.session.commit()
    elif who == "guest":
        acting = Guest(email=owner.email, scope="answer:1")
    elif who == "system":
        acting = System(job="test")
    else:
        acting = None
    with pytest.raises(PermissionDenied) as refused:
        offers.create_offer(structure, offer_data(), acting=acting)
    assert refused.value.code == "not_structure_team"
    draft = offers.create_offer(structure, offer_data(), acting=owner)
    for service in (offers.publish_offer, offers.close_offer, offers.fill_offer):
        with pytest.raises(PermissionDenied):
            service(draft, acting=acting)
    assert db.session.get(Offer, draft.id).state == OfferState.DRAFT


def test_an_editor_may_publish_and_staff_too(offer_data, db, team, make_user, make_staff):
    from network.accounts import services as accounts
    from network.accounts.models import OrgRole

    structure, owner = team
    editor = make_user()
    accounts.set_member(structure.organisation_id, editor, OrgRole.EDITOR, acting=owner)
    offer = offers.create_offer(structure, offer_data(), acting=editor)
    offers.publish_offer(offer, acting=make_staff())
    assert offer.state == OfferState.PUBLISHED


def test_every_bad_field_is_named_at_once(offer_data, db, team):
    structure, owner = team
    bad = offer_data(kind="cdi-a-vie", title="x", commune="", territory="atlantide",
                     closes_on=date(2001, 1, 1), description="<script>alert(1)</script>",
                     postcode="ABCDE", places=0, work_mode="lune", accessibility=["vip"],
                     starts_on=date(9999, 12, 31), skills=", ".join(["x" * 80] * 3))
    with pytest.raises(ValidationError) as refused:
        offers.create_offer(structure, bad, acting=owner)
    assert set(refused.value.field_errors) == {
        "kind", "title", "commune", "territory", "closes_on", "description", "postcode",
        "places", "work_mode", "accessibility", "starts_on", "skills"}
    assert db.session.query(Offer).count() == 0


def test_a_pending_structure_prepares_drafts_but_cannot_publish(offer_data, db, make_user,
                                                                 make_structure):
    owner = make_user()
    structure = make_structure(owner, status=StructureStatus.PENDING)
    offer = offers.create_offer(structure, offer_data(), acting=owner)
    with pytest.raises(ValidationError) as refused:
        offers.publish_offer(offer, acting=owner)
    assert refused.value.code == "structure_not_approved"


def test_expiry_is_lazy_on_read_and_swept_by_the_command(db, make_offer, runner):
    first = make_offer()
    second = make_offer(title="Second poste")
    later = utcnow() + timedelta(days=40)
    assert listing.search_offers(now=later).total == 0  # never listed once the date passed
    shown = offers.get_visible_offer(first.id, None, now=later)
    assert shown.state == OfferState.EXPIRED
    assert offers.expire_offers(now=later) == 1  # the second one
    db.session.commit()
    assert db.session.get(Offer, second.id).state == OfferState.EXPIRED


def test_expire_command(db, make_offer, runner):
    offer = make_offer()
    offer.closes_on = date.today() - timedelta(days=2)
    db.session.commit()
    result = runner.invoke(args=["offers", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 offre expirée." in result.output
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).state == OfferState.EXPIRED


def test_drafts_are_hidden_from_everyone_but_the_team_and_staff(db, make_offer, team,
                                                                 make_user, make_staff):
    draft = make_offer(publish=False)
    with pytest.raises(NotFound):
        offers.get_visible_offer(draft.id, None)
    with pytest.raises(NotFound):
        offers.get_visible_offer(draft.id, make_user())
    assert offers.get_visible_offer(draft.id, team[1]) is draft
    assert offers.get_visible_offer(draft.id, make_staff()) is draft


def test_staff_unpublish_with_a_reason_mailed_to_the_team(db, make_offer, team, make_staff):
    offer = make_offer()
    with pytest.raises(PermissionDenied):
        offers.unpublish_offer(offer, acting=team[1], reason="Je me retire moi-même")
    staff = make_staff()
    with pytest.raises(ValidationError) as refused:
        offers.unpublish_offer(offer, acting=staff, reason=" ")
    assert refused.value.field_errors == {"reason": [refused.value.message]}
    offers.unpublish_offer(offer, acting=staff, reason="Offre payante : contraire à la charte.")
    db.session.commit()
    assert offer.state == OfferState.DRAFT
    mails = outbox_messages(team[1].email)
    assert mails[-1].kind == "offer_unpublished"
    assert "contraire à la charte" in mails[-1].body_text


def test_a_draft_without_answers_may_be_deleted(db, make_offer, team):
    draft = make_offer(publish=False)
    offers.delete_offer(draft, acting=team[1])
    assert db.session.get(Offer, draft.id) is None
    published = make_offer()
    with pytest.raises(ValidationError):
        offers.delete_offer(published, acting=team[1])


# --- search -------------------------------------------------------------------------------------

def test_search_is_accent_and_case_free_with_prefixes(db, make_offer):
    garden = make_offer(title="Ouvrier maraîcher en insertion", kind="cddi")
    make_offer(title="Bénévole accueil du théâtre", kind="benevolat",
               description="Accueillir le public des spectacles.", skills="accueil")
    found = listing.search_offers(listing.OfferFilters(q="MARAICHER"))
    assert [o.id for o in found.items] == [garden.id]
    assert listing.search_offers(listing.OfferFilters(q="theat benev")).total == 1
    assert listing.search_offers(listing.OfferFilters(q="theatre plombier")).total == 0


def test_filters_by_kind_family_territory_sector_commune_start(db, make_offer, make_structure,
                                                               make_user):
    owner = make_user()
    thionville = make_structure(owner, territory="thionville", commune="Thionville",
                                sectors=["handicap"])
    job = make_offer(kind="cdd", starts_on=date.today() + timedelta(days=60))
    mission = make_offer(kind="service-civique", commune="Woippy")
    far = make_offer(thionville, owner, kind="benevolat", territory="thionville",
                     commune="Thionville")

    def ids(**kw):
        return {o.id for o in listing.search_offers(listing.OfferFilters(**kw)).items}

    assert ids(kinds=("cdd",)) == {job.id}
    assert ids(families=("engagement",)) == {mission.id, far.id}
    assert ids(territories=("thionville",)) == {far.id}
    assert ids(sectors=("handicap",)) == {far.id}
    assert ids(communes=("woippy",)) == {mission.id}
    assert ids(starts_by=date.today() + timedelta(days=10)) == {mission.id, far.id}
    assert ids(kinds=("nonsense",)) == set()


def test_filters_round_trip_through_the_query_string(db):
    from werkzeug.datastructures import MultiDict

    args = MultiDict([("q", "jardin"), ("type", "cdi"), ("type", "cdd"), ("territoire", "metz"),
                      ("debut_avant", "2027-03-01"), ("commune", "Metz")])
    filters = listing.OfferFilters.from_args(args)
    assert filters.kinds == ("cdi", "cdd") and filters.starts_by == date(2027, 3, 1)
    assert listing.OfferFilters.from_args(filters.to_args()) == filters
    assert listing.OfferFilters.from_args(MultiDict([("debut_avant", "0001-01-01")])
                                         ).starts_by is None


def test_pagination(db, make_offer):
    for n in range(5):
        make_offer(title=f"Poste numéro {n}")
    page = listing.search_offers(per_page=2, page=3)
    assert page.total == 5 and page.pages == 3 and len(page.items) == 1
    assert listing.search_offers(per_page=2, page=99).items == []


def test_matches_agrees_with_the_search(db, make_offer):
    offer = make_offer(title="Mécanicienne cycles", kind="cddi")
    yes = listing.OfferFilters(q="mecani cycle", families=("emploi",), territories=("metz",))
    no = listing.OfferFilters(q="mecani", kinds=("benevolat",))
    assert listing.matches(yes, offer) and not listing.matches(no, offer)
    assert listing.search_offers(yes).total == 1 and listing.search_offers(no).total == 0


def test_json_ld_is_a_job_posting_and_volunteering_says_so(db, make_offer):
    job = public.json_ld(make_offer(kind="cdi"))
    assert job["@type"] == "JobPosting" and job["employmentType"] == ["FULL_TIME"]
    assert job["hiringOrganization"]["name"] == "Les Jardins de la Seille"
    assert job["jobLocation"]["address"]["addressLocality"] == "Metz"
    mission = public.json_ld(make_offer(kind="benevolat", title="Bénévole jardin"))
    assert mission["employmentType"] == ["VOLUNTEER"]


def test_staff_figures_count_offers(db, make_offer):
    from network.admin import services as admin

    make_offer()
    sections = dict(admin.dashboard())
    figures = sections["Offres d'emploi et de bénévolat"]
    assert (figures[0].label, figures[0].value) == ("Offres en ligne", 1)


def test_the_revision_carries_the_search_service_ddl():
    """The migration's frozen copy is what the search service creates for `create_all`."""
    import importlib.util
    from pathlib import Path

    from network.offers.models import OFFER_SEARCH

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / \
        "5c48ab7856c1_offers_and_answers.py"
    spec = importlib.util.spec_from_file_location("offers_revision", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    assert list(revision.SQLITE_SEARCH) == OFFER_SEARCH.ddl("sqlite")
    source = path.read_text(encoding="utf-8")
    for statement in OFFER_SEARCH.ddl("postgresql"):
        assert " ".join(statement.split()) in " ".join(
            source.replace('"\n', "").replace('                   "', "").split())
