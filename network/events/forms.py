"""Event forms: messages at the field, in the page's language; the services check again
what matters."""

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

from network.core.forms import Form, int_or_zero
from network.core.time import paris_to_utc, to_paris
from network.events import territories
from network.events.models import KIND_LABELS, EventKind
from network.events.staff import DATE_FIELDS, FIRST_YEAR, LAST_YEAR, EventData

REQUIRED = _l("Ce champ est obligatoire.")
DT_FORMAT = "%Y-%m-%dT%H:%M"
DT_MESSAGE = _l("Saisissez une date et une heure, par exemple 02/12/2026 16:30.")


def _plausible_year(_form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise FieldError(_l("Choisissez une date entre %(a)s et %(b)s.", a=FIRST_YEAR,
                            b=LAST_YEAR))


def _dt(label, required: bool = True, **kw):
    validators = [DataRequired(DT_MESSAGE)] if required else [Optional()]
    return DateTimeLocalField(label, format=DT_FORMAT, validators=[*validators, _plausible_year],
                              **kw)


class EventForm(Form):
    kind = SelectField(_l("Type d'événement"),
                       choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
                       validators=[DataRequired(REQUIRED)])
    title = StringField(_l("Titre"), validators=[DataRequired(REQUIRED), Length(max=200)])
    subtitle = StringField(_l("Sous-titre"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                description=_l("Mise en forme Markdown : **gras**, listes, liens."))
    start_at = _dt(_l("Début (heure de Paris)"))
    end_at = _dt(_l("Fin (heure de Paris)"))
    venue_name = StringField(_l("Nom du lieu"), validators=[Optional(), Length(max=200)])
    venue_room = StringField(_l("Salle"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Adresse postale"), validators=[Optional(), Length(max=300)])
    # Choices come from the directory's staff-editable list when the form is built.
    territory_id = SelectField(_l("Territoire"), choices=[], coerce=int,
                               validators=[DataRequired(REQUIRED)])
    organiser = StringField(_l("Organisateur"), validators=[Optional(), Length(max=200)])
    partners = StringField(_l("Partenaires"), validators=[Optional(), Length(max=500)],
                           description=_l("Séparés par des virgules."))
    capacity = IntegerField(_l("Jauge (nombre de places)"),
                            validators=[Optional(), NumberRange(min=0, max=100000,
                                        message=_l("Un nombre entre 0 et 100 000."))],
                            description=_l("Laissez vide pour un nombre de places illimité."))
    registration_opens_at = _dt(_l("Ouverture des inscriptions"), required=False,
                                description=_l("Vide : dès la publication."))
    registration_closes_at = _dt(_l("Clôture des inscriptions"), required=False,
                                 description=_l("Vide : au début de l'événement."))
    is_members_only = BooleanField(_l("Réservé aux membres du réseau"))
    asks_organisation = BooleanField(_l("Demander l'organisation et la fonction"), default=True)
    asks_accessibility = BooleanField(_l("Demander les besoins d'accessibilité"), default=True)
    asks_dietary = BooleanField(_l("Demander le régime alimentaire (petits-déjeuners)"))
    asks_list_consent = BooleanField(_l("Demander l'accord pour la liste des participants"),
                                     default=True)
    asks_photo_consent = BooleanField(_l("Demander l'accord pour les photos"), default=True)

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

    organisation_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                                    render_kw={"autocomplete": "organization"})
    role = StringField(_l("Fonction"), validators=[Optional(), Length(max=120)],
                       render_kw={"autocomplete": "organization-title"})
    accessibility_needs = TextAreaField(
        _l("Besoins d'accessibilité"), validators=[Optional(), Length(max=500)],
        description=_l("Par exemple : accès en fauteuil, boucle magnétique, interprète LSF."))
    dietary_needs = StringField(_l("Régime alimentaire"), validators=[Optional(), Length(max=300)],
                                description=_l("Végétarien, sans gluten, allergies…"))
    consents_to_list = BooleanField(
        _l("J'accepte de figurer sur la liste des participants remise aux autres participants"))
    consents_to_photos = BooleanField(_l("J'accepte d'être pris·e en photo pendant l'événement"))


class GuestRegistrationForm(RegistrationForm):
    name = StringField(_l("Prénom et nom"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Adresse e-mail"), validators=[
        DataRequired(REQUIRED), Length(max=254),
        Email(message=_l("Saisissez une adresse e-mail valide, par exemple "
                      "prenom.nom@exemple.fr."), check_deliverability=False)],
        render_kw={"autocomplete": "email"})


class StaffAddForm(GuestRegistrationForm):
    pass


class GroupForm(Form):
    # Shown when the member belongs to several structures of the network.
    organisation_id = SelectField(_l("Au nom de la structure"), coerce=int_or_zero, choices=[],
                                  validate_choice=False)
    people = TextAreaField(
        _l("Collègues à inscrire"), validators=[DataRequired(REQUIRED), Length(max=20000)],
        description=_l("Une personne par ligne : Prénom Nom <adresse e-mail>."))
    role = StringField(_l("Fonction (facultatif)"), validators=[Optional(), Length(max=120)])


class MessageForm(Form):
    subject = StringField(_l("Objet"), validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(REQUIRED), Length(max=10000)])


class CheckInForm(Form):
    """The code under the QR, typed by hand when the camera cannot read the badge."""

    code = StringField(_l("Code du badge"),
                       validators=[DataRequired(_l("Saisissez le code du badge.")),
                                   Length(max=200)],
                       description=_l("8 lettres et chiffres, par exemple ABCD-EF23."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false"})
