"""Event forms: French messages at the field; the services check again what matters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from network.core.forms import Form
from network.core.time import paris_to_utc, to_paris
from network.events import territories
from network.events.models import KIND_LABELS, EventKind
from network.events.staff import DATE_FIELDS, FIRST_YEAR, LAST_YEAR, EventData

REQUIRED = "Ce champ est obligatoire."
DT_FORMAT = "%Y-%m-%dT%H:%M"
DT_MESSAGE = "Saisissez une date et une heure, par exemple 02/12/2026 16:30."


def _plausible_year(_form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise FieldError(_l("Choisissez une date entre %(a)s et %(b)s.", a=FIRST_YEAR,
                            b=LAST_YEAR))


def _dt(label: str, required: bool = True, **kw):
    validators = [DataRequired(DT_MESSAGE)] if required else [Optional()]
    return DateTimeLocalField(label, format=DT_FORMAT, validators=[*validators, _plausible_year],
                              **kw)


class EventForm(Form):
    kind = SelectField("Type d'événement",
                       choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    subtitle = StringField("Sous-titre", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20000)],
                                description="Mise en forme Markdown : **gras**, listes, liens.")
    start_at = _dt("Début (heure de Paris)")
    end_at = _dt("Fin (heure de Paris)")
    venue_name = StringField("Lieu", validators=[Optional(), Length(max=200)])
    venue_room = StringField("Salle", validators=[Optional(), Length(max=200)])
    venue_address = StringField("Adresse", validators=[Optional(), Length(max=300)])
    # Choices come from the directory's staff-editable list when the form is built.
    territory_id = SelectField("Territoire", choices=[], coerce=int,
                               validators=[DataRequired(REQUIRED)])
    organiser = StringField("Organisateur", validators=[Optional(), Length(max=200)])
    partners = StringField("Partenaires", validators=[Optional(), Length(max=500)],
                           description="Séparés par des virgules.")
    capacity = IntegerField("Jauge (nombre de places)",
                            validators=[Optional(), NumberRange(min=0, max=100000,
                                        message="Un nombre entre 0 et 100 000.")],
                            description="Laissez vide pour un nombre de places illimité.")
    registration_opens_at = _dt("Ouverture des inscriptions", required=False,
                                description="Vide : dès la publication.")
    registration_closes_at = _dt("Clôture des inscriptions", required=False,
                                 description="Vide : au début de l'événement.")
    is_members_only = BooleanField("Réservé aux membres du réseau")
    asks_organisation = BooleanField("Demander l'organisation et la fonction", default=True)
    asks_accessibility = BooleanField("Demander les besoins d'accessibilité", default=True)
    asks_dietary = BooleanField("Demander le régime alimentaire (petits-déjeuners)")
    asks_list_consent = BooleanField("Demander l'accord pour la liste des participants",
                                     default=True)
    asks_photo_consent = BooleanField("Demander l'accord pour les photos", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        places = territories.list_territories(active_only=True)
        current = territories.get(self.territory_id.data) if isinstance(
            self.territory_id.data, int) else None
        if current is not None and current not in places:  # deactivated since: keep it
            places.append(current)
        self.territory_id.choices = [SelectChoice(t.id, t.name) for t in places]

    def load(self, event) -> None:
        """Show an event's times in Paris time (the form's datetime fields are naive)."""
        for name in DATE_FIELDS:
            value = getattr(event, name)
            getattr(self, name).data = to_paris(value).replace(tzinfo=None) if value else None
        self.kind.data = event.kind.value

    def to_data(self) -> EventData:
        """The form's fields are EventData's, by name: the list is written once."""
        values = {}
        for name in EventData.names():
            value = getattr(self, name).data
            if name in DATE_FIELDS:
                value = paris_to_utc(value) if value else None
            elif isinstance(value, str):
                value = value or ""
            values[name] = value
        values["kind"] = EventKind(values["kind"])
        return EventData(**values)


class RegistrationForm(Form):
    """The questions; for signed-in people they come pre-filled from the profile."""

    organisation_name = StringField("Organisation", validators=[Optional(), Length(max=200)],
                                    render_kw={"autocomplete": "organization"})
    role = StringField("Fonction", validators=[Optional(), Length(max=120)],
                       render_kw={"autocomplete": "organization-title"})
    accessibility_needs = TextAreaField(
        "Besoins d'accessibilité", validators=[Optional(), Length(max=500)],
        description="Par exemple : accès en fauteuil, boucle magnétique, interprète LSF.")
    dietary_needs = StringField("Régime alimentaire", validators=[Optional(), Length(max=300)],
                                description="Végétarien, sans gluten, allergies…")
    consents_to_list = BooleanField(
        "J'accepte de figurer sur la liste des participants remise aux autres participants")
    consents_to_photos = BooleanField("J'accepte d'être pris·e en photo pendant l'événement")


class GuestRegistrationForm(RegistrationForm):
    name = StringField("Prénom et nom", validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Adresse e-mail", validators=[
        DataRequired(REQUIRED), Length(max=254),
        Email(message="Saisissez une adresse e-mail valide, par exemple "
                      "prenom.nom@exemple.fr.", check_deliverability=False)],
        render_kw={"autocomplete": "email"})


class StaffAddForm(GuestRegistrationForm):
    pass


class GroupForm(Form):
    people = TextAreaField(
        "Collègues à inscrire", validators=[DataRequired(REQUIRED), Length(max=20000)],
        description="Une personne par ligne : Prénom Nom <adresse e-mail>.")
    role = StringField("Fonction (facultatif)", validators=[Optional(), Length(max=120)])


class MessageForm(Form):
    subject = StringField("Objet", validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(REQUIRED), Length(max=10000)])


class CheckInForm(Form):
    """The code under the QR, typed by hand when the camera cannot read the badge."""

    code = StringField("Code du badge", validators=[DataRequired("Saisissez le code du badge."),
                                                    Length(max=200)],
                       description="8 lettres et chiffres, par exemple ABCD-EF23.",
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})
