"""Account use cases, called directly: no HTTP. Services flush; the test commits as an edge."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from conftest import DEFAULT_PASSWORD
from network.accounts import services
from network.accounts.models import OrganisationKind, OrgRole, User
from network.core import signals
from network.core.auth import Guest, System
from network.core.errors import DomainError, PermissionDenied, ValidationError
from support import link_from_outbox, outbox_messages

STRONG = "une phrase assez longue pour la Moselle"
CLI = System("test")


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def test_sign_up_stores_a_hash_and_queues_verification(app, db):
    user = services.sign_up(name=" Alex Martin ", email="Alex@Example.ORG", password=STRONG)
    db.session.commit()
    assert user.email == "alex@example.org"
    assert user.name == "Alex Martin"
    assert user.password_hash != STRONG and check_password_hash(user.password_hash, STRONG)
    assert not user.is_verified
    [mail] = outbox_messages("alex@example.org")
    assert mail.kind == "verify_email"
    assert "http://localhost/verifier/" in mail.body_text
    assert "<a href=\"http://localhost/verifier/" in mail.body_html


@pytest.mark.parametrize("password", ["court", "azertyuiop123", "motdepasse2026",
                                      "alex.martin@example.org"])
def test_weak_passwords_are_refused_and_nothing_is_stored(app, db, password):
    with pytest.raises(ValidationError) as err:
        services.sign_up(name="Alex Martin", email="alex.martin@example.org", password=password)
    assert err.value.code == "weak_password"
    assert list(err.value.field_errors) == ["password"]
    assert db.session.query(User).count() == 0
    assert outbox_messages() == []


def test_sign_up_reports_every_bad_field_at_once(app, db):
    with pytest.raises(ValidationError) as err:
        services.sign_up(name="  ", email="a@b.co,c@d.co", password="court")
    assert err.value.status == 422
    assert set(err.value.field_errors) == {"name", "email", "password"}
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("address", ["a@b.co,c@d.co", "=HYPERLINK(\"http://x\")@ex.org",
                                     "Eve <eve@example.org>", "eve@example.org\r\nBcc: x@y.org"])
def test_sign_up_refuses_addresses_that_are_not_one_mailbox(app, db, address):
    with pytest.raises(ValidationError) as err:
        services.sign_up(name="Eve", email=address, password=STRONG)
    assert "email" in err.value.field_errors
    assert outbox_messages() == []


def _count_hashes(monkeypatch):
    """Wrap the real hash function (it still runs) to count how often each path uses it."""
    calls = []
    real = services.generate_password_hash

    def counting(password, **kwargs):
        calls.append(1)
        return real(password, **kwargs)

    monkeypatch.setattr(services, "generate_password_hash", counting)
    return calls


def test_sign_up_does_the_same_work_for_new_known_and_unverified_addresses(app, db, make_user,
                                                                           monkeypatch):
    """Item 5: one hash, one queued mail, no error, in every path (code paths, not timings)."""
    make_user(email="verifie@example.org")
    make_user(email="nonverifie@example.org", email_verified_at=None)
    calls = _count_hashes(monkeypatch)
    for address in ("nouveau@example.org", "verifie@example.org", "nonverifie@example.org"):
        before, mails = len(calls), len(outbox_messages())
        services.sign_up(name="Quelqu'un", email=address, password=STRONG)
        db.session.commit()
        assert len(calls) - before == 1, address
        assert len(outbox_messages()) - mails == 1, address
    assert [m.kind for m in outbox_messages("verifie@example.org")] == ["already_registered"]
    assert [m.kind for m in outbox_messages("nonverifie@example.org")] == ["verify_email"]


def test_duplicate_sign_up_takes_no_second_account_and_reveals_nothing(app, db, make_user):
    existing = make_user(email="deja@example.org")
    again = services.sign_up(name="Autre", email="DEJA@example.org", password=STRONG)
    db.session.commit()
    assert again.id == existing.id
    assert db.session.query(User).count() == 1
    assert check_password_hash(existing.password_hash, STRONG) is False
    [mail] = outbox_messages("deja@example.org")
    assert mail.kind == "already_registered"


def test_a_later_sign_up_voids_the_links_of_an_unverified_one(app, db):
    """Someone signs up with another's address and never verifies it: the owner of the
    mailbox signs up too, and only the owner's link (bound to the owner's password) works."""
    services.sign_up(name="Intrus", email="victime@example.org", password=STRONG)
    db.session.commit()
    first = token_of(link_from_outbox("victime@example.org", "/verifier/"))
    owner = services.sign_up(name="Vraie Personne", email="victime@example.org",
                             password="une autre phrase bien longue pour Metz")
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.verify_email(first)
    assert err.value.code == "token_invalid"
    second = token_of(link_from_outbox("victime@example.org", "/verifier/"))
    user, just_verified = services.verify_email(second)
    assert just_verified and user.id == owner.id and user.name == "Vraie Personne"
    assert check_password_hash(user.password_hash, "une autre phrase bien longue pour Metz")


def test_verification_link_verifies_once_rejects_tampering_and_announces_it(app, db):
    heard = []

    def receiver(user):
        heard.append(user.email)

    signals.email_verified.connect(receiver)
    try:
        user = services.sign_up(name="Alex", email="alex@example.org", password=STRONG)
        db.session.commit()
        token = token_of(link_from_outbox("alex@example.org", "/verifier/"))
        with pytest.raises(DomainError) as err:
            services.verify_email(token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
        assert err.value.code == "token_invalid"
        assert heard == []
        verified, just = services.verify_email(token)
        assert just and verified.is_verified and user.email_verified_at is not None
        assert heard == ["alex@example.org"]
        assert services.verify_email(token) == (user, False)  # once
        assert heard == ["alex@example.org"]
    finally:
        signals.email_verified.disconnect(receiver)


def test_expired_verification_link(app, db):
    user = services.sign_up(name="Alex", email="alex@example.org", password=STRONG)
    db.session.commit()
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
    user = make_user(email="a@example.org")
    assert services.authenticate("A@example.org ", DEFAULT_PASSWORD).id == user.id
    with pytest.raises(DomainError) as err:
        services.authenticate("a@example.org", "mauvais mot de passe")
    assert err.value.code == "bad_credentials"
    with pytest.raises(DomainError):
        services.authenticate("inconnu@example.org", DEFAULT_PASSWORD)


def test_password_reset_is_single_use_and_silent_for_unknown_addresses(app, db, make_user):
    user = make_user(email="a@example.org")
    services.request_password_reset("inconnu@example.org")
    services.request_password_reset("a@b.co,c@d.co")
    assert outbox_messages() == []
    services.request_password_reset("a@example.org")
    db.session.commit()
    token = token_of(link_from_outbox("a@example.org", "/mot-de-passe/"))
    old_session = user.session_token
    services.reset_password(token, STRONG)
    db.session.commit()
    assert check_password_hash(user.password_hash, STRONG)
    assert user.session_token != old_session  # other sessions are logged out
    with pytest.raises(DomainError) as err:
        services.reset_password(token, "encore une autre phrase solide")
    assert err.value.code == "token_used"


def test_reset_mails_are_capped_per_address_in_the_database(app, db, make_user):
    make_user(email="cible@example.org")
    for _ in range(5):
        services.request_password_reset("cible@example.org")
        db.session.commit()
    assert len(outbox_messages("cible@example.org")) == services.MAILS_PER_ADDRESS_PER_HOUR
    # An hour later, one more is allowed.
    from datetime import timedelta

    for message in outbox_messages("cible@example.org"):
        message.created_at -= timedelta(hours=1, minutes=1)
    db.session.commit()
    services.request_password_reset("cible@example.org")
    db.session.commit()
    assert len(outbox_messages("cible@example.org")) == services.MAILS_PER_ADDRESS_PER_HOUR + 1


def test_change_email_is_verified_by_the_new_address(app, db, make_user):
    user = make_user(email="old@example.org")
    make_user(email="taken@example.org")
    with pytest.raises(DomainError) as err:
        services.request_email_change(acting=user, new_email="taken@example.org",
                                      password=DEFAULT_PASSWORD)
    assert err.value.code == "email_taken"
    with pytest.raises(ValidationError) as err:
        services.request_email_change(acting=user, new_email="a@b.co,c@d.co",
                                      password="wrong password here")
    assert set(err.value.field_errors) == {"email", "password"}  # both at once
    services.request_email_change(acting=user, new_email="New@example.org",
                                  password=DEFAULT_PASSWORD)
    db.session.commit()
    assert user.email == "old@example.org"
    assert [m.kind for m in outbox_messages("old@example.org")] == ["email_change_notice"]
    token = token_of(link_from_outbox("new@example.org", "/compte/adresse/"))
    services.confirm_email_change(token)
    db.session.commit()
    assert user.email == "new@example.org"
    with pytest.raises(DomainError):
        services.confirm_email_change(token)


def test_change_password_checks_the_current_one(app, db, make_user):
    user = make_user()
    with pytest.raises(ValidationError) as err:
        services.change_password(acting=user, current_password="not the password",
                                 new_password="court")
    assert set(err.value.field_errors) == {"current_password", "password"}
    services.change_password(acting=user, current_password=DEFAULT_PASSWORD,
                             new_password=STRONG)
    assert check_password_hash(user.password_hash, STRONG)


def test_account_services_need_the_account_itself(app, db, make_user):
    for call in (lambda a: services.export_data(a),
                 lambda a: services.delete_account(a, DEFAULT_PASSWORD),
                 lambda a: services.reset_calendar_token(acting=a),
                 lambda a: services.end_sessions(acting=a)):
        for acting in (Guest(email="x@example.org", scope="registration:1"), CLI):
            with pytest.raises(PermissionDenied):
                call(acting)


def test_export_and_delete(app, db, make_user, make_org):
    user = make_user(name="Sam Export")
    make_org(user, name="Les Jardins de Metz")
    data = services.export_data(user)
    assert data["compte"]["nom"] == "Sam Export"
    assert data["organisations"][0]["organisation"] == "Les Jardins de Metz"
    assert data["organisations"][0]["role"] == "owner"
    with pytest.raises(DomainError):
        services.delete_account(user, "wrong password value")
    services.delete_account(user, DEFAULT_PASSWORD)
    db.session.commit()
    assert db.session.query(User).count() == 0


def test_last_owner_of_a_shared_organisation_cannot_delete_the_account(app, db, make_user,
                                                                          make_org):
    owner, colleague = make_user(), make_user()
    org = make_org(owner)
    services.set_member(org.id, colleague, OrgRole.EDITOR, acting=owner)
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.delete_account(owner, DEFAULT_PASSWORD)
    assert err.value.code == "last_owner"
    services.set_member(org.id, colleague, OrgRole.OWNER, acting=owner)
    db.session.commit()
    services.delete_account(owner, DEFAULT_PASSWORD)
    db.session.commit()


def test_organisation_roles(app, db, make_user, make_org, make_staff):
    owner, editor, stranger, staff = make_user(), make_user(), make_user(), make_staff()
    org = make_org(owner, kind=OrganisationKind.BUYER)
    services.set_member(org.id, editor, OrgRole.EDITOR, acting=owner)
    db.session.commit()
    assert services.can_edit(editor, org.id) and not services.can_manage_members(editor, org.id)
    assert not services.can_edit(stranger, org.id)
    assert services.can_edit(staff, org.id) and services.can_manage_members(staff, org.id)
    with pytest.raises(DomainError) as err:
        services.set_member(org.id, stranger, OrgRole.OWNER, acting=editor)
    assert err.value.code == "forbidden"
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        services.remove_member(org.id, owner, acting=owner)
    assert err.value.code == "last_owner"
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        services.set_member(org.id, owner, OrgRole.EDITOR, acting=owner)
    assert err.value.code == "last_owner"
    db.session.rollback()
    services.remove_member(org.id, editor, acting=editor)  # anyone may leave
    db.session.commit()
    assert services.get_membership(org.id, editor.id) is None
    assert services.get_membership(org.id, owner.id).role == OrgRole.OWNER


def test_an_unverified_account_speaks_for_no_organisation(app, db, make_user, make_org):
    owner = make_user()
    org = make_org(owner)
    unverified = make_user(email_verified_at=None)
    with pytest.raises(PermissionDenied) as err:
        services.create_organisation(unverified, name="X", kind=OrganisationKind.STRUCTURE)
    assert err.value.code == "unverified"
    with pytest.raises(PermissionDenied):
        services.set_member(org.id, unverified, OrgRole.EDITOR, acting=owner)
    db.session.rollback()
    owner.email_verified_at = None
    db.session.commit()
    assert not services.can_edit(owner, org.id) and not services.can_manage_members(owner, org.id)


def test_joining_by_invitation_acts_as_the_invitee(app, db, make_user, make_org):
    owner, invitee, stranger = make_user(), make_user(), make_user()
    org = make_org(owner)
    with pytest.raises(DomainError) as err:  # the inviter no longer manages it
        services.join_by_invitation(org.id, OrgRole.EDITOR, acting=invitee, invited_by=stranger)
    assert err.value.code == "invitation_stale"
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.join_by_invitation(org.id, OrgRole.EDITOR,
                                    acting=Guest(email=invitee.email, scope="x"),
                                    invited_by=owner)
    db.session.rollback()
    member = services.join_by_invitation(org.id, OrgRole.EDITOR, acting=invitee,
                                         invited_by=owner)
    db.session.commit()
    assert member.user_id == invitee.id and member.role == OrgRole.EDITOR


def test_create_staff_creates_or_promotes_and_only_for_staff_or_the_system(app, db, make_user):
    user = make_user(email="agent@example.org")
    with pytest.raises(PermissionDenied):
        services.create_staff("agent@example.org", acting=user)
    assert services.create_staff("agent@example.org", acting=CLI).is_staff
    assert user.is_staff
    new = services.create_staff("new-agent@example.org", password=STRONG, acting=CLI)
    assert new.is_staff and new.is_verified
    with pytest.raises(ValidationError):
        services.create_staff("a@b.co,c@d.co", password=STRONG, acting=CLI)
    with pytest.raises(PermissionDenied):
        services.list_users(acting=user if not user.is_staff else make_user())


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
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.purge_inactive(older_than=timedelta(days=3 * 365), acting=active)
    removed = services.purge_inactive(older_than=timedelta(days=3 * 365), acting=CLI)
    db.session.commit()
    assert sorted(removed) == ["idle@example.org", "never@example.org"]
    remaining = {u.email for u in db.session.query(User)}
    assert remaining == {"active@example.org", "staff@example.org", "owner@example.org"}
    assert idle not in db.session and never not in db.session


def test_no_commit_in_account_or_outbox_services():
    """#8: services flush; the request, the CLI command and the worker's message commit."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "network"
    for name in ("accounts/services.py", "accounts/organisations.py",
                 "accounts/second_factor.py", "outbox/services.py"):
        assert ".commit()" not in (root / name).read_text(), name
