"""The directory under the house rules: a pending structure's page, network membership,
services that flush and check rights themselves, every bad field at once, and input that
reaches no header, no column beyond its size and no NUL into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from network.accounts.models import Organisation, OrgRole
from network.core.errors import Conflict, PermissionDenied, ValidationError
from network.directory import fields, membership, profiles
from network.directory.models import JoinRequest, Structure, StructureChange, StructureStatus
from network.outbox.models import OutboxMessage
from support import outbox_messages

PACKAGE = Path(__file__).parents[2] / "network" / "directory"


def count(db, model=Structure) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form_data(profile_data, n=1, **overrides) -> dict:
    data = profile_data(n)
    values = {
        "name": data.name, "siret": data.siret, "legal_form": data.legal_form, "rna": data.rna,
        "postcode": data.postcode, "commune": data.commune, "territory": data.territory,
        "area_served": "territoire", "coop_status": "none", "buyer_kind": "none",
        "description": data.description,
    }
    values.update(overrides)
    return values


# --- the shape of the package -----------------------------------------------------------------


def test_no_commit_in_directory_and_no_module_over_500_lines():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        assert "commit(" not in source, f"{path.name} commits: the edge does"
        assert len(source.splitlines()) <= 500, f"{path.name} is over 500 lines"
    assert not (PACKAGE / "services.py").exists()


def test_field_list_is_declared_once():
    """The data class, the history, the form, the API and the exports come from FIELDS."""
    names = {spec.name for spec in fields.INPUT_FIELDS}
    assert set(fields.StructureData.__dataclass_fields__) == names
    assert set(fields.TRACKED) == names
    assert [key for key, _label in fields.EXPORT_COLUMNS][:3] == ["id", "statut", "nom"]
    from network.directory.forms import StructureForm

    assert all(hasattr(StructureForm, spec.name) for spec in fields.SCALAR_FIELDS)


# --- a pending structure's page -----------------------------------------------------------------


def test_pending_page_minimal_for_a_verified_stranger_full_for_members(
        app, client, db, make_structure, make_user, make_staff, login):
    owner = make_user()
    s = make_structure(owner, status=StructureStatus.PENDING, description="Texte interne",
                       public_email="interne@exemple.org")
    url = f"/annuaire/{s.id}"
    assert client.get(url).status_code == 404  # anonymous
    unverified = login(make_user(email_verified_at=None), on=app.test_client())
    assert unverified.get(url).status_code == 404
    stranger = make_user()
    login(stranger)
    page = client.get(url)
    assert page.status_code == 200
    assert s.name in page.text and s.commune in page.text
    assert "En attente de validation" in page.text and "Demander à la rejoindre" in page.text
    assert s.siret not in page.text and "Texte interne" not in page.text
    answer = client.post(f"{url}/rejoindre", data={"message": "Même structure"})
    assert answer.status_code == 302
    assert db.session.scalar(select(JoinRequest.user_id)) == stranger.id
    assert outbox_messages(owner.email)[-1].kind == "directory_join_request"
    assert "attend la réponse" in client.get(url).text
    full = login(owner, on=app.test_client()).get(url)
    assert full.status_code == 200 and "Texte interne" in full.text
    assert "attend la validation" in full.text
    assert "Texte interne" in login(make_staff(), on=app.test_client()).get(url).text


def test_refused_and_suspended_pages_stay_hidden_from_strangers(client, make_structure,
                                                                make_user, login):
    s = make_structure(status=StructureStatus.SUSPENDED)
    login(make_user())
    assert client.get(f"/annuaire/{s.id}").status_code == 404
    assert client.post(f"/annuaire/{s.id}/rejoindre", data={}).status_code == 404


def test_duplicate_siret_message_leads_to_a_real_page(client, db, make_structure, make_user,
                                                      login, profile_data):
    first = make_structure(status=StructureStatus.PENDING)
    login(make_user())
    response = client.post("/annuaire/inscrire",
                           data=form_data(profile_data, 5, siret=first.siret))
    assert response.status_code == 409
    assert "demandez à la rejoindre depuis sa fiche" in response.text
    link = f'href="/annuaire/{first.id}"'
    assert link in response.text
    assert count(db) == 1 and count(db, Organisation) == 1
    page = client.get(f"/annuaire/{first.id}")
    assert page.status_code == 200 and "Demander à la rejoindre" in page.text


# --- network membership (events rely on it) -----------------------------------------------------


def test_only_an_approved_structure_makes_a_network_member(db, make_structure, make_user,
                                                           make_staff):
    pending_owner, approved_owner, suspended_owner = make_user(), make_user(), make_user()
    make_structure(pending_owner, status=StructureStatus.PENDING)
    make_structure(approved_owner)
    make_structure(suspended_owner, status=StructureStatus.SUSPENDED)
    refused_owner = make_user()
    refused = make_structure(refused_owner, status=StructureStatus.PENDING)
    profiles.refuse_structure(refused, acting=make_staff(), reason="Pas dans l'ESS")
    assert membership.is_network_member(approved_owner) is True
    for user in (pending_owner, suspended_owner, refused_owner, make_user(), None):
        assert membership.is_network_member(user) is False


# --- units of work and rights -------------------------------------------------------------------


def test_decide_join_request_commits_nothing_itself(db, make_structure, make_user):
    owner, person = make_user(), make_user()
    s = make_structure(owner)
    request = membership.request_to_join(s, acting=person)
    db.session.commit()
    membership.decide_join_request(request, acting=owner, accept=True)
    assert person.role_in(s.organisation_id) == OrgRole.EDITOR  # flushed, visible here
    db.session.rollback()  # the edge refused: nothing of the decision stays
    assert db.session.get(JoinRequest, request.id).status.value == "pending"
    from network.accounts import services as accounts

    assert accounts.get_membership(s.organisation_id, person.id) is None


def test_change_role_refused_writes_no_history_without_a_rollback(db, make_structure,
                                                                  make_user):
    owner = make_user()
    s = make_structure(owner)
    before = count(db, StructureChange)
    with pytest.raises(Conflict) as err:
        membership.change_role(s, owner.id, OrgRole.EDITOR, acting=owner)
    assert err.value.code == "last_owner"
    assert not any(isinstance(o, StructureChange) for o in db.session.new)
    db.session.flush()
    assert count(db, StructureChange) == before


@pytest.mark.parametrize("call", [
    lambda s, u: profiles.approve_structure(s, acting=u),
    lambda s, u: profiles.refuse_structure(s, acting=u, reason="Raison longue"),
    lambda s, u: profiles.suspend_structure(s, acting=u, reason="Raison longue"),
    lambda s, u: profiles.resubmit_structure(s, acting=u),
    lambda s, u: membership.invite(s, email="x@exemple.org", role=OrgRole.EDITOR, acting=u),
    lambda s, u: membership.change_role(s, u.id, OrgRole.OWNER, acting=u),
])
def test_services_check_rights_themselves(db, make_structure, make_user, call):
    s = make_structure(status=StructureStatus.PENDING)
    with pytest.raises(PermissionDenied):
        call(s, make_user())


def test_create_requires_a_verified_acting_user(db, refdata, make_user, profile_data):
    with pytest.raises(PermissionDenied) as err:
        profiles.create_structure(profile_data(1), acting=make_user(email_verified_at=None))
    assert err.value.code == "unverified"


# --- every bad field at once, sizes and NUL ------------------------------------------------------


def test_every_invalid_field_is_reported_at_once(client, db, refdata, make_user, login,
                                                 profile_data):
    with pytest.raises(ValidationError) as err:
        profiles.create_structure(profile_data(1, name="", postcode="75001",
                                               website="javascript:x", territory="paris"),
                                  acting=make_user())
    assert {"name", "postcode", "website", "territory"} <= set(err.value.field_errors)
    db.session.rollback()
    login(make_user())
    response = client.post("/annuaire/inscrire", data=form_data(
        profile_data, website="ftp:x", public_email="a@b.co,c@d.co", public_phone="abc"))
    assert response.status_code == 422
    assert "https://" in response.text and "Adresse e-mail de contact invalide" in response.text
    assert "Numéro de téléphone invalide" in response.text
    assert count(db) == 0


@pytest.mark.parametrize(("name", "value"), [
    ("trade_name", "T" * 201), ("address", "A" * 201), ("commune", "C" * 121),
    ("client_references", "R" * 2001), ("website", "https://e.fr/" + "x" * 300),
])
def test_values_longer_than_their_column_get_a_field_message(db, refdata, make_user,
                                                             profile_data, name, value):
    with pytest.raises(ValidationError) as err:
        profiles.create_structure(profile_data(1, **{name: value}), acting=make_user())
    assert name in err.value.field_errors
    assert "caractères au plus" in " ".join(err.value.field_errors[name])


@pytest.mark.parametrize("name", ["name", "trade_name", "commune", "address", "description",
                                  "client_references", "website", "public_phone"])
def test_nul_byte_in_a_text_field_is_refused_at_the_field(db, refdata, make_user, profile_data,
                                                          name):
    with pytest.raises(ValidationError) as err:
        profiles.create_structure(profile_data(1, **{name: "Texte\x00nul"}),
                                  acting=make_user())
    assert name in err.value.field_errors
    db.session.rollback()
    assert count(db) == 0


def test_nul_in_forms_filters_and_api_never_500(app, client, db, make_structure, make_user,
                                                make_staff, login, profile_data):
    s = make_structure(name="Recyclerie")
    for url in ("/annuaire/?q=rec%00y&territoire=metz%00&secteur=%00&tri=%00",
                "/api/v1/structures?q=%00&territoire=%00&label=a%00b",
                "/api/v1/structures?page=99999999999999999999999&per_page=100",
                "/api/v1/structures?page=1%00"):
        assert client.get(url).status_code in (200, 400), url
    owner = make_user()
    login(owner)
    response = client.post("/annuaire/inscrire", data=form_data(profile_data, 9,
                                                                 name="Nom\x00nul"))
    # NUL is refused site-wide (core/inputs.py: 400, a French page) before any view runs.
    assert response.status_code in (400, 422) and count(db) == 1
    client = login(make_staff(), on=app.test_client())
    assert client.get("/annuaire/gestion/structures?q=%00&statut=%00").status_code in (200, 400)
    assert client.get("/annuaire/gestion/export.csv?statut=%00").status_code in (200, 400)
    answer = client.post(f"/annuaire/gestion/{s.id}/suspendre", data={"reason": "Rai\x00son"})
    assert answer.status_code in (302, 400)
    assert db.session.get(Structure, s.id).status == StructureStatus.APPROVED
    answer = client.post("/annuaire/gestion/listes/secteurs", data={"name": "Sec\x00teur"})
    assert answer.status_code in (400, 422)


# --- what reaches a mail header -------------------------------------------------------------------


def test_a_name_with_a_line_break_never_reaches_a_subject(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    eve = make_user(name="Eve\r\nBcc: victime@exemple.org")
    membership.request_to_join(s, acting=eve, message="Bonjour")
    db.session.commit()  # PostgreSQL checks the column size here
    subject = db.session.scalar(select(OutboxMessage.subject).where(
        OutboxMessage.kind == "directory_join_request"))
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("Eve Bcc: victime@exemple.org demande à rejoindre")


def test_a_very_long_name_gives_a_subject_within_the_column(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner, name="S" * 200)
    long_name = make_user(name="N" * 120)  # the column size: with 200 more, over 255
    membership.request_to_join(s, acting=long_name)
    membership.invite(s, email="invitee@exemple.org", role=OrgRole.EDITOR,
                      acting=make_user(name="I" * 120, is_staff=True))
    db.session.commit()
    subjects = list(db.session.scalars(select(OutboxMessage.subject)))
    assert subjects and all(len(x) <= 255 for x in subjects)


def test_join_message_over_its_size_is_refused(db, make_structure, make_user):
    s = make_structure()
    with pytest.raises(ValidationError) as err:
        membership.request_to_join(s, acting=make_user(), message="m" * 1001)
    assert err.value.field == "message"
