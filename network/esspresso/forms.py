"""ESSpresso forms: field checks only; the services decide (and name every bad field)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import widgets as w
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from network.core.forms import Form, int_or_zero
from network.esspresso.rules import AMOUNTS, BUYER_TYPES, PRIORITIES, RESERVATIONS, TIMINGS


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = w.ListWidget(prefix_label=False)
    option_widget = w.CheckboxInput()


class BuyerForm(Form):
    name = StringField(_l("Nom de l'organisation"), validators=[Length(max=200)])
    buyer_type = SelectField(_l("Type d'acheteur"),
                             choices=choices((k.value, v) for k, v in BUYER_TYPES.items()),
                             validate_choice=False)
    siret = StringField(_l("SIRET"), validators=[Length(max=40)],
                        description=_l("14 chiffres, sur l'avis de situation INSEE."))
    naf_code = StringField(_l("Code NAF (APE)"), validators=[Length(max=10)],
                           description=_l("Obligatoire pour une entreprise, par exemple 62.01Z."))
    postcode = StringField(_l("Code postal"), validators=[Length(max=10)])
    commune = StringField(_l("Commune"), validators=[Length(max=120)])
    territory = SelectField(_l("Territoire"), choices=[], validate_choice=False)
    website = StringField(_l("Site web"), validators=[Length(max=300)])
    description = TextAreaField(_l("Présentation (facultatif)"), validators=[Length(max=2000)])


class PresenceMixin:
    arrives = TimeField(_l("Heure d'arrivée"), validators=[Optional()],
                        description=_l("Laissez vide si vous êtes là dès le début."))
    leaves = TimeField(_l("Heure de départ"), validators=[Optional()],
                       description=_l("Laissez vide si vous restez jusqu'à la fin."))
    max_meetings = IntegerField(_l("Nombre maximum de rendez-vous"),
                                validators=[Optional(), NumberRange(min=1, max=96)])


class NeedForm(Form):
    category_id = SelectField(_l("Catégorie d'achat"), coerce=int_or_zero, choices=[],
                              validate_choice=False)
    description = TextAreaField(_l("Votre besoin"), validators=[Length(max=2000)],
                                description=_l("Quoi, combien, où : quelques lignes suffisent."))
    amount = SelectField(_l("Montant estimé"),
                         choices=choices((k.value, v) for k, v in AMOUNTS.items()),
                         default="inconnu", validate_choice=False)
    timing = SelectField(_l("Échéance"), choices=choices((k.value, v) for k, v in TIMINGS.items()),
                         default="6-mois", validate_choice=False)
    need_territory = SelectField(_l("Territoire concerné"), choices=[], validate_choice=False)
    reservation = SelectField(_l("Type de marché"),
                              choices=choices((k.value, v) for k, v in RESERVATIONS.items()),
                              validate_choice=False)
    has_social_clause = BooleanField(_l("Le marché comporte une clause sociale d'insertion"))


class BuyerRegistrationForm(PresenceMixin, NeedForm):
    organisation_id = SelectField(_l("Organisation acheteuse"), coerce=int_or_zero,
                                  choices=[], validate_choice=False)


class SupplierRegistrationForm(PresenceMixin, Form):
    organisation_id = SelectField(_l("Structure"), coerce=int_or_zero, choices=[],
                                  validate_choice=False)
    categories = MultiCheckboxField(_l("Vos offres (issues de votre fiche)"),
                                    coerce=int_or_zero, choices=[], validate_choice=False)


class PresenceForm(PresenceMixin, Form):
    pass


class BookingForm(Form):
    slot = RadioField(_l("Créneau"), coerce=int_or_zero, choices=[], validate_choice=False,
                      validators=[InputRequired(message=_l("Choisissez un créneau."))])
    as_participant = HiddenField()


class WishForm(Form):
    target = HiddenField(validators=[DataRequired()])
    priority = SelectField(_l("Souhait"), coerce=int_or_zero,
                           choices=choices([(0, _l("Pas de souhait"))]
                                           + [(k, _l("%(p)s – %(label)s", p=k, label=v))
                                              for k, v in PRIORITIES.items()]))


class ReasonForm(Form):
    reason = StringField(_l("Motif (facultatif)"), validators=[Length(max=500)])


class SessionForm(Form):
    event_id = SelectField(_l("Événement ESSpresso"), coerce=int_or_zero, choices=[],
                           validate_choice=False)
    slot_minutes = IntegerField(_l("Durée d'un créneau (minutes)"), default=20,
                                validators=[InputRequired(), NumberRange(min=5, max=240)])
    tables_count = IntegerField(_l("Nombre de tables"), default=30,
                                validators=[InputRequired(), NumberRange(min=1, max=500)])
    break_starts = TimeField(_l("Début de la pause"), validators=[Optional()])
    break_ends = TimeField(_l("Fin de la pause"), validators=[Optional()])
    booking_opens_at = DateTimeLocalField(
        _l("Ouverture des réservations"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description=_l("Vide : les entreprises réservent dès la création de la session."))
    booking_closes_at = DateTimeLocalField(_l("Fin des réservations"), format="%Y-%m-%dT%H:%M",
                                           validators=[Optional()])
    wishes_close_at = DateTimeLocalField(_l("Date limite des souhaits"),
                                         format="%Y-%m-%dT%H:%M", validators=[Optional()])


class OrganiserForm(Form):
    email = StringField(_l("Adresse e-mail du compte"), validators=[DataRequired(),
                                                                    Length(max=254)])


# --- the day in the room, outcomes ----------------------------------------------------------------


class AttendanceForm(Form):
    attendance = HiddenField()


class WalkInForm(Form):
    """An organiser seats a buyer and a supplier on a free table during the session."""

    buyer = SelectField(_l("Acheteur"), coerce=int_or_zero, choices=[], validate_choice=False)
    supplier = SelectField(_l("Fournisseur ESS"), coerce=int_or_zero, choices=[],
                           validate_choice=False)
    slot = SelectField(_l("Créneau"), coerce=int_or_zero, choices=[], validate_choice=False)
    table = IntegerField(_l("Table (vide : la première libre)"),
                         validators=[Optional(), NumberRange(min=1, max=500, message=_l(
                             "Une table entre 1 et 500."))])


class MoveForm(Form):
    slot = SelectField(_l("Nouveau créneau"), coerce=int_or_zero, choices=[],
                       validate_choice=False)
    table = IntegerField(_l("Nouvelle table"), validators=[InputRequired(message=_l(
        "Indiquez une table.")), NumberRange(min=1, max=500, message=_l(
            "Une table entre 1 et 500."))])


class OutcomeForm(Form):
    meeting = HiddenField()
    was_held = RadioField(_l("Le rendez-vous a-t-il eu lieu ?"),
                          choices=choices([("oui", _l("Oui")), ("non", _l("Non"))]),
                          validators=[InputRequired(message=_l(
                              "Dites si le rendez-vous a eu lieu."))])
    follow_up = SelectField(_l("Suite"), choices=[], validate_choice=False)
    amount = SelectField(_l("Montant envisagé (facultatif)"), choices=[],
                         validate_choice=False)
