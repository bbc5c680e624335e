"""Forum forms (exhibitors, stands, plan, job-dating, outcomes): they parse, services check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from network.core.forms import Form
from network.offers.forms import CheckboxesField, ChoiceField

NUMBER = _l("Un nombre entre 0 et 1000.")


class ExhibitorForm(Form):
    structure = ChoiceField(_l("Structure"), choices=[])
    offers = CheckboxesField(_l("Offres présentées sur le stand"), choices=[], coerce=int)
    note = TextAreaField(_l("Besoins pour le stand (facultatif)"), render_kw={"rows": 3},
                         description=_l("Électricité, accessibilité, nombre de personnes…"))


class AcceptForm(Form):
    stand_number = IntegerField(_l("Numéro de stand"), validators=[Optional()],
                                invalid_value_message=_l("Un numéro de stand entre 1 et 500."))


class PlanForm(Form):
    plan = FileField(_l("Plan de la salle (PNG, JPEG ou PDF, 5 Mo au plus)"))
    description = TextAreaField(
        _l("Le plan en texte, pour les lecteurs d'écran"), render_kw={"rows": 5},
        description=_l("Par exemple « Entrée côté parvis ; stands 1 à 6 le long du mur "
                       "gauche… »."))


class GuestLinkForm(Form):
    name = StringField(_l("Votre nom"), render_kw={"maxlength": 120, "autocomplete": "name"})
    email = EmailField(_l("Votre adresse e-mail"), render_kw={"autocomplete": "email"})


class SlotForm(Form):
    slot = IntegerField(_l("Créneau"), validators=[NumberRange(min=0, max=10_000)])


class WishForm(Form):
    priority = IntegerField(_l("Priorité"), validators=[NumberRange(min=0, max=3)])


def outcome_form(offers: list, data=None) -> Form:
    """One pair of counts per offer brought to the forum (field names carry the offer id)."""

    class OutcomeForm(Form):
        pass

    for offer in offers:
        setattr(OutcomeForm, f"hired_{offer.id}", StringField(
            _l("Personnes recrutées"), render_kw={"inputmode": "numeric", "maxlength": 4}))
        setattr(OutcomeForm, f"volunteers_{offer.id}", StringField(
            _l("Bénévoles accueilli·es"), render_kw={"inputmode": "numeric", "maxlength": 4}))
    return OutcomeForm(data=data)
