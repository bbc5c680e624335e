"""Import at launch: registrations collected by a form-builder, from French Excel CSV."""

from __future__ import annotations

import base64
import io
import re

import pytest

FILE = ("Horodateur;Prénom;Nom;Adresse e-mail;Structure;Fonction;Régime alimentaire\r\n"
        "01/10/2026;Élise;Muller;elise.muller@example.org;Les Jardins de la Seille;"
        "Directrice;\r\n"
        "02/10/2026;Karim;Schmitt;KARIM@Example.org;Ville de Metz;Acheteur;végétarien\r\n"
        "03/10/2026;Sans;Adresse;pas-une-adresse;;;\r\n"
        "04/10/2026;Élise;Muller;elise.muller@example.org;doublon dans le fichier;;\r\n"
        "05/10/2026;Zoé;=HYPERLINK(\"x\");zoe@example.org;@SUM(1);;\r\n")


@pytest.fixture
def as_staff(client, login, staff):
    login(staff)
    return client


def upload(client, event, raw: bytes, **extra):
    data = {"event": str(event.id), "file": (io.BytesIO(raw), "inscriptions.csv"),
            "preview": "1", "send_mail": "y", **extra}
    return client.post("/equipe/import", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_preview_then_import_then_reimport_adds_nobody(as_staff, db, make_event, encoding):
    from network.events.models import Registration
    from network.outbox.models import OutboxMessage

    event = make_event(title="L'Innovation Sociale, tous concernés !", capacity=3)
    raw = FILE.encode(encoding)
    preview = upload(as_staff, event, raw)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Aperçu : rien n'est encore enregistré" in html
    for shown in ("3 personnes à ajouter", "0 en liste d'attente", "1 déjà inscrite<",
                  "1 ligne en erreur"):
        assert shown in html
    assert "Saisissez une adresse e-mail valide" in html  # line 4, at its line
    assert db.session.query(Registration).count() == 0
    assert db.session.query(OutboxMessage).count() == 0

    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert base64.b64decode(payload) == raw
    done = as_staff.post("/equipe/import", data={"event": str(event.id), "payload": payload,
                                                 "confirm": "1", "send_mail": "y"})
    assert done.status_code == 200
    regs = {r.email: r for r in db.session.query(Registration)}
    assert set(regs) == {"elise.muller@example.org", "karim@example.org", "zoe@example.org"}
    assert regs["elise.muller@example.org"].name == "Élise Muller"
    assert regs["elise.muller@example.org"].organisation_name == "Les Jardins de la Seille"
    assert all(r.status.value == "confirmed" for r in regs.values())
    assert db.session.query(OutboxMessage).filter_by(kind="event_confirmed").count() == 3

    again = upload(as_staff, event, raw)
    assert re.search(r"0 personnes? à ajouter", again.get_data(as_text=True))
    assert "4 déjà inscrites" in again.get_data(as_text=True)
    payload = re.search(r'name="payload" value="([^"]+)"', again.get_data(as_text=True)).group(1)
    as_staff.post("/equipe/import", data={"event": str(event.id), "payload": payload,
                                          "confirm": "1"})
    assert db.session.query(Registration).count() == 3
    # The registrations' CSV export guards the cells a formula could hide in.
    csv = as_staff.get(f"/evenements/gestion/{event.id}/inscriptions.csv").data.decode(
        "utf-8-sig")
    assert ";'@SUM(1);" in csv


@pytest.mark.parametrize("raw, message", [
    (b"", "Choisissez un fichier CSV"),
    (b"nom,prenom\n", "introuvables"),
    (b"\x00\x01\x02", "pas un fichier CSV"),
    (b'Nom;E-mail\n"jamais ferme;a@b.fr\n', "introuvables|illisible|ligne"),
])
def test_bad_files_get_a_french_message_and_change_nothing(as_staff, db, make_event, raw,
                                                          message):
    from network.events.models import Registration

    event = make_event()
    response = upload(as_staff, event, raw)
    assert response.status_code in (200, 422)
    assert re.search(message, response.get_data(as_text=True))
    assert db.session.query(Registration).count() == 0


def test_tampered_payload_or_unknown_event(as_staff, db, make_event):
    event = make_event()
    bad = as_staff.post("/equipe/import", data={"event": str(event.id), "payload": "!!!",
                                                "confirm": "1"})
    assert bad.status_code == 422 and "Choisissez un fichier CSV" in bad.get_data(as_text=True)
    unknown = as_staff.post("/equipe/import", data={
        "event": "999999", "payload": base64.b64encode(b"Nom;E-mail\na;a@b.fr").decode(),
        "confirm": "1"})
    assert unknown.status_code == 404


def test_import_is_for_staff_only(client, login, make_user, make_event, db):
    from network.events.models import Registration

    event = make_event()
    assert client.get("/equipe/import").status_code == 302
    login(make_user())
    assert upload(client, event, FILE.encode()).status_code == 403
    assert db.session.query(Registration).count() == 0


def test_size_and_row_limits(app):
    """Checked on the bytes (the test client leaks its temporary file for big uploads)."""
    from network.admin import imports
    from network.core.errors import DomainError

    with pytest.raises(DomainError, match="trop volumineux"):
        imports.read_rows(b"Nom;E-mail\n" + b"a;" + b"x" * imports.MAX_BYTES)
    rows = b"Nom;E-mail\n" + b"a;a@b.fr\n" * (imports.MAX_ROWS + 1)
    with pytest.raises(DomainError, match="lignes au plus"):
        imports.read_rows(rows)
    columns, parsed = imports.read_rows("Prénom;NOM;Courriel\nÉlise;Muller;e@x.fr\n"
                                        .encode("cp1252"))
    assert columns == {"Prénom": "first_name", "NOM": "last_name", "Courriel": "email"}
    assert imports.answers_of(parsed[0][1]).name == "Élise Muller"
