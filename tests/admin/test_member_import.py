"""Import at launch: the existing member list (structures and contacts) from a CSV file."""

from __future__ import annotations

import base64
import io
import re

import pytest

from network.directory.demo import make_siret

S1, S2, S3 = make_siret(9_101), make_siret(9_102), make_siret(9_103)


def member_file(existing_siret: str) -> bytes:
    rows = [
        "Structure;SIRET;Forme juridique;RNA;Territoire;Commune;Code postal;Secteurs;"
        "Nom du contact;E-mail du contact;Fonction;Rôle;Langue",
        # 2: new, by label, territory and sectors by name
        f"Les Jardins de la Seille;{S1};Association déclarée;W572001234;Metz;Metz;57000;"
        "Insertion par l'activité économique, Maraîchage;Élise Muller;"
        "Elise.Muller@Example.org;Directrice;responsable",
        # 3: same structure (same SIRET, spaced) with a second contact, as éditeur
        f"Les Jardins de la Seille;{S1[:3]} {S1[3:6]} {S1[6:9]} {S1[9:]};association;"
        "W572001234;metz;Metz;57000;insertion;Karim Schmitt;karim@example.org;;éditeur",
        # 4: already in the database by SIRET
        f"Ancienne fiche;{existing_siret};association;W572009999;Metz;Metz;57000;insertion;"
        "Déjà Membre;deja@example.org;;",
        # 5: same normalised name and commune as line 2, no SIRET: the same structure
        "LES JARDINS DE LA SEILLE ;;Association déclarée;;Metz;METZ;57000;;Élise Muller;"
        "elise.muller@example.org;;",
        # 6: errors at their columns: bad SIRET, unknown legal form, bad e-mail, bad role
        "Coopérative Fantôme;123;Société anonyme;;Nulle part;Thionville;99000;;X;"
        "pas-une-adresse;;chef;klingon",
        # 7: a SCOP in Thionville, contact with an account already
        f"Scop Bâtir Ensemble;{S2};SCOP à forme de SARL;;Thionville;Thionville;57100;"
        "Réemploi et recyclage;Paul Compte;paul@example.org;Gérant;",
        # 8: no contact at all
        f"Régie de quartier Borny;{S3};association-insertion;W572004321;Metz;Metz;57070;"
        "insertion;;;;",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def existing(make_structure, make_user):
    owner = make_user(email="deja@example.org", name="Déjà Membre")
    return make_structure(owner, name="Ancienne fiche")


def test_service_preview_writes_nothing_then_import_then_again(db, staff, existing, make_user):
    from network.accounts.models import OrgRole
    from network.admin import member_import
    from network.directory.models import Invitation, Structure, StructureStatus
    from network.outbox.models import OutboxMessage

    paul = make_user(email="paul@example.org", name="Paul Compte")
    db.session.commit()
    structures_before = db.session.query(Structure).count()
    mails_before = db.session.query(OutboxMessage).count()
    raw = member_file(existing.siret)

    preview = member_import.import_members(raw, acting=staff, commit=False)
    assert [line.outcome for line in preview.lines] == [
        "created", "existing", "existing", "existing", "error", "created", "created"]
    assert db.session.query(Structure).count() == structures_before
    assert db.session.query(Invitation).count() == 0
    assert db.session.query(OutboxMessage).count() == mails_before

    bad = preview.lines[4]
    assert bad.number == 6
    columns = {column for column, _message in bad.errors}
    assert {"SIRET", "Forme juridique", "Territoire", "Code postal", "E-mail du contact",
            "Rôle", "Langue"} <= columns
    assert all(message for _c, message in bad.errors)

    done = member_import.import_members(raw, acting=staff, commit=True)
    db.session.commit()
    assert [(line.outcome, line.contact_outcome) for line in done.lines] == [
        ("created", "invited"), ("existing", "invited"), ("existing", "member"),
        ("existing", "pending"), ("error", ""), ("created", "invited"), ("created", "none")]
    jardins = db.session.query(Structure).filter_by(siret=S1).one()
    assert jardins.status == StructureStatus.APPROVED
    assert jardins.legal_form.value == "association" and jardins.territory.code == "metz"
    assert [s.code for s in jardins.sectors] == ["insertion", "maraichage"]
    assert db.session.query(Structure).count() == structures_before + 3
    invitations = {(i.structure.name, i.email): i.role for i in db.session.query(Invitation)}
    assert invitations == {
        ("Les Jardins de la Seille", "elise.muller@example.org"): OrgRole.OWNER.value,
        ("Les Jardins de la Seille", "karim@example.org"): OrgRole.EDITOR.value,
        ("Scop Bâtir Ensemble", "paul@example.org"): OrgRole.OWNER.value}
    # Paul's account is not attached to anything by its address: he confirms the invitation.
    assert paul.role_in(db.session.query(Structure).filter_by(siret=S2).one()
                        .organisation_id) is None
    kinds = [m.kind for m in db.session.query(OutboxMessage).filter(
        OutboxMessage.id > 0)][mails_before:]
    assert sorted(kinds) == ["directory_invitation"] * 3  # no "published" mail to the staff
    # and the mail written before the import (the existing structure's) is all still there
    assert db.session.query(OutboxMessage).count() == mails_before + 3

    again = member_import.import_members(raw, acting=staff, commit=True)
    db.session.commit()
    assert again.count("created") == 0 and again.invited() == 0
    assert db.session.query(Structure).count() == structures_before + 3
    assert db.session.query(Invitation).count() == 3


def test_invitation_is_the_claim_path_and_needs_the_verified_address(
        db, staff, refdata, make_user):
    from network.admin import member_import
    from network.core.errors import PermissionDenied
    from network.core.tokens import make_token
    from network.directory import membership
    from network.directory.models import Invitation, Structure

    raw = member_file(make_siret(9_999)).replace(b"paul@example.org", b"lea@example.org")
    member_import.import_members(raw, acting=staff, commit=True)
    db.session.commit()
    invitation = db.session.query(Invitation).filter_by(email="lea@example.org").one()
    token = make_token(membership.INVITATION, {"id": invitation.id, "n": invitation.nonce})

    unverified = make_user(email="lea@example.org", email_verified_at=None)
    with pytest.raises(PermissionDenied):
        membership.accept_invitation(token, acting=unverified)
    someone_else = make_user(email="autre@example.org")
    with pytest.raises(PermissionDenied):
        membership.accept_invitation(token, acting=someone_else)
    from network.core.time import utcnow

    unverified.email_verified_at = utcnow()
    structure = membership.accept_invitation(token, acting=unverified)
    db.session.commit()
    assert structure == db.session.query(Structure).filter_by(siret=S2).one()
    assert unverified.role_in(structure.organisation_id).value == "owner"

    # The staff member who imported it is still its first responsable: the to-do offers
    # to step back, through the accounts' service.
    from network.admin import todo

    assert staff.role_in(structure.organisation_id).value == "owner"
    handed = todo.handed_over()
    assert [(s.name, m.user_id) for s, m in handed] == [(structure.name, staff.id)]
    with pytest.raises(PermissionDenied):
        todo.release(handed[0][1].id, acting=unverified)
    todo.release(handed[0][1].id, acting=staff)
    db.session.commit()
    assert staff.role_in(structure.organisation_id) is None
    assert todo.handed_over() == []


def test_file_without_the_needed_columns_is_refused_at_the_file(db, staff, refdata):
    from network.admin import member_import
    from network.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        member_import.import_members(b"Nom;Ville\r\nA;B\r\n", acting=staff, commit=False)
    assert err.value.field == "file" and "E-mail du contact" in err.value.message


def test_non_staff_is_refused_by_the_service(db, refdata, make_user):
    from network.admin import member_import
    from network.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        member_import.import_members(member_file(make_siret(9_998)), acting=make_user(),
                                     commit=False)


def test_http_round_trip_preview_import_and_wrong_user(client, login, db, staff, existing,
                                                       make_user):
    from network.directory.models import Structure

    member = make_user(email="membre@example.org")
    db.session.commit()
    login(member)
    raw = member_file(existing.siret)
    refused = client.post("/equipe/import/membres", data={
        "file": (io.BytesIO(raw), "membres.csv"), "preview": "1"},
        content_type="multipart/form-data")
    assert refused.status_code in (302, 403)
    assert client.get("/equipe/import/membres/modele.csv").status_code in (302, 403)
    with client.session_transaction() as session:
        session.clear()

    login(staff)
    page = client.get("/equipe/import/membres")
    assert page.status_code == 200 and "modele.csv" in page.get_data(as_text=True)
    template = client.get("/equipe/import/membres/modele.csv")
    assert template.status_code == 200 and template.data.startswith("\ufeff".encode())
    assert b"E-mail du contact" in template.data

    count = db.session.query(Structure).count()
    preview = client.post("/equipe/import/membres", data={
        "file": (io.BytesIO(raw), "membres.csv"), "preview": "1"},
        content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Aperçu : rien n'est encore enregistré" in html
    assert "3 structures à créer" in html and "1 ligne en erreur" in html
    assert "Colonne « SIRET » :" in html
    assert db.session.query(Structure).count() == count
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert base64.b64decode(payload) == raw

    done = client.post("/equipe/import/membres", data={"payload": payload, "confirm": "1"})
    assert done.status_code == 200
    assert "3 structures créées" in done.get_data(as_text=True)
    assert db.session.query(Structure).count() == count + 3

    nul = client.post("/equipe/import/membres", data={"payload": "a\x00", "confirm": "1"})
    assert nul.status_code == 400
    garbage = client.post("/equipe/import/membres", data={
        "file": (io.BytesIO(b"\x00\x01binary"), "x.csv"), "preview": "1"},
        content_type="multipart/form-data")
    assert garbage.status_code == 422
    assert "pas un fichier CSV (texte)" in garbage.get_data(as_text=True)


def test_command_line_imports_a_long_file_and_checks_first(app, db, staff, refdata, tmp_path):
    from network.admin import member_import
    from network.core.errors import DomainError
    from network.directory.models import Structure

    lines = ["Structure;SIRET;Forme juridique;RNA;Territoire;Commune;Code postal;"
             "E-mail du contact"]
    lines += [f"Association {i};{make_siret(30_000 + i)};association;W57{2000000 + i:07d};"
              f"Metz;Metz;57000;c{i}@example.org" for i in range(4)]
    path = tmp_path / "membres.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()

    with pytest.raises(DomainError) as err:  # the page's limit, said where to go instead
        member_import.import_members(path.read_bytes(), acting=staff, commit=False,
                                     max_rows=2)
    assert "import-members" in str(err.value)

    before = db.session.query(Structure).count()
    checked = runner.invoke(args=["import-members", str(path), "--as", staff.email,
                                  "--dry-run"])
    assert checked.exit_code == 0, checked.output
    assert "structures créées : 4" in checked.output
    assert db.session.query(Structure).count() == before
    done = runner.invoke(args=["import-members", str(path), "--as", staff.email])
    assert done.exit_code == 0 and "contacts invités : 4" in done.output
    db.session.expire_all()
    assert db.session.query(Structure).count() == before + 4
    unknown = runner.invoke(args=["import-members", str(path), "--as", "nobody@example.org"])
    assert unknown.exit_code != 0 and "Aucun compte" in unknown.output
