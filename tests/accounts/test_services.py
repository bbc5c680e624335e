"""Account use cases, called directly: no HTTP."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from network.accounts import services
from network.accounts.models import OrganisationKind, OrgRole, User
from network.core.errors import DomainError
from support import link_from_outbox, outbox_messages

STRONG = "une phrase assez longue pour la Moselle"


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def test_sign_up_stores_a_hash_and_queues_verification(app, db):
    user = services.sign_up(name=" Alex Martin ", email="Alex@Example.ORG", password=STRONG)
    assert user.email == "alex@example.org"
    assert user.name == "Alex Martin"
    assert user.password_hash != STRONG and check_password_hash(user.password_hash, STRONG)
    assert not user.is_verified
    [mail] = outbox_messages("alex@example.org")
    assert mail.kind == "verify_email"
    assert "http://localhost/verifier/" in mail.body_text
    assert "<a href=\"http://localhost/verifier/" in mail.body_html


@pytest.mark.parametrize("password,code", [
    ("court", "weak_password"),
    ("azertyuiop123", "weak_password"),
    ("motdepasse2026", "weak_password"),
    ("alex.martin@example.org", "weak_password"),
])
def test_weak_passwords_are_refused_and_nothing_is_stored(app, db, password, code):
    with pytest.raises(DomainError) as err:
        services.sign_up(name="Alex Martin", email="alex.martin@example.org", password=password)
    assert err.value.code == code
    assert err.value.field == "password"
    assert db.session.query(User).count() == 0
    assert outbox_messages() == []


def test_duplicate_sign_up_takes_no_second_account_and_reveals_nothing(app, db, make_user):
    existing = make_user(email="deja@example.org")
    again = services.sign_up(name="Autre", email="DEJA@example.org", password=STRONG)
    assert again.id == existing.id
    assert db.session.query(User).count() == 1
    assert check_password_hash(existing.password_hash, STRONG) is False
    [mail] = outbox_messages("deja@example.org")
    assert mail.kind == "already_registered"


def test_verification_link_verifies_once_and_rejects_tampering(app, db):
    user = services.sign_up(name="Alex", email="alex@example.org", password=STRONG)
    token = token_of(link_from_outbox("alex@example.org", "/verifier/"))
    with pytest.raises(DomainError) as err:
        services.verify_email(token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
    assert err.value.code == "token_invalid"
    assert services.verify_email(token).is_verified
    assert user.email_verified_at is not None


def test_expired_verification_link(app, db):
    user = services.sign_up(name="Alex", email="alex@example.org", password=STRONG)
    token = token_of(link_from_outbox("alex@example.org", "/verifier/"))
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    with pytest.raises(DomainError) as err:
        services.verify_email(token)
    assert err.value.code == "token_expired"
    assert not user.is_verified


def test_token_of_another_purpose_is_refused(app, db, make_user):
    user = make_user()
    forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="network.verify-email").dumps(
        {"id": user.id, "fp": user.password_hash[-16:]})
    with pytest.raises(DomainError) as err:
        services.user_for_reset_token(forged)
    assert err.value.code == "token_invalid"


def test_authenticate(app, db, make_user):
    from conftest import DEFAULT_PASSWORD

    user = make_user(email="a@example.org")
    assert services.authenticate("A@example.org ", DEFAULT_PASSWORD).id == user.id
    assert user.last_login_at is not None
    with pytest.raises(DomainError) as err:
        services.authenticate("a@example.org", "mauvais mot de passe")
    assert err.value.code == "bad_credentials"
    with pytest.raises(DomainError):
        services.authenticate("inconnu@example.org", DEFAULT_PASSWORD)


def test_password_reset_is_single_use_and_silent_for_unknown_addresses(app, db, make_user):
    user = make_user(email="a@example.org")
    services.request_password_reset("inconnu@example.org")
    assert outbox_messages() == []
    services.request_password_reset("a@example.org")
    token = token_of(link_from_outbox("a@example.org", "/mot-de-passe/"))
    old_session = user.session_token
    services.reset_password(token, STRONG)
    assert check_password_hash(user.password_hash, STRONG)
    assert user.session_token != old_session  # other sessions are logged out
    with pytest.raises(DomainError) as err:
        services.reset_password(token, "encore une autre phrase solide")
    assert err.value.code == "token_used"


def test_change_email_is_verified_by_the_new_address(app, db, make_user):
    from conftest import DEFAULT_PASSWORD

    user = make_user(email="old@example.org")
    make_user(email="taken@example.org")
    with pytest.raises(DomainError) as err:
        services.request_email_change(user, "taken@example.org", DEFAULT_PASSWORD)
    assert err.value.code == "email_taken"
    with pytest.raises(DomainError) as err:
        services.request_email_change(user, "new@example.org", "wrong password here")
    assert err.value.code == "bad_credentials"
    services.request_email_change(user, "New@example.org", DEFAULT_PASSWORD)
    assert user.email == "old@example.org"
    assert [m.kind for m in outbox_messages("old@example.org")] == ["email_change_notice"]
    token = token_of(link_from_outbox("new@example.org", "/compte/adresse/"))
    services.confirm_email_change(token)
    assert user.email == "new@example.org"
    with pytest.raises(DomainError):
        services.confirm_email_change(token)


def test_change_password_checks_the_current_one(app, db, make_user):
    from conftest import DEFAULT_PASSWORD

    user = make_user()
    with pytest.raises(DomainError) as err:
        services.change_password(user, "not the password", STRONG)
    assert err.value.field == "current_password"
    services.change_password(user, DEFAULT_PASSWORD, STRONG)
    assert check_password_hash(user.password_hash, STRONG)


def test_export_and_delete(app, db, make_user, make_org):
    from conftest import DEFAULT_PASSWORD

    user = make_user(name="Sam Export")
    make_org(user, name="Les Jardins de Metz")
    data = services.export_data(user)
    assert data["compte"]["nom"] == "Sam Export"
    assert data["organisations"][0]["organisation"] == "Les Jardins de Metz"
    assert data["organisations"][0]["role"] == "owner"
    with pytest.raises(DomainError):
        services.delete_account(user, "wrong password value")
    services.delete_account(user, DEFAULT_PASSWORD)
    assert db.session.query(User).count() == 0


def test_last_owner_of_a_shared_organisation_cannot_delete_the_account(app, db, make_user,
                                                                          make_org):
    from conftest import DEFAULT_PASSWORD

    owner, colleague = make_user(), make_user()
    org = make_org(owner)
    services.set_member(org.id, colleague, OrgRole.EDITOR, acting=owner)
    with pytest.raises(DomainError) as err:
        services.delete_account(owner, DEFAULT_PASSWORD)
    assert err.value.code == "last_owner"
    services.set_member(org.id, colleague, OrgRole.OWNER, acting=owner)
    services.delete_account(owner, DEFAULT_PASSWORD)


def test_organisation_roles(app, db, make_user, make_org, make_staff):
    owner, editor, stranger, staff = make_user(), make_user(), make_user(), make_staff()
    org = make_org(owner, kind=OrganisationKind.BUYER)
    services.set_member(org.id, editor, OrgRole.EDITOR, acting=owner)
    assert services.can_edit(editor, org.id) and not services.can_manage_members(editor, org.id)
    assert not services.can_edit(stranger, org.id)
    assert services.can_edit(staff, org.id) and services.can_manage_members(staff, org.id)
    with pytest.raises(DomainError) as err:
        services.set_member(org.id, stranger, OrgRole.OWNER, acting=editor)
    assert err.value.code == "forbidden"
    with pytest.raises(DomainError) as err:
        services.remove_member(org.id, owner, acting=owner)
    assert err.value.code == "last_owner"
    with pytest.raises(DomainError) as err:
        services.set_member(org.id, owner, OrgRole.EDITOR, acting=owner)
    assert err.value.code == "last_owner"
    services.remove_member(org.id, editor, acting=editor)  # anyone may leave
    assert services.get_membership(org.id, editor.id) is None


def test_create_staff_creates_or_promotes(app, db, make_user):
    user = make_user(email="agent@example.org")
    assert services.create_staff("agent@example.org").is_staff
    assert user.is_staff
    new = services.create_staff("new-agent@example.org", password=STRONG)
    assert new.is_staff and new.is_verified


def test_purge_inactive_accounts(app, db, make_user, make_staff, make_org):
    from datetime import timedelta

    from network.core.time import utcnow

    long_ago = utcnow() - timedelta(days=4 * 365)
    idle = make_user(email="idle@example.org", created_at=long_ago, last_login_at=long_ago)
    never = make_user(email="never@example.org", created_at=long_ago)
    active = make_user(email="active@example.org", created_at=long_ago, last_login_at=utcnow())
    make_staff(email="staff@example.org", created_at=long_ago)
    owner = make_user(email="owner@example.org", created_at=long_ago)
    org = make_org(owner)
    services.set_member(org.id, active, OrgRole.EDITOR, acting=owner)
    removed = services.purge_inactive(older_than=timedelta(days=3 * 365))
    assert sorted(removed) == ["idle@example.org", "never@example.org"]
    remaining = {u.email for u in db.session.query(User)}
    assert remaining == {"active@example.org", "staff@example.org", "owner@example.org"}
    assert idle not in db.session and never not in db.session
