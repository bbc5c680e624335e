"""The one base class of the site's forms: rules every field of a kind obeys, written once.

`Form` is `FlaskForm` plus, bound to every field when a form is built:
- a date or date-time outside 1900–2100 is refused at the field (year 1 or 9999 parse, then
  overflow the time-zone conversion or any arithmetic on them: a 500 before this rule);
- an integer field refuses what no database column holds (beyond ±2³¹ − 1).
Domain forms subclass it instead of `FlaskForm`.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, DateTimeLocalField, IntegerField
from wtforms.validators import StopValidation

MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_INTEGER = 2**31 - 1

DATE_FIELDS = (DateField, DateTimeField, DateTimeLocalField)


def int_or_zero(value) -> int:
    """`coerce` for a select of ids: garbage or an id no column holds becomes 0, which no
    row has, so the service refuses it at the field in French (WTForms' own coercion error
    is English and generic)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if -MAX_INTEGER <= number <= MAX_INTEGER else 0


def date_in_range(form, field) -> None:
    value = field.data
    if isinstance(value, date | datetime) and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise StopValidation(str(_l("Saisissez une date entre %(start)s et %(end)s.",
                                    start=MIN_YEAR, end=MAX_YEAR)))


def integer_in_range(form, field) -> None:
    value = field.data
    if isinstance(value, int) and not -MAX_INTEGER <= value <= MAX_INTEGER:
        raise StopValidation(str(_l("Ce nombre est beaucoup trop grand.")))


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, DATE_FIELDS):
                field.validators = [*field.validators, date_in_range]
            elif isinstance(field, IntegerField):
                field.validators = [*field.validators, integer_in_range]
            return field
