"""The last-owner rule under concurrency: two owners demote (or remove) each other at the same
moment, each in its own thread, connection and transaction, with real commits. Exactly one
succeeds and the organisation keeps an owner, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from network.accounts import services
from network.accounts.models import OrganisationMember, OrgRole, User
from network.core.errors import DomainError


def _owners(db, org_id: int) -> int:
    return db.session.scalar(select(func.count(OrganisationMember.id)).where(
        OrganisationMember.organisation_id == org_id, OrganisationMember.role == OrgRole.OWNER))


def _attempt(app, action, org_id, actor_id, target_id, results, *, before=None, hold=None):
    from network.extensions import db

    with app.app_context():
        try:
            actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
            if before:
                before()
            action(org_id, target, acting=actor)
            if hold:
                hold()  # keep the transaction open while the other one tries
            db.session.commit()
            results.append("ok")
        except DomainError as err:
            db.session.rollback()
            results.append(err.code)
        except Exception as err:  # surfaced by the assertion below
            db.session.rollback()
            results.append(f"error: {type(err).__name__}: {err}")
        finally:
            db.session.remove()


def _demote(org_id, target, *, acting):
    services.set_member(org_id, target, OrgRole.EDITOR, acting=acting)


def _remove(org_id, target, *, acting):
    services.remove_member(org_id, target, acting=acting)


@pytest.fixture
def two_owners(app, db, make_user, make_org):
    a, b = make_user(), make_user()
    org = make_org(a)
    services.set_member(org.id, b, OrgRole.OWNER, acting=a)
    db.session.commit()
    ids = (org.id, a.id, b.id)
    db.session.remove()
    return ids


@pytest.mark.parametrize("action", [_demote, _remove], ids=["demote", "remove"])
def test_at_the_same_moment_exactly_one_succeeds(app, db, two_owners, action):
    org_id, a_id, b_id = two_owners
    for _round in range(5):
        barrier = threading.Barrier(2)
        results: list[str] = []
        threads = [
            threading.Thread(target=_attempt, args=(app, action, org_id, a_id, b_id, results),
                             kwargs={"before": barrier.wait}),
            threading.Thread(target=_attempt, args=(app, action, org_id, b_id, a_id, results),
                             kwargs={"before": barrier.wait}),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert results.count("ok") == 1, results
        assert set(results) - {"ok"} <= {"last_owner", "forbidden", "not_found"}, results
        assert _owners(db, org_id) == 1
        db.session.remove()
        # Both owners again for the next round.
        owner_id = db.session.scalar(select(OrganisationMember.user_id).where(
            OrganisationMember.organisation_id == org_id,
            OrganisationMember.role == OrgRole.OWNER))
        other_id = b_id if owner_id == a_id else a_id
        services.set_member(org_id, db.session.get(User, other_id), OrgRole.OWNER,
                            acting=db.session.get(User, owner_id))
        db.session.commit()
        db.session.remove()


def test_the_second_waits_for_the_first_and_is_refused(app, db, two_owners):
    """The worst interleaving, forced: the first demotion is written but not yet committed
    when the second one starts; the second must wait for it, then see one owner left."""
    org_id, a_id, b_id = two_owners
    second_started = threading.Event()
    results: list[str] = []

    def hold():
        second_started.wait(timeout=10)
        threading.Event().wait(0.5)  # the second attempt is now blocked on the lock

    first = threading.Thread(target=_attempt, args=(app, _demote, org_id, a_id, b_id, results),
                             kwargs={"hold": hold})
    second = threading.Thread(target=_attempt, args=(app, _demote, org_id, b_id, a_id, results),
                              kwargs={"before": second_started.set})
    first.start()
    threading.Event().wait(0.2)  # the first has written its UPDATE
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert results[0] == "ok", results
    assert results[1] in {"last_owner", "forbidden"}, results
    assert _owners(db, org_id) == 1


def test_two_owners_deleting_their_accounts_at_once_leave_one(app, db, make_user, make_org):
    """The same rule when both owners delete their accounts while a colleague stays."""
    from conftest import DEFAULT_PASSWORD

    a, b, colleague = make_user(), make_user(), make_user()
    org = make_org(a)
    services.set_member(org.id, b, OrgRole.OWNER, acting=a)
    services.set_member(org.id, colleague, OrgRole.EDITOR, acting=a)
    db.session.commit()
    org_id, a_id, b_id = org.id, a.id, b.id
    db.session.remove()

    def delete(_org_id, _target, *, acting):
        services.delete_account(acting, DEFAULT_PASSWORD)

    second_started = threading.Event()
    results: list[str] = []

    def hold():
        second_started.wait(timeout=10)
        threading.Event().wait(0.5)

    first = threading.Thread(target=_attempt, args=(app, delete, org_id, a_id, b_id, results),
                             kwargs={"hold": hold})
    second = threading.Thread(target=_attempt, args=(app, delete, org_id, b_id, a_id, results),
                              kwargs={"before": second_started.set})
    first.start()
    threading.Event().wait(0.2)
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert results == ["ok", "last_owner"], results
    assert _owners(db, org_id) == 1
    # Under load the second thread may win the lock: exactly one of the two accounts is gone.
    remaining = [db.session.get(User, a_id) is not None, db.session.get(User, b_id) is not None]
    assert sorted(remaining) == [False, True], remaining
