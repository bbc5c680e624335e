"""`flask backup` / `flask restore`, on the engine the suite runs on (SQLite by default,
PostgreSQL with TEST_DATABASE_URL): a row deleted after the backup comes back."""

from __future__ import annotations


def test_backup_then_restore_brings_data_back(app, runner, db, make_user, tmp_path):
    from network.accounts.models import User

    make_user(email="garde@example.org")
    target = tmp_path / "sauvegarde.bin"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite" in result.output and target.stat().st_size > 0
    # A second backup to the same name is refused rather than overwritten.
    again = runner.invoke(args=["backup", "-o", str(target)])
    assert again.exit_code == 1 and "existe déjà" in again.output

    db.session.query(User).filter_by(email="garde@example.org").delete()
    make_user(email="apres@example.org")
    db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    emails = {u.email for u in db.session.query(User)}
    assert "garde@example.org" in emails and "apres@example.org" not in emails


def test_restore_refuses_what_is_not_a_backup(app, runner, db, make_user, tmp_path):
    from network.accounts.models import User

    make_user(email="reste@example.org")
    junk = tmp_path / "pas-une-sauvegarde.txt"
    junk.write_text("bonjour")
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert runner.invoke(args=["restore", str(tmp_path / "absent"), "--yes"]).exit_code == 1
    # Without --yes the command asks first; answering no changes nothing.
    assert runner.invoke(args=["restore", str(junk)], input="n\n").exit_code == 1
    assert db.session.query(User).filter_by(email="reste@example.org").count() == 1
