"""`flask --app network backup [-o FILE]` and `restore FILE`.

SQLite: an online copy through the sqlite3 backup API (consistent while workers write,
WAL included). PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists`
(postgresql-client must be installed; `.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from network.core.time import PARIS, utcnow


class BackupError(click.ClickException):
    """A French message, exit code 1, never a traceback."""


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def default_name(url, now: datetime | None = None) -> str:
    stamp = (now or utcnow()).astimezone(PARIS).strftime("%Y%m%d-%H%M%S")
    ext = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    return f"sauvegarde-reseau-{stamp}.{ext}"


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("Base SQLite en mémoire : rien à sauvegarder.")
    return url.database


def _pg_env(url) -> tuple[list[str], dict[str, str]]:
    """Connection as command-line arguments; the password through the environment only."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} introuvable : installez postgresql-client "
                          "(apt-get install postgresql-client).")
    return path


def backup(target: str | None = None) -> Path:
    url = _url()
    out = Path(target or default_name(url))
    if out.exists():
        raise BackupError(f"{out} existe déjà : choisissez un autre nom (-o).")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
        dest = sqlite3.connect(out)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return out
    args, env = _pg_env(url)
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), *args,
         url.database or ""], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        raise BackupError("pg_dump a échoué : " + result.stderr.strip()[:500])
    return out


def restore(source: str) -> None:
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"{path} : fichier introuvable.")
    url = _url()
    from network.extensions import db

    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps the old file or tables open
    if url.get_backend_name() == "sqlite":
        try:
            src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            src.execute("PRAGMA schema_version").fetchone()
            check = src.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{path} n'est pas une sauvegarde SQLite lisible ({err}).") \
                from err
        if check != "ok":
            src.close()
            raise BackupError(f"{path} est endommagé ({check}).")
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    args, env = _pg_env(url)
    result = subprocess.run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--dbname", url.database or "", *args, str(path)],
        env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError("pg_restore a échoué : " + result.stderr.strip()[:500])


@click.command("backup", help="Sauvegarde de la base (SQLite en ligne, ou pg_dump).")
@click.option("-o", "--output", "output", default=None, help="Fichier à écrire.")
@with_appcontext
def backup_command(output: str | None) -> None:
    out = backup(output)
    click.echo(f"Sauvegarde écrite : {out} ({out.stat().st_size} octets)")


@click.command("restore", help="Remplace la base par une sauvegarde (arrêtez d'abord le site).")
@click.argument("source")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    if not yes:
        click.confirm("Toutes les données actuelles seront remplacées. Continuer ?", abort=True)
    restore(source)
    click.echo(f"Base restaurée depuis {source}.")
