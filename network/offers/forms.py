"""Offer forms: the services validate (every bad field at once); these only parse input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from network.core.forms import Form
from network.offers.rules import ACCESSIBILITY_LABELS, ANSWER_LABELS, KIND_LABELS, WORK_MODE_LABELS

DATE_MESSAGE = _l("Saisissez une date, par exemple 15/01/2027.")


class ChoiceField(SelectField):
    """A select whose value the service checks (so the message is ours, in French)."""

    def pre_validate(self, form) -> None:
        pass


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:  # the service says which codes are wrong
        pass


class OfferForm(Form):
    kind = ChoiceField(_l("Type d'offre"), choices=[])
    title = StringField(_l("Intitulé"), render_kw={"maxlength": 160},
                        description=_l("Par exemple « Encadrant·e technique maraîchage » ou "
                                       "« Bénévole pour l'aide aux devoirs »."))
    description = TextAreaField(_l("Description de la mission"), render_kw={"rows": 10},
                                description=_l("Mise en forme Markdown : **gras**, listes avec "
                                               "« - », liens [texte](https://…)."))
    commune = StringField(_l("Commune"), render_kw={"maxlength": 120})
    postcode = StringField(_l("Code postal"), render_kw={"maxlength": 5, "inputmode": "numeric"})
    territory = ChoiceField(_l("Territoire"), choices=[])
    starts_on = DateField(_l("Début"), validators=[Optional()],
                          invalid_value_message=DATE_MESSAGE,
                          description=_l("Laissez vide pour « dès que possible »."))
    time_commitment = StringField(
        _l("Temps de travail ou d'engagement"), render_kw={"maxlength": 120},
        description=_l("Par exemple « 35 h par semaine », « 24 h, 8 mois » ou « 2 h le "
                       "mercredi »."))
    places = IntegerField(_l("Nombre de places"), default=1,
                          invalid_value_message=_l("Un nombre entre 1 et 1000."),
                          validators=[Optional(), NumberRange(
                              min=1, max=1000, message=_l("Un nombre entre 1 et 1000."))])
    work_mode = ChoiceField(_l("Lieu de la mission"),
                            choices=[SelectChoice(k.value, v)
                                     for k, v in WORK_MODE_LABELS.items()])
    accessibility = CheckboxesField(_l("Accessibilité et accueil"),
                                    choices=[SelectChoice(code, label) for code, label
                                             in ACCESSIBILITY_LABELS.items()])
    skills = StringField(_l("Compétences recherchées"), render_kw={"maxlength": 500},
                         description=_l("Séparées par des virgules."))
    closes_on = DateField(_l("Date limite pour répondre"), validators=[Optional()],
                          invalid_value_message=DATE_MESSAGE)

    def setup(self, territories) -> OfferForm:
        self.kind.choices = [SelectChoice("", _l("— choisir —"))] + [
            SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
        self.territory.choices = [SelectChoice("", _l("— choisir —"))] + [
            SelectChoice(t.code, t.name) for t in territories]
        return self


class _AnswerFields(Form):
    message = TextAreaField(_l("Votre message"), render_kw={"rows": 8, "maxlength": 5000},
                            description=_l("Présentez-vous, dites ce qui vous intéresse et "
                                           "vos disponibilités."))
    phone = StringField(_l("Téléphone (facultatif)"), render_kw={"autocomplete": "tel",
                                                                 "maxlength": 30})
    cv = FileField(_l("CV (PDF, facultatif)"), render_kw={"accept": "application/pdf"},
                   description=_l("Un fichier PDF de 2 Mo au plus. Il est supprimé "
                                  "automatiquement après la durée indiquée sur la page "
                                  "« Données personnelles »."))
    # Honeypot: hidden from people by CSS and aria-hidden; robots fill it in.
    website = StringField(_l("Laissez ce champ vide"), validators=[Optional()],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})


class AnswerForm(_AnswerFields):
    """With an account: name and address come from it."""


class GuestAnswerForm(_AnswerFields):
    name = StringField(_l("Prénom et nom"), render_kw={"autocomplete": "name",
                                                       "maxlength": 120})
    email = EmailField(_l("Adresse e-mail"), render_kw={"autocomplete": "email",
                                                        "maxlength": 254},
                       description=_l("Vous recevrez un lien pour confirmer votre réponse."))


class StatusForm(Form):
    status = ChoiceField(_l("État"), choices=[SelectChoice(s.value, label)
                                             for s, label in ANSWER_LABELS.items()])
    reason = TextAreaField(_l("Raison (obligatoire si non retenue, transmise à la personne)"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})


class UnpublishForm(Form):
    reason = TextAreaField(_l("Raison du retrait (transmise à la structure)"),
                           render_kw={"rows": 3, "maxlength": 2000})


class AlertForm(Form):
    email = EmailField(_l("Votre adresse e-mail"), render_kw={"autocomplete": "email",
                                                             "maxlength": 254})
