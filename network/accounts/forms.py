"""Account forms: field-level French messages; the services re-check what matters."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from network.core.forms import Form

REQUIRED = "Ce champ est obligatoire."
EMAIL = Email(message="Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr.",
              check_deliverability=False)


class SignUpForm(Form):
    name = StringField("Prénom et nom", validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), EMAIL,
                                                     Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(
        "Mot de passe", validators=[DataRequired(REQUIRED)],
        description="Au moins 10 caractères ; une phrase de plusieurs mots est idéale.",
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        "Confirmez le mot de passe",
        validators=[DataRequired(REQUIRED),
                    EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")],
        render_kw={"autocomplete": "new-password"},
    )
    accept_privacy = BooleanField(
        "J'ai lu la politique de confidentialité",
        validators=[DataRequired("Vous devez accepter la politique de confidentialité.")],
    )


class LoginForm(Form):
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), EMAIL],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Mot de passe", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Se souvenir de moi")
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), EMAIL],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(Form):
    password = PasswordField("Nouveau mot de passe", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(
        "Confirmez le mot de passe",
        validators=[DataRequired(REQUIRED),
                    EqualTo("password", message="Les deux mots de passe ne sont pas identiques.")],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})


class ChangeEmailForm(Form):
    email = EmailField("Nouvelle adresse e-mail", validators=[DataRequired(REQUIRED), EMAIL],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class DeleteAccountForm(Form):
    password = PasswordField("Mot de passe actuel", validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(
        "Je comprends que mon compte et mes données seront supprimés définitivement",
        validators=[DataRequired("Cochez la case pour confirmer la suppression.")],
    )


class EmptyForm(Form):
    """Buttons that POST (log out, resend, language): CSRF only."""
