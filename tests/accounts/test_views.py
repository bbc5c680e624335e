"""Account pages: wiring, French messages at the field, nothing changed on bad input."""

from __future__ import annotations

import json

from conftest import DEFAULT_PASSWORD
from network.accounts.models import User
from support import link_from_outbox, outbox_messages

STRONG = "une phrase assez longue pour la Moselle"


def sign_up(client, **overrides):
    data = {"name": "Alex Martin", "email": "alex@example.org", "password": STRONG,
            "password_confirm": STRONG, "accept_privacy": "y"}
    data.update(overrides)
    return client.post("/inscription", data=data)


def test_sign_up_verify_log_in_log_out(client, db):
    response = sign_up(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inscription/verifiez-vos-courriels")
    page = client.get(link_from_outbox("alex@example.org", "/verifier/"), follow_redirects=True)
    assert "Votre adresse e-mail est confirmée" in page.get_data(as_text=True)
    response = client.post("/connexion", data={"email": "alex@example.org", "password": STRONG})
    assert response.status_code == 302
    account = client.get("/compte").get_data(as_text=True)
    assert "alex@example.org" in account and "confirmée" in account
    client.post("/deconnexion")
    assert client.get("/compte").status_code == 302


def test_bad_sign_up_input_gets_french_messages_at_the_field(client, db):
    cases = [
        ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide"),
        ({"password": "court", "password_confirm": "court"}, "au moins 10 caractères"),
        ({"password": "azerty123456", "password_confirm": "azerty123456"}, "trop facile"),
        ({"password_confirm": "autre chose encore"}, "ne sont pas identiques"),
        ({"name": ""}, "Ce champ est obligatoire"),
        ({"accept_privacy": ""}, "politique de confidentialité"),
    ]
    for overrides, message in cases:
        response = sign_up(client, **overrides)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, overrides
        assert message in html, (overrides, message)
        assert 'aria-invalid="true"' in html
    assert db.session.query(User).count() == 0
    assert outbox_messages() == []


def test_wrong_password_gets_a_message_and_no_session(client, make_user):
    user = make_user()
    response = client.post("/connexion", data={"email": user.email, "password": "wrong one!!"})
    assert response.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/compte").status_code == 302


def test_login_redirects_only_inside_the_site(client, make_user):
    user = make_user()
    for target, expected in [("/compte", "/compte"), ("https://evil.example/", "/"),
                             ("//evil.example/x", "/"), ("/\\evil.example", "/")]:
        response = client.post("/connexion", data={"email": user.email,
                                                    "password": DEFAULT_PASSWORD,
                                                    "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        client.post("/deconnexion")


def test_tampered_and_expired_links_get_a_french_page(client, app, make_user):
    assert "pas valide" in client.get("/verifier/abc.def").get_data(as_text=True)
    response = client.get("/mot-de-passe/nimportequoi")
    assert response.status_code == 400
    assert "Demander un nouveau lien" in response.get_data(as_text=True)


def test_forgot_password_says_the_same_for_unknown_addresses(client, make_user):
    make_user(email="known@example.org")
    known = client.post("/mot-de-passe-oublie", data={"email": "known@example.org"},
                        follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/mot-de-passe-oublie", data={"email": "nobody@example.org"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Si un compte existe pour cette adresse" in known
    assert "Si un compte existe pour cette adresse" in unknown
    assert len(outbox_messages("known@example.org")) == 1
    assert outbox_messages("nobody@example.org") == []


def test_reset_password_through_the_pages(client, make_user):
    make_user(email="known@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "known@example.org"})
    link = link_from_outbox("known@example.org", "/mot-de-passe/")
    response = client.post(link, data={"password": "court", "password_confirm": "court"})
    assert response.status_code == 422
    response = client.post(link, data={"password": STRONG, "password_confirm": STRONG})
    assert response.status_code == 302
    assert client.post("/connexion", data={"email": "known@example.org",
                                           "password": STRONG}).status_code == 302
    assert client.get(link).status_code == 400  # single use


def test_account_pages_need_a_login(client):
    for url in ("/compte", "/compte/mes-donnees.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/connexion" in response.headers["Location"]
    for url in ("/compte/mot-de-passe", "/compte/adresse", "/compte/supprimer",
                "/verification/renvoyer", "/compte/calendrier/nouveau-lien"):
        assert client.post(url).status_code == 302


def test_export_my_data(client, login, make_user):
    user = make_user(name="Sam")
    login(user)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["compte"]["email"] == user.email


def test_delete_my_account(client, login, make_user, db):
    user = make_user()
    login(user)
    response = client.post("/compte/supprimer", data={"del-password": DEFAULT_PASSWORD})
    assert response.status_code == 422  # the confirmation box is required
    assert "Cochez la case" in response.get_data(as_text=True)
    response = client.post("/compte/supprimer", data={"del-password": DEFAULT_PASSWORD,
                                                      "del-confirm": "y"})
    assert response.status_code == 302
    assert db.session.query(User).count() == 0


def test_change_password_logs_out_other_sessions(app, client, login, make_user):
    user = make_user()
    other = app.test_client()
    login(user)
    login(user, on=other)
    response = client.post("/compte/mot-de-passe", data={
        "pw-current_password": DEFAULT_PASSWORD, "pw-password": STRONG,
        "pw-password_confirm": STRONG})
    assert response.status_code == 302
    assert client.get("/compte").status_code == 200
    assert other.get("/compte").status_code == 302


def test_language_switch(client):
    assert "Créer un compte" in client.get("/").get_data(as_text=True)
    response = client.post("/langue", data={"lang": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Create an account" in html
    assert client.post("/langue", data={"lang": "xx"}).status_code == 400


def test_after_sign_up_the_mailed_link_logs_in_and_goes_back_where_they_were(client, db):
    target = "/compte/mes-donnees.json"  # any page that needs an account
    login_page = client.get(target, follow_redirects=True).get_data(as_text=True)
    assert "/inscription?next=" in login_page  # "Créer un compte" keeps the destination
    client.get("/inscription?next=" + target)
    sign_up(client)
    response = client.get(link_from_outbox("alex@example.org", "/verifier/"))
    assert response.status_code == 302 and response.headers["Location"] == target
    assert client.get("/compte").status_code == 200  # logged in, no password typed again
    assert db.session.query(User).one().last_login_at is not None


def test_the_mailed_link_opened_in_another_browser_asks_for_the_password(app, client, db):
    sign_up(client)
    other = app.test_client()
    response = other.get(link_from_outbox("alex@example.org", "/verifier/"))
    assert response.status_code == 302 and response.headers["Location"] == "/connexion"
    assert other.get("/compte").status_code == 302  # not logged in there
    assert db.session.query(User).one().is_verified
    # A second click is not a way in either.
    assert client.get(link_from_outbox("alex@example.org", "/verifier/")).headers[
        "Location"] == "/connexion"


def test_logout_ends_the_session_and_remember_cookie_for_real(app, client, make_user):
    """Item 3: a copy of the cookies taken before "Se déconnecter" opens nothing after."""
    user = make_user()
    response = client.post("/connexion", data={"email": user.email, "remember": "y",
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    captured = {c.key: c.value for c in client._cookies.values()}
    assert {"session", "remember_token"} <= set(captured)

    def thief(cookies):
        stolen = app.test_client()
        for key, value in cookies.items():
            stolen.set_cookie(key, value)
        return stolen

    assert thief(captured).get("/compte").status_code == 200  # the copy works before
    assert thief({"remember_token": captured["remember_token"]}).get(
        "/compte").status_code == 200
    client.post("/deconnexion")
    assert client.get("/compte").status_code == 302
    assert thief(captured).get("/compte").status_code == 302
    assert thief({"remember_token": captured["remember_token"]}).get(
        "/compte").status_code == 302


def test_an_unverified_account_may_manage_itself_and_nothing_else(client, login, make_user):
    """Item 1 (accounts side): log in, see the account, change address and password, resend
    the link; no other POST (an event registration, a structure…) goes through."""
    user = make_user(email_verified_at=None)
    login(user)
    assert client.get("/compte").status_code == 200
    assert client.post("/verification/renvoyer").status_code == 302
    assert [m.kind for m in outbox_messages(user.email)] == ["verify_email"]
    response = client.post("/compte/adresse", data={"em-email": "autre@example.org",
                                                    "em-password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    for url in ("/evenements/1/inscription", "/annuaire/inscrire", "/annuaire/1/rejoindre"):
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 403, url
        assert "Confirmez d&#39;abord votre adresse" in response.get_data(as_text=True)
    assert client.get("/compte/mes-donnees.json").status_code == 200


def test_favicon_answers_and_is_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in html


def test_mes_structures_is_in_the_menu_of_a_logged_in_person(client, login, make_user):
    assert "Mes structures" not in client.get("/").get_data(as_text=True)
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/annuaire/mes-structures"' in html and "Mes structures" in html
    assert client.get("/annuaire/mes-structures").status_code == 200


def test_forms_refuse_lists_and_formulas_as_addresses(client, db):
    for address in ("a@b.co,c@d.co", '=HYPERLINK("http://x")@ex.org'):
        response = sign_up(client, email=address)
        assert response.status_code == 422
        assert "Saisissez une adresse e-mail valide" in response.get_data(as_text=True)
        response = client.post("/mot-de-passe-oublie", data={"email": address})
        assert response.status_code == 422
    assert outbox_messages() == []


def test_a_remembered_destination_outside_the_site_is_ignored(client, make_user):
    user = make_user()
    client.get("/inscription?next=https://evil.example/")
    response = client.post("/connexion", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                               "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
