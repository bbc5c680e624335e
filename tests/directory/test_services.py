"""Directory services, called directly: profiles, approval, membership, references."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from network.accounts import services as accounts
from network.accounts.models import Organisation, OrgRole
from network.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from network.directory import demo, services
from network.directory.models import (
    Invitation,
    JoinRequest,
    Structure,
    StructureChange,
    StructureLogo,
    StructureStatus,
)
from support import outbox_messages


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def png(size=(40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "green").save(buf, "PNG")
    return buf.getvalue()


# --- creating a structure -------------------------------------------------------------------


def test_create_structure_is_pending_with_org_owner_and_mail_to_staff(app, db, refdata,
                                                                     make_user, profile_data):
    owner = make_user()
    s = services.create_structure(owner, profile_data(1, siret="732 829 320 00074",
                                                      trade_name="AE"), logo=png())
    assert s.status == StructureStatus.PENDING
    assert s.siret == "73282932000074" and s.siren == "732829320"
    assert s.territory.code == "metz" and [x.code for x in s.sectors] == ["insertion"]
    assert owner.role_in(s.organisation_id) == OrgRole.OWNER
    assert db.session.get(Organisation, s.organisation_id).name == "Association Exemple 1"
    assert s.logo is not None and s.logo.content_type == "image/png"
    assert "association exemple 1" in s.search_text and "traiteur" in s.search_text
    [mail] = outbox_messages(app.config["CONTACT_EMAIL"])
    assert mail.kind == "directory_pending" and "Association Exemple 1" in mail.body_text
    assert [c.field for c in services.list_changes(s)] == ["creation"]


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"siret": "73282932000075"}, "siret", "invalid_siret"),
    ({"rna": "572001234"}, "rna", "invalid_rna"),
    ({"postcode": "75001"}, "postcode", "invalid_postcode"),
    ({"postcode": "570"}, "postcode", "invalid_postcode"),
    ({"description": "Hello <script>alert('x')</script>"}, "description", "unsafe_description"),
    ({"legal_form": "association-droit-local", "rna": "W572001234",
      "local_register_number": "Vol 1"}, "rna", "rna_not_expected"),
    ({"legal_form": "association-droit-local", "rna": ""}, "local_register_number",
     "invalid_local_register"),
    ({"legal_form": "sarl"}, "legal_form", "invalid_legal_form"),
    ({"territory": "paris"}, "territory", "invalid_territory"),
    ({"website": "javascript:alert(1)"}, "website", "invalid_website"),
    ({"legal_form": "sas-esus", "rna": ""}, "labels", "esus_required"),
])
def test_invalid_input_stores_nothing(db, refdata, make_user, overrides, field, code, profile_data):
    with pytest.raises(ValidationError) as err:
        services.create_structure(make_user(), profile_data(1, **overrides))
    assert (err.value.field, err.value.code) == (field, code)
    db.session.rollback()
    assert count(db, Structure) == 0 and count(db, Organisation) == 0
    assert outbox_messages() == []


@pytest.mark.parametrize("raw", [b"<html><script>alert(1)</script></html>",
                                 b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_bad_logo_stores_nothing(db, refdata, make_user, raw, profile_data):
    with pytest.raises(ValidationError) as err:
        services.create_structure(make_user(), profile_data(1), logo=raw)
    assert err.value.field == "logo" and "PNG, JPEG ou WebP" in err.value.message
    db.session.rollback()
    assert count(db, Structure) == 0 and count(db, StructureLogo) == 0


def test_association_de_droit_local_has_register_number_not_rna(refdata, make_user, profile_data):
    s = services.create_structure(make_user(), profile_data(
        1, legal_form="association-droit-local", rna="",
        local_register_number="TJ Metz Vol. 42 Folio 118"))
    assert s.rna is None and s.local_register_number == "TJ Metz Vol. 42 Folio 118"
    assert s.insee_code == "9260"


def test_scic_has_its_own_field_and_scop_is_deduced(refdata, make_user, profile_data):
    s = services.create_structure(make_user(), profile_data(1, legal_form="coop-sas",
                                                            coop_status="scic", rna=""))
    assert s.coop_status.value == "scic" and s.rna is None and s.insee_code == "5710"
    scop = services.create_structure(make_user(), profile_data(2, legal_form="scop-sarl",
                                                               rna=""))
    assert scop.coop_status.value == "scop" and scop.insee_code == "5458"


def test_commercial_company_with_esus(refdata, make_user, profile_data):
    s = services.create_structure(make_user(), profile_data(
        1, legal_form="sas-esus", rna="", labels=[("esus", None, None)]))
    assert s.legal_form_label.startswith("Société commerciale")


def test_same_siret_twice_is_a_conflict(db, refdata, make_user, profile_data):
    services.create_structure(make_user(), profile_data(1))
    with pytest.raises(Conflict) as err:
        services.create_structure(make_user(), profile_data(2, siret=profile_data(1).siret))
    assert err.value.code == "siret_taken"
    db.session.rollback()
    assert count(db, Structure) == 1 and count(db, Organisation) == 1


# --- approval -------------------------------------------------------------------------------


def test_approve_refuse_suspend_send_mail_to_owners(db, refdata, make_user, make_staff,
                                                    profile_data):
    owner, staff = make_user(), make_staff()
    s = services.create_structure(owner, profile_data(1))
    with pytest.raises(PermissionDenied):
        services.approve_structure(s, staff=owner)
    with pytest.raises(ValidationError):
        services.refuse_structure(s, staff=staff, reason="")
    services.refuse_structure(s, staff=staff, reason="SIRET d'une autre structure")
    assert s.status == StructureStatus.REFUSED
    [mail] = outbox_messages(owner.email)
    assert mail.kind == "directory_refused" and "SIRET d'une autre structure" in mail.body_text
    services.resubmit_structure(s, acting=owner)
    assert s.status == StructureStatus.PENDING
    services.approve_structure(s, staff=staff)
    assert s.status == StructureStatus.APPROVED and s.approved_at is not None
    assert outbox_messages(owner.email)[-1].kind == "directory_approved"
    with pytest.raises(Conflict):
        services.approve_structure(s, staff=staff)
    services.suspend_structure(s, staff=staff, reason="Activité arrêtée")
    assert s.status == StructureStatus.SUSPENDED
    assert outbox_messages(owner.email)[-1].kind == "directory_suspended"
    statuses = [(c.old_value, c.new_value) for c in services.list_changes(s)
                if c.field == "statut"]
    assert statuses == [("approved", "suspended"), ("pending", "approved"),
                        ("refused", "pending"), ("pending", "refused")]


# --- editing and history --------------------------------------------------------------------


def test_update_writes_history_and_refreshes_search(db, make_structure, make_user, profile_data):
    s = make_structure()
    owner = db.session.get(Organisation, s.organisation_id).members[0].user
    data = profile_data(101, name="Les Jardins d'Élise", sectors=["insertion", "maraichage"],
                        commune="Thionville", postcode="57100")
    changed = services.update_structure(s, data, acting=owner)
    assert set(changed) == {"name", "commune", "postcode", "sectors"}
    history = {c.field: (c.old_value, c.new_value, c.user_id) for c in services.list_changes(s)}
    assert history["commune"] == ("Metz", "Thionville", owner.id)
    assert history["sectors"][1] == ["insertion", "maraichage"]
    assert "jardins d elise" in s.search_text
    assert db.session.get(Organisation, s.organisation_id).name == "Les Jardins d'Élise"
    assert services.update_structure(s, data, acting=owner) == []


def test_only_members_and_staff_edit(db, make_structure, make_user, make_staff, profile_data):
    s = make_structure()
    other_member = make_user()
    make_structure(other_member)  # a member of another structure
    with pytest.raises(PermissionDenied):
        services.update_structure(s, profile_data(101, name="Pirate"), acting=other_member)
    assert s.name != "Pirate"
    services.update_structure(s, profile_data(101, name="Par l'équipe"), acting=make_staff())
    assert s.name == "Par l'équipe"


def test_logo_replace_and_remove(db, make_structure, make_staff, profile_data):
    s = make_structure()
    staff = make_staff()
    services.update_structure(s, profile_data(101), acting=staff, logo=png())
    first = services.logo_version(s)
    services.update_structure(s, profile_data(101), acting=staff, logo=png((50, 50)))
    assert services.logo_version(s) != first
    services.update_structure(s, profile_data(101), acting=staff, remove_logo=True)
    assert services.get_logo(s.id) is None


def test_completeness_lists_what_is_missing(make_structure, make_staff, profile_data):
    s = make_structure()
    score, missing = services.completeness(s)
    assert 0 < score < 100 and "un logo" in missing
    full = profile_data(101, description="x" * 250, website="https://exemple.org",
                        public_email="a@exemple.org", show_contact=True, address="1 rue",
                        employees_count=3, client_references="Ville de Metz")
    services.update_structure(s, full, acting=make_staff(), logo=png())
    assert services.completeness(s) == (100, [])


# --- membership -----------------------------------------------------------------------------


def test_join_request_accepted_by_owner(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    person, stranger = make_user(), make_user()
    request = services.request_to_join(s, person, "Je suis la trésorière")
    assert outbox_messages(owner.email)[-1].kind == "directory_join_request"
    with pytest.raises(Conflict):
        services.request_to_join(s, person)
    with pytest.raises(PermissionDenied):
        services.decide_join_request(request, acting=stranger, accept=True)
    with pytest.raises(PermissionDenied):
        services.decide_join_request(request, acting=person, accept=True)
    services.decide_join_request(request, acting=owner, accept=True)
    assert person.role_in(s.organisation_id) == OrgRole.EDITOR
    assert outbox_messages(person.email)[-1].kind == "directory_join_decided"
    with pytest.raises(Conflict):
        services.decide_join_request(request, acting=owner, accept=False)
    with pytest.raises(Conflict):
        services.request_to_join(s, person)


def test_join_request_refused_then_asked_again(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    person = make_user()
    request = services.request_to_join(s, person)
    services.decide_join_request(request, acting=owner, accept=False)
    assert person.role_in(s.organisation_id) is None
    again = services.request_to_join(s, person)
    assert again.id == request.id and again.status.value == "pending"


def test_cannot_join_a_pending_structure(make_structure, make_user):
    s = make_structure(status=StructureStatus.PENDING)
    with pytest.raises(NotFound):
        services.request_to_join(s, make_user())


def test_invitation_flow(db, app, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    editor = make_user()
    services.request_to_join(s, editor)
    services.decide_join_request(services.list_join_requests(s)[0], acting=owner, accept=True)
    with pytest.raises(PermissionDenied):
        services.invite(s, email="x@exemple.org", role=OrgRole.EDITOR, acting=editor)
    services.invite(s, email="Nouvelle@Exemple.org", role=OrgRole.OWNER, acting=owner)
    [mail] = outbox_messages("nouvelle@exemple.org")
    token = mail.body_text.split("/annuaire/invitation/")[1].split()[0]
    wrong = make_user(email="autre@exemple.org")
    with pytest.raises(PermissionDenied) as err:
        services.accept_invitation(token, wrong)
    assert err.value.code == "invitation_other_user"
    invitee = make_user(email="nouvelle@exemple.org", email_verified_at=None)
    with pytest.raises(PermissionDenied) as err:
        services.accept_invitation(token, invitee)
    assert err.value.code == "email_not_verified"
    from network.core.time import utcnow

    invitee.email_verified_at = utcnow()
    services.accept_invitation(token, invitee)
    assert invitee.role_in(s.organisation_id) == OrgRole.OWNER
    with pytest.raises(Conflict):
        services.accept_invitation(token, invitee)
    with pytest.raises(Exception) as err:
        services.accept_invitation(token + "x", invitee)
    assert err.value.code == "token_invalid"


def test_revoked_invitation_is_dead(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    invitation = services.invite(s, email="x@exemple.org", role=OrgRole.EDITOR, acting=owner)
    token = outbox_messages("x@exemple.org")[0].body_text.split("/annuaire/invitation/")[1]
    with pytest.raises(PermissionDenied):
        services.revoke_invitation(invitation.id, acting=make_user())
    services.revoke_invitation(invitation.id, acting=owner)
    with pytest.raises(NotFound):
        services.accept_invitation(token.split()[0], make_user(email="x@exemple.org"))


def test_roles_and_last_owner_cannot_leave(db, make_structure, make_user):
    owner = make_user()
    s = make_structure(owner)
    colleague = make_user()
    services.invite(s, email=colleague.email, role=OrgRole.EDITOR, acting=owner)
    token = outbox_messages(colleague.email)[0].body_text.split("/annuaire/invitation/")[1]
    services.accept_invitation(token.split()[0], colleague)
    db.session.commit()  # the edge commits: accounts services only flush
    with pytest.raises(PermissionDenied):
        services.change_role(s, owner.id, OrgRole.EDITOR, acting=colleague)
    with pytest.raises(PermissionDenied):
        services.remove_from_structure(s, owner.id, acting=colleague)
    with pytest.raises(Conflict) as err:
        services.remove_from_structure(s, owner.id, acting=owner)
    assert err.value.code == "last_owner"
    with pytest.raises(Conflict):
        services.change_role(s, owner.id, OrgRole.EDITOR, acting=owner)
    assert not any(c.new_value == {owner.email: "editor"} for c in services.list_changes(s))
    services.change_role(s, colleague.id, OrgRole.OWNER, acting=owner)
    services.remove_from_structure(s, owner.id, acting=owner)  # now owner may leave
    assert accounts.get_membership(s.organisation_id, owner.id) is None
    with pytest.raises(Conflict):
        services.remove_from_structure(s, colleague.id, acting=colleague)


# --- reference lists ------------------------------------------------------------------------


def test_reference_data_is_idempotent_with_event_slugs(db, app):
    assert services.ensure_reference_data()
    assert services.ensure_reference_data() == []
    assert [t.code for t in services.list_territories()] == [
        "metz", "thionville", "forbach-boulay", "sarreguemines-bitche",
        "sarrebourg-chateau-salins"]
    parents = {s.code for s in services.list_sectors() if s.parent_id is None}
    assert {"sport", "culture", "tourisme", "education", "agriculture", "environnement",
            "action-sociale"} <= parents
    assert {"traiteur", "proprete", "espaces-verts", "reemploi", "impression",
            "informatique-reconditionnee", "logistique"} <= {
        c.code for c in services.list_categories()}


def test_staff_edit_reference_lists_and_search_follows(db, make_structure, make_staff,
                                                       make_user):
    staff = make_staff()
    s = make_structure()
    with pytest.raises(PermissionDenied):
        services.add_reference("categories", "Menuiserie", staff=make_user())
    item = services.add_reference("categories", "Menuiserie solidaire", staff=staff)
    assert item.code == "menuiserie-solidaire"
    with pytest.raises(Conflict):
        services.add_reference("categories", "Menuiserie  solidaire", staff=staff)
    child = services.add_reference("secteurs", "Apiculture", staff=staff,
                                   parent_code="agriculture")
    assert child.parent.code == "agriculture"
    traiteur = next(c for c in services.list_categories() if c.code == "traiteur")
    services.rename_reference("categories", traiteur.id, "Restauration collective",
                              staff=staff)
    assert traiteur.code == "traiteur"
    assert services.search_structures("restauration collective").total == 1
    services.set_reference_active("categories", traiteur.id, False, staff=staff)
    assert "traiteur" not in {c.code for c in services.list_categories()}
    assert [o.category.code for o in s.offerings] == ["traiteur"]


# --- dashboard, demo, GDPR ------------------------------------------------------------------


def test_staff_summary(make_structure):
    make_structure()
    make_structure(status=StructureStatus.PENDING)
    figures = {label: (value, url) for label, value, url in services.staff_summary()}
    assert figures["Structures publiées"][0] == 1
    assert figures["Structures à valider"][0] == 1
    assert figures["Structures à valider"][1].endswith("/annuaire/gestion/")


def test_demo_load_is_idempotent(db, make_user, make_staff):
    staff, member = make_staff(), make_user()
    first = demo.load(staff=staff, member=member)
    assert any("structures" in line for line in first)
    total = count(db, Structure)
    assert total >= 30
    assert demo.load(staff=staff, member=member) == []
    assert count(db, Structure) == total
    territories = {s.territory.code for s in db.session.scalars(select(Structure))}
    assert len(territories) == 5
    assert len(services.list_pending_structures()) == 1


def test_gdpr_export_and_erase(db, make_structure, make_user):
    s = make_structure()
    person = make_user()
    services.request_to_join(s, person, "bonjour")
    exported = accounts.export_data(person)
    assert exported["annuaire"]["demandes_adhesion"][0]["structure"] == s.name
    accounts.delete_account(person, "correct horse battery staple moselle")
    assert count(db, JoinRequest) == 0
    assert count(db, StructureChange) >= 1
    assert count(db, Invitation) == 0


def test_territory_of_organisation_name_for_events(make_structure):
    make_structure(name="Régie Nord", territory="thionville")
    make_structure(name="En attente", territory="metz", status=StructureStatus.PENDING)
    assert services.territory_of_organisation_name("regie NORD") == "Thionville"
    assert services.territory_of_organisation_name("En attente") is None
    assert services.territory_of_organisation_name("") is None
