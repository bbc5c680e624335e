"""The back office's commands: `flask --app network backup` / `restore` and
`import-members` (top level)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from network.admin.backup import backup_command, restore_command


@click.command("import-members", help="Importe la liste des membres (CSV) comme la page "
               "« Importer des membres », sans limite de lignes.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "staff_email", required=True,
              help="Adresse du compte de l'équipe au nom duquel importer.")
@click.option("--dry-run", is_flag=True, help="Vérifier seulement : rien n'est enregistré.")
@with_appcontext
def import_members_command(path: Path, staff_email: str, dry_run: bool) -> None:
    from network.accounts.services import get_user_by_email
    from network.admin import member_import
    from network.core.uow import unit_of_work

    with unit_of_work():
        staff = get_user_by_email(staff_email)
        if staff is None:
            raise click.UsageError(f"Aucun compte pour {staff_email}.")
        result = member_import.import_members(path.read_bytes(), acting=staff,
                                              commit=not dry_run, max_rows=None)
    for line in result.errors:
        for column, message in line.errors:
            click.echo(f"ligne {line.number}, colonne « {column} » : {message}", err=True)
    click.echo(f"{'Vérification' if dry_run else 'Import'} : structures créées : "
               f"{result.count('created')} ; lignes pour une structure déjà présente : "
               f"{result.count('existing')} ; contacts invités : {result.invited()} ; "
               f"lignes en erreur : {len(result.errors)}.")

commands = (backup_command, restore_command, import_members_command)
