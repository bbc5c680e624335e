"""The rules the directory's job modules share: who may do what, the history, owners' mail.

Job modules (profiles, membership, reference, search, exports) import from here and never
from each other's private parts; nothing here imports a job module, so there is no circle.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from network.accounts import services as accounts
from network.accounts.models import Organisation, OrgRole, User
from network.core.auth import require
from network.core.errors import FieldErrors, NotFound, ValidationError
from network.directory.models import Structure, StructureChange
from network.extensions import db
from network.outbox import services as outbox


def invalid(message: str, code: str, field_name: str) -> ValidationError:
    return ValidationError(message, code, field=field_name)


def check_all(errors: FieldErrors) -> None:
    """Refuse once with every faulty field; the first one is also `field` (and `code`)."""
    if errors:
        field_name, messages = next(iter(errors.errors.items()))
        raise ValidationError(messages[0], errors.codes[0], field=field_name,
                              errors=errors.errors)


def no_nul(value: str | None) -> bool:
    """PostgreSQL refuses NUL in text: such input is refused at its field, never stored."""
    return "\x00" not in (value or "")


# --- reading ----------------------------------------------------------------------------------


def get_structure(structure_id: int) -> Structure:
    structure = db.session.get(Structure, structure_id)
    if structure is None:
        raise NotFound(_("Cette structure n'existe pas."), "structure_not_found")
    return structure


def role_of(user: Any, structure: Structure) -> OrgRole | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role_in(structure.organisation_id)


def can_edit(user: Any, structure: Structure) -> bool:
    return accounts.can_edit(user, structure.organisation_id)


def can_manage(user: Any, structure: Structure) -> bool:
    return accounts.can_manage_members(user, structure.organisation_id)


# --- rights -----------------------------------------------------------------------------------


def require_edit(acting: Any, structure: Structure) -> None:
    require(can_edit(acting, structure),
            _("Seuls les membres de cette structure et l'équipe du réseau peuvent modifier "
              "sa fiche."))


def require_manage(acting: Any, structure: Structure) -> None:
    require(can_manage(acting, structure),
            _("Seuls les responsables de la structure peuvent faire cela."))


# --- history and mail ---------------------------------------------------------------------------


def log_change(structure: Structure, acting: Any, what: str, old: Any, new: Any) -> None:
    user_id = acting.id if isinstance(acting, User) else None
    db.session.add(StructureChange(structure_id=structure.id, user_id=user_id, field=what,
                                   old_value=old, new_value=new))


def staff_address() -> str:
    return current_app.config["DIRECTORY_STAFF_EMAIL"]


def staff_locale() -> str | None:
    """The team's mailbox reads French unless an account holding it chose a language: not
    the language of whoever registered the structure."""
    return None if accounts.get_user_by_email(staff_address()) is not None else "fr"


def owner_emails(structure: Structure) -> list[str]:
    org = db.session.get(Organisation, structure.organisation_id)
    return [m.user.email for m in org.members if m.role == OrgRole.OWNER]


def mail_owners(structure: Structure, template: str, subject_text: Any, **context: Any) -> None:
    """`subject_text`: a lazy string, rendered in each owner's language by the outbox."""
    for email in owner_emails(structure):
        outbox.enqueue(email, template, subject=subject_text,
                       context={"structure": structure, **context})

