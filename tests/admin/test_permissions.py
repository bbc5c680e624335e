"""Every back-office page and action: anonymous → login, member → 403, nothing changed."""

from __future__ import annotations

import pytest

GETS = ["/equipe/", "/equipe/comptes", "/equipe/chiffres", "/equipe/chiffres/membres-temps.csv",
        "/equipe/rapport-annuel", "/equipe/rapport-annuel-2026.pdf",
        "/equipe/rapport-annuel-2026.csv", "/equipe/ecrire", "/equipe/import"]


def posts(target_id: int) -> list[str]:
    return [f"/equipe/a-faire/approve/{target_id}", f"/equipe/a-faire/accept/{target_id}",
            f"/equipe/a-faire/retry/{target_id}", f"/equipe/comptes/{target_id}/deactivate",
            f"/equipe/comptes/{target_id}/grant_staff", "/equipe/ecrire"]


@pytest.fixture
def nocsrf(app_config):
    app_config["WTF_CSRF_ENABLED"] = False


def test_anonymous_is_sent_to_login(nocsrf, client, make_user):
    victim = make_user()
    for url in GETS:
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.location, url
    for url in posts(victim.id):
        assert client.post(url, data={"subject": "x", "body": "y"}).status_code == 302, url
    assert client.get("/nouvelles/").status_code == 302


def test_member_is_refused_and_nothing_changes(nocsrf, client, login, make_user, db,
                                              make_structure):
    from network.accounts.models import User
    from network.admin.models import AccountAction, Broadcast
    from network.directory.models import StructureStatus

    member = make_user(email="membre@example.org")
    victim = make_user(email="victime@example.org")
    pending = make_structure(approved=False)
    login(member)
    for url in GETS:
        assert client.get(url).status_code == 403, url
    for url in posts(victim.id) + [f"/equipe/a-faire/approve/{pending.id}"]:
        assert client.post(url, data={"subject": "x", "body": "y"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(User, victim.id).is_active_account
    assert not db.session.get(User, victim.id).is_staff
    assert pending.status == StructureStatus.PENDING
    assert db.session.query(AccountAction).count() == 0
    assert db.session.query(Broadcast).count() == 0


def test_services_check_the_right_themselves(app, make_user):
    from network.admin import accounts, broadcast, figures, report, todo
    from network.core.errors import PermissionDenied

    member = make_user()
    f = figures.parse_filters({})
    calls = [lambda: todo.sections(lambda *a, **k: "/", acting=member),
             lambda: todo.approve(1, acting=member), lambda: todo.retry_mail(1, acting=member),
             lambda: accounts.apply(member, "grant_staff", acting=member),
             lambda: broadcast.send("a", "b", {}, acting=member),
             lambda: figures.all_charts(f, acting=member),
             lambda: report.build(2026, acting=member)]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not member.is_staff
