"""Account forms: field-level French messages; the services re-check what matters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.validators import ValidationError as FormError

from network.core.errors import ValidationError
from network.core.text import check_email

REQUIRED = _l("Ce champ est obligatoire.")


def one_mailbox(form, field) -> None:
    """The one e-mail rule (core.text.check_email): no list, no display name, no formula."""
    if field.data:
        try:
            field.data = check_email(field.data)
        except ValidationError as err:
            raise FormError(err.message) from err


def email_field(label) -> EmailField:
    return EmailField(label, validators=[DataRequired(REQUIRED), Length(max=254), one_mailbox],
                      render_kw={"autocomplete": "email"})


def new_password_fields(label=None):
    password = PasswordField(
        label or _l("Mot de passe"), validators=[DataRequired(REQUIRED)],
        description=_l("Au moins 10 caractères ; une phrase de plusieurs mots est idéale."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[DataRequired(REQUIRED),
                    EqualTo("password", message=_l("Les deux mots de passe ne sont pas "
                                                   "identiques."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class SignUpForm(FlaskForm):
    name = StringField(_l("Prénom et nom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = email_field(_l("Adresse e-mail"))
    password, password_confirm = new_password_fields()
    accept_privacy = BooleanField(
        _l("J'ai lu la politique de confidentialité"),
        validators=[DataRequired(_l("Vous devez accepter la politique de confidentialité."))],
    )


class LoginForm(FlaskForm):
    email = email_field(_l("Adresse e-mail"))
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Se souvenir de moi"))
    next = HiddenField()


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code de vérification"), validators=[DataRequired(REQUIRED), Length(max=64)],
        description=_l("Les 6 chiffres affichés par votre application d'authentification, "
                       "ou l'un de vos codes de secours."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("Adresse e-mail"))


class ResetPasswordForm(FlaskForm):
    password, password_confirm = new_password_fields(_l("Nouveau mot de passe"))


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(_l("Mot de passe actuel"),
                                     validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("Nouvelle adresse e-mail"))
    password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(
        _l("Je comprends que mon compte et mes données seront supprimés définitivement"),
        validators=[DataRequired(_l("Cochez la case pour confirmer la suppression."))],
    )


class EmptyForm(FlaskForm):
    """Buttons that POST (log out, resend, language): CSRF only."""
