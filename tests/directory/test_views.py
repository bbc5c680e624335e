"""Pages and API: wiring, status codes, French messages, and permissions with the wrong user."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from network.accounts.models import Organisation
from network.directory import fields, membership, profiles, reference
from network.directory import search as dsearch
from network.directory.models import JoinRequest, Structure, StructureStatus
from support import outbox_messages


def form_data(profile_data, n=1, **overrides) -> dict:
    known = fields.StructureData.__dataclass_fields__
    data = profile_data(n, **{k: v for k, v in overrides.items() if k in known})
    values = {
        "name": data.name, "siret": data.siret, "legal_form": data.legal_form, "rna": data.rna,
        "postcode": data.postcode, "commune": data.commune, "territory": data.territory,
        "area_served": "territoire", "coop_status": "none", "buyer_kind": "aci",
        "sectors": list(data.sectors), "description": data.description,
        "achat-traiteur": "1", "achat-traiteur-type": "prestation",
        "achat-traiteur-zone": "departement",
        "label-esus": "1", "label-esus-obtenu": "2024-03-01", "label-esus-expire": "2029-03-01",
    }
    values.update(overrides)
    return values


def png_bytes(size=(40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "green").save(buf, "PNG")
    return buf.getvalue()


def post_multipart(client, path: str, data: dict):
    """Encoded in memory: the test client would otherwise spool big bodies to an unclosed file."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    fields = MultiDict()
    for key, value in data.items():
        if isinstance(value, tuple):
            value = FileStorage(value[0], filename=value[1], content_type="image/png")
        for item in value if isinstance(value, list) else [value]:
            fields.add(key, item)
    boundary, body = encode_multipart(fields)
    return client.post(path, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def count(db, model=Structure) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- create ---------------------------------------------------------------------------------


def test_create_requires_a_verified_account(client, refdata, make_user, login):
    assert client.get("/annuaire/inscrire").status_code == 302
    login(make_user(email_verified_at=None))
    assert client.get("/annuaire/inscrire").status_code == 403


def test_create_through_the_form(client, db, refdata, make_user, login, profile_data):
    user = make_user()
    login(user)
    page = client.get("/annuaire/inscrire")
    assert page.status_code == 200 and "Association de droit local (Alsace-Moselle) — 9260" \
        in page.text
    data = form_data(profile_data, logo=(io.BytesIO(png_bytes()), "logo.png"))
    response = client.post("/annuaire/inscrire", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/annuaire/mes-structures" in response.location
    s = db.session.scalar(select(Structure))
    assert s.status == StructureStatus.PENDING and s.logo is not None
    assert [o.category.code for o in s.offerings] == ["traiteur"]
    assert [(lab.label, str(lab.obtained_on)) for lab in s.labels] == [("esus", "2024-03-01")]
    mine = client.get("/annuaire/mes-structures")
    assert "En attente de validation" in mine.text and "Fiche complète à" in mine.text
    # Not public yet: members see it, anonymous visitors do not.
    assert client.get(f"/annuaire/{s.id}").status_code == 200
    assert client.application.test_client().get(f"/annuaire/{s.id}").status_code == 404


@pytest.mark.parametrize(("overrides", "message"), [
    ({"siret": "73282932000075"}, "clé de contrôle"),
    ({"siret": "1234"}, "14 chiffres"),
    ({"rna": "12345"}, "W suivi de 9 caractères"),
    ({"postcode": "75001"}, "Moselle"),
    ({"postcode": "57a00"}, "5 chiffres"),
    ({"description": "Bonjour <script>alert(1)</script>"}, "pas contenir de code HTML"),
    ({"legal_form": "association-droit-local", "rna": ""}, "registre des associations"),
    ({"label-esus-obtenu": "2024-13-45"}, "date invalide"),
])
def test_bad_input_gives_french_message_and_stores_nothing(client, db, refdata, make_user,
                                                           login, profile_data, overrides,
                                                           message):
    login(make_user())
    response = client.post("/annuaire/inscrire", data=form_data(profile_data, **overrides))
    assert response.status_code == 422
    assert message in response.text and "Le formulaire contient des erreurs" in response.text
    assert count(db) == 0 and count(db, Organisation) == 0


@pytest.mark.parametrize(("content", "filename"), [
    (b"<!doctype html><script>alert(1)</script>", "logo.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
])
def test_fake_logo_is_refused(client, db, refdata, make_user, login, profile_data, content,
                              filename):
    login(make_user())
    data = form_data(profile_data, logo=(io.BytesIO(content), filename))
    response = client.post("/annuaire/inscrire", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "n&#39;est pas une image PNG, JPEG ou WebP" in response.text
    assert count(db) == 0


def test_three_megabyte_logo_gets_a_field_message(client, db, refdata, make_user, login,
                                                  profile_data):
    login(make_user())
    data = form_data(profile_data, logo=(io.BytesIO(b"\x89PNG" + b"0" * 3_000_000), "l.png"))
    response = post_multipart(client, "/annuaire/inscrire", data)
    assert response.status_code == 422
    assert "Le logo ne doit pas dépasser 2 Mo" in response.text
    assert count(db) == 0


def test_twenty_megabyte_upload_is_413_in_french(client, db, refdata, make_user, login,
                                                 profile_data):
    login(make_user())
    data = form_data(profile_data, logo=(io.BytesIO(b"0" * 20_000_000), "l.png"))
    response = post_multipart(client, "/annuaire/inscrire", data)
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.text
    assert count(db) == 0


# --- public pages and API ---------------------------------------------------------------------


def test_directory_page_keeps_filters_in_url(client, make_structure):
    make_structure(name="Les Toques Solidaires", territory="thionville")
    make_structure(name="Autre Structure")
    response = client.get("/annuaire/?q=toques&territoire=thionville&tri=nom")
    assert response.status_code == 200
    assert "Les Toques Solidaires" in response.text and "Autre Structure" not in response.text
    assert '<option value="thionville" selected>' in response.text
    assert "1 structure" in response.text
    assert client.get("/annuaire/?q=toques&territoire=metz").text.count("Toques Solidaires") == 0


def test_profile_page_and_logo(client, db, make_structure, make_staff):
    s = make_structure(description="**Solidaires** depuis 1990", public_email="x@exemple.org",
                       show_contact=False)
    profiles.update_structure(s, fields.StructureData(**{
        **fields.StructureData(name=s.name, siret=s.siret, legal_form="association",
                                 rna=s.rna, postcode="57000", commune="Metz").__dict__}),
        acting=make_staff(), logo=png_bytes())
    db.session.commit()
    page = client.get(f"/annuaire/{s.id}")
    assert page.status_code == 200 and "x@exemple.org" not in page.text
    assert '"@type": "Organization"' in page.text or '"@type":"Organization"' in page.text
    version = profiles.logo_version(s)
    logo = client.get(f"/annuaire/{s.id}/logo?v={version[:12]}")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert "max-age=31536000" in logo.headers["Cache-Control"]
    assert client.get(f"/annuaire/{s.id}/logo", headers={
        "If-None-Match": f'"{version}"'}).status_code == 304
    assert client.get("/annuaire/999999").status_code == 404


def test_api_public_fields_pagination_and_etag(client, make_structure):
    for n in range(3):
        make_structure(name=f"Structure API {n}", public_email="cache@exemple.org")
    make_structure(name="Pas encore", status=StructureStatus.PENDING)
    response = client.get("/api/v1/structures?per_page=2&q=structure+api")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["structures"]) == 2
    first = body["structures"][0]
    assert first["contact"] is None and "cache@exemple.org" not in response.text
    assert first["url"].endswith(f"/annuaire/{first['id']}")
    assert "search_text" not in first and "responsables" not in first
    etag = response.headers["ETag"]
    again = client.get("/api/v1/structures?per_page=2&q=structure+api",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/v1/structures?per_page=500").get_json()["per_page"] == 100
    assert client.get("/api/v1/structures?page=abc").status_code == 400
    one = client.get(f"/api/v1/structures/{first['id']}")
    assert one.status_code == 200 and one.get_json()["nom"] == first["nom"]
    pending = dsearch.list_pending_structures()[0]
    assert client.get(f"/api/v1/structures/{pending.id}").status_code == 404


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    doc = response.get_json()
    assert response.status_code == 200 and doc["openapi"].startswith("3.")
    params = {p["name"] for p in doc["paths"]["/api/v1/structures"]["get"]["parameters"]}
    assert {"q", "territoire", "secteur", "categorie", "forme", "type", "label", "page",
            "per_page"} <= params


# --- staff pages ------------------------------------------------------------------------------


def test_staff_queue_approve_and_refuse(client, db, make_structure, make_staff, login):
    a = make_structure(name="A valider", status=StructureStatus.PENDING)
    b = make_structure(name="A refuser", status=StructureStatus.PENDING)
    login(make_staff())
    queue = client.get("/annuaire/gestion/")
    assert queue.status_code == 200 and "A valider" in queue.text
    assert client.post(f"/annuaire/gestion/{a.id}/valider").status_code == 302
    response = client.post(f"/annuaire/gestion/{b.id}/refuser", data={"reason": ""},
                           follow_redirects=True)
    assert "Indiquez la raison" in response.text
    client.post(f"/annuaire/gestion/{b.id}/refuser", data={"reason": "Hors Moselle"})
    db.session.expire_all()
    assert a.status == StructureStatus.APPROVED and b.status == StructureStatus.REFUSED
    assert {m.kind for m in outbox_messages()} >= {"directory_approved", "directory_refused"}
    history = client.get(f"/annuaire/gestion/{b.id}/historique")
    assert history.status_code == 200 and "Hors Moselle" not in history.text
    assert "<td>En attente de validation</td>" in history.text  # the status, for people
    assert "<td>Refusée</td>" in history.text


def test_staff_exports_and_reference_pages(client, make_structure, make_staff, login):
    make_structure(name="Exportée")
    login(make_staff())
    csv_response = client.get("/annuaire/gestion/export.csv")
    assert csv_response.status_code == 200 and csv_response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert client.get("/annuaire/gestion/export.json").get_json()[0]["nom"] == "Exportée"
    assert client.get("/annuaire/gestion/structures?statut=approved").status_code == 200
    page = client.get("/annuaire/gestion/listes/territoires")
    assert page.status_code == 200 and "Sarrebourg – Château-Salins" in page.text
    client.post("/annuaire/gestion/listes/categories", data={"name": "Menuiserie"})
    assert "menuiserie" in {c.code for c in reference.list_categories()}


STAFF_ROUTES = [
    ("get", "/annuaire/gestion/"), ("get", "/annuaire/gestion/structures"),
    ("post", "/annuaire/gestion/{id}/valider"), ("post", "/annuaire/gestion/{id}/refuser"),
    ("post", "/annuaire/gestion/{id}/suspendre"), ("get", "/annuaire/gestion/{id}/historique"),
    ("get", "/annuaire/gestion/export.csv"), ("get", "/annuaire/gestion/export.json"),
    ("get", "/annuaire/gestion/listes/secteurs"), ("post", "/annuaire/gestion/listes/secteurs"),
    ("post", "/annuaire/gestion/listes/secteurs/1/renommer"),
    ("post", "/annuaire/gestion/listes/secteurs/1/desactiver"),
]


def test_staff_routes_refuse_members(client, db, make_structure, make_user, login):
    owner = make_user()
    s = make_structure(owner, status=StructureStatus.PENDING)
    login(owner)
    for method, path in STAFF_ROUTES:
        response = getattr(client, method)(path.format(id=s.id),
                                           data={"reason": "xxxxxxx", "name": "Pirate"})
        assert response.status_code == 403, path
    db.session.expire_all()
    assert s.status == StructureStatus.PENDING
    assert "Pirate" not in {x.name for x in reference.list_sectors(active_only=False)}


# --- every write route with another member's account -------------------------------------------


@pytest.fixture
def two_structures(db, make_structure, make_user):
    owner, intruder = make_user(), make_user()
    target = make_structure(owner, name="Cible")
    make_structure(intruder, name="Celle de l'intrus")
    editor = make_user()
    request = membership.request_to_join(target, acting=editor)
    membership.decide_join_request(request, acting=owner, accept=True)
    pending = membership.request_to_join(target, acting=make_user())
    from network.accounts.models import OrgRole

    invitation = membership.invite(target, email="invite@exemple.org", role=OrgRole.EDITOR,
                                   acting=owner)
    db.session.commit()  # what the request edge does after each service call
    return {"target": target, "owner": owner, "intruder": intruder, "editor": editor,
            "request": pending, "invitation": invitation}


def write_routes(ctx, profile_data):
    s, owner = ctx["target"], ctx["owner"]
    return [
        (f"/annuaire/{s.id}/modifier", form_data(profile_data, 101, name="Piratée",
                                                   siret=s.siret, rna=s.rna)),
        (f"/annuaire/{s.id}/renvoyer", {}),
        (f"/annuaire/{s.id}/membres/inviter", {"email": "pirate@exemple.org",
                                               "role": "owner"}),
        (f"/annuaire/{s.id}/membres/{owner.id}/role", {"role": "editor"}),
        (f"/annuaire/{s.id}/membres/{owner.id}/retirer", {}),
        (f"/annuaire/demandes/{ctx['request'].id}/accepter", {}),
        (f"/annuaire/demandes/{ctx['request'].id}/refuser", {}),
        (f"/annuaire/invitations/{ctx['invitation'].id}/annuler", {}),
    ]


def test_another_members_account_cannot_write(client, db, two_structures, login,
                                              profile_data):
    ctx = two_structures
    login(ctx["intruder"])
    for path, data in write_routes(ctx, profile_data):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
    assert client.get(f"/annuaire/{ctx['target'].id}/modifier").status_code == 403
    assert client.get(f"/annuaire/{ctx['target'].id}/membres").status_code == 403
    db.session.expire_all()
    s = ctx["target"]
    assert s.name == "Cible" and ctx["owner"].role_in(s.organisation_id).value == "owner"
    assert ctx["request"].status.value == "pending"
    assert ctx["invitation"].revoked_at is None
    assert outbox_messages("pirate@exemple.org") == []


def test_editor_edits_but_does_not_manage_members(client, db, two_structures, login,
                                                  profile_data):
    ctx = two_structures
    login(ctx["editor"])
    s = ctx["target"]
    routes = write_routes(ctx, profile_data)
    response = client.post(routes[0][0], data=routes[0][1])
    assert response.status_code == 302
    db.session.expire_all()
    assert s.name == "Piratée"
    for path, data in routes[2:]:
        assert client.post(path, data=data).status_code == 403, path
    assert client.get(f"/annuaire/{s.id}/membres").status_code == 200


def test_anonymous_is_sent_to_login_for_every_write_route(client, two_structures,
                                                          profile_data):
    for path, data in write_routes(two_structures, profile_data):
        response = client.post(path, data=data)
        assert response.status_code == 302 and "/connexion" in response.location, path


def test_owner_manages_members_through_pages(client, db, two_structures, login, make_user):
    ctx = two_structures
    login(ctx["owner"])
    s = ctx["target"]
    page = client.get(f"/annuaire/{s.id}/membres")
    assert page.status_code == 200 and ctx["request"].user.email in page.text
    client.post(f"/annuaire/demandes/{ctx['request'].id}/accepter")
    db.session.expire_all()
    assert ctx["request"].status.value == "accepted"
    response = client.post(f"/annuaire/{s.id}/membres/{ctx['owner'].id}/retirer",
                           follow_redirects=True)
    assert "au moins un responsable" in response.text


def test_join_and_invitation_pages(client, db, two_structures, login, make_user):
    ctx = two_structures
    person = make_user()
    login(person)
    response = client.post(f"/annuaire/{ctx['target'].id}/rejoindre",
                           data={"message": "Bonjour"}, follow_redirects=True)
    assert "Votre demande a été envoyée" in response.text
    assert db.session.scalar(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.user_id == person.id)) == 1
    invitee = make_user(email="invite@exemple.org")
    link = outbox_messages("invite@exemple.org")[0].body_text.split("http://localhost")[1]
    link = link.split()[0]
    assert client.get(link).status_code == 200
    response = client.post(link, follow_redirects=True)
    assert "invitation a été envoyée à invite@exemple.org" in response.text
    other = login(invitee, on=client.application.test_client())
    response = other.post(link, follow_redirects=True)
    assert "Vous faites maintenant partie de « Cible »" in response.text
    assert client.get("/annuaire/invitation/pas-un-jeton").status_code == 400


def test_pagination_keeps_query_and_filters(client, make_structure):
    for n in range(23):
        make_structure(name=f"Atelier {n:02d}", territory="thionville")
    first = client.get("/annuaire/?q=atelier&territoire=thionville")
    assert first.status_code == 200 and "Page 1 sur 2" in first.text
    assert "q=atelier&amp;territoire=thionville&amp;page=2" in first.text
    second = client.get("/annuaire/?q=atelier&territoire=thionville&page=2")
    assert "Atelier 22" in second.text and 'rel="prev"' in second.text


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_every_post_form_carries_a_csrf_token(csrf_on, client, db, two_structures, login,
                                              make_staff, make_structure):
    import re

    pending = make_structure(status=StructureStatus.PENDING)
    ctx = two_structures
    s = ctx["target"]
    pages = {ctx["owner"]: [f"/annuaire/{s.id}", f"/annuaire/{s.id}/modifier",
                            f"/annuaire/{s.id}/membres", "/annuaire/mes-structures",
                            "/annuaire/inscrire"],
             make_staff(): ["/annuaire/gestion/", "/annuaire/gestion/structures",
                            "/annuaire/gestion/listes/secteurs", f"/annuaire/{pending.id}"],
             ctx["intruder"]: [f"/annuaire/{s.id}"]}
    seen = 0
    for user, paths in pages.items():
        browser = client.application.test_client()
        page = browser.get("/connexion")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        browser.post("/connexion", data={"email": user.email, "csrf_token": token,
                                         "password": "correct horse battery staple moselle"})
        for path in paths:
            html = browser.get(path).text
            forms = re.findall(r'<form method="post".*?</form>', html, re.S)
            seen += len(forms)
            for form in forms:
                assert 'name="csrf_token"' in form, (path, form[:200])
        # Without the token, a write is refused and nothing changes.
        response = browser.post(f"/annuaire/{s.id}/renvoyer")
        assert response.status_code == 400
    assert seen >= 15


def test_staff_reference_rename_and_deactivate_through_pages(client, make_structure,
                                                            make_staff, login):
    make_structure(territory="metz")
    login(make_staff())
    metz = next(t for t in reference.list_territories() if t.code == "metz")
    client.post(f"/annuaire/gestion/listes/territoires/{metz.id}/renommer",
                data={"name": "Metz Métropole"})
    assert client.get("/annuaire/?q=metropole").text.count("1 structure") == 1
    client.post(f"/annuaire/gestion/listes/territoires/{metz.id}/desactiver")
    assert "metz" not in {t.code for t in reference.list_territories()}
    response = client.post("/annuaire/gestion/listes/secteurs", data={"name": ""})
    assert response.status_code == 422 and "Ce champ est obligatoire" in response.text


def test_staff_dashboard_shows_directory_figures(client, make_structure, make_staff, login):
    make_structure(status=StructureStatus.PENDING)
    login(make_staff())
    response = client.get("/equipe/")
    assert response.status_code == 200
    assert "Structures à valider" in response.text and "/annuaire/gestion/" in response.text
