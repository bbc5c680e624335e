from __future__ import annotations

from network.admin import services


def test_dashboard_counts_accounts_and_mail(app, make_user):
    make_user()
    make_user(email_verified_at=None)
    sections = dict(services.dashboard())
    accounts = {f.label: f.value for f in sections["Comptes"]}
    assert accounts == {"Comptes": 2, "Adresses confirmées": 1}
    assert {f.label for f in sections["Courriels"]} == {"En attente", "En échec", "Envoyés"}


def test_staff_pages_are_for_staff_only(client, login, make_user, make_staff):
    for url in ("/equipe/", "/equipe/comptes"):
        assert client.get(url).status_code == 302
    login(make_user(email="someone@example.org"))
    for url in ("/equipe/", "/equipe/comptes"):
        assert client.get(url).status_code == 403
    client.post("/deconnexion")
    login(make_staff())
    assert "Espace équipe" in client.get("/equipe/").get_data(as_text=True)
    assert "someone@example.org" in client.get("/equipe/comptes?q=someone").get_data(as_text=True)


def test_cli_create_staff(app, runner, make_user):
    from network.accounts.services import get_user_by_email

    make_user(email="agent@example.org")
    result = runner.invoke(args=["users", "create-staff", "agent@example.org"])
    assert result.exit_code == 0, result.output
    assert get_user_by_email("agent@example.org").is_staff
    result = runner.invoke(args=["users", "create-staff", "new@example.org", "--password",
                                 "court"])
    assert result.exit_code != 0 and "au moins 10 caractères" in result.output
    assert get_user_by_email("new@example.org") is None


def test_demo_load_is_idempotent(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "equipe@example.org" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "déjà là" in second.output
