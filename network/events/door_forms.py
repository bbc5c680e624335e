"""Forms of the door pages: search, walk-in, volunteers, printing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from network.core.forms import Form
from network.events.participants import ROLE_LABELS


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class SearchForm(Form):
    """A GET form: no CSRF token, nothing changes."""

    class Meta:
        csrf = False

    q = StringField(_l("Nom ou organisation"), validators=[Length(max=100)],
                    description=_l("Pour une personne sans son badge."),
                    render_kw={"autocomplete": "off", "spellcheck": "false",
                               "type": "search"})


class WalkInForm(Form):
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Indiquez le nom de la "
                                                              "personne.")), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    email = StringField(_l("Adresse e-mail"),
                        validators=[DataRequired(_l("Indiquez une adresse e-mail.")),
                                    Length(max=254)],
                        render_kw={"autocomplete": "off", "type": "email",
                                   "inputmode": "email"})
    organisation_name = StringField(_l("Organisation"), validators=[Optional(),
                                                                   Length(max=200)])
    organisation_kind = SelectField(_l("Type d'organisation"), choices=choices([
        ("", _l("Non précisé")), ("structure", _l("Structure de l'ESS")),
        ("buyer", _l("Entreprise ou collectivité"))]), default="")


class VolunteerForm(Form):
    name = StringField(_l("Nom du ou de la bénévole"),
                       validators=[DataRequired(_l("Indiquez le nom du ou de la bénévole.")),
                                   Length(max=120)])
    email = StringField(_l("Adresse e-mail"),
                        validators=[DataRequired(_l("Indiquez une adresse e-mail.")),
                                    Length(max=254)],
                        description=_l("Le lien d'accueil y est envoyé ; il ne sert que pour "
                                       "cet événement et expire après."),
                        render_kw={"type": "email", "inputmode": "email"})


def role_choices(empty: str) -> list[SelectChoice]:
    return choices([("", empty), *ROLE_LABELS.items()])


class PrintForm(Form):
    only_unprinted = BooleanField(_l("Seulement les badges pas encore imprimés"))
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    role = SelectField(_l("Rôle"), choices=role_choices(_l("Tous les rôles")))
    person = SelectField(_l("Une seule personne"), choices=[], validate_choice=False)


class RoleForm(Form):
    role = SelectField(_l("Rôle sur le badge"), choices=role_choices(_l("Selon l'organisation")))


class DeviceForm(Form):
    name = StringField(_l("Nom de l'appareil"),
                       validators=[DataRequired(_l("Donnez un nom à l'appareil (ex. « Téléphone "
                                                   "entrée A »).")), Length(max=120)],
                       description=_l("Le jeton n'est affiché qu'une fois ; il ne sert que pour "
                                      "cet événement, jusqu'à la fermeture de l'accueil."))
    volunteer = SelectField(_l("Pour le ou la bénévole"), validators=[Optional()],
                            validate_choice=False)
