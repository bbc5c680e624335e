"""Directory forms: labels and messages lazy (the page's language); the services check
everything again."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network.core.errors import ValidationError as DomainValidationError
from network.core.forms import Form
from network.core.text import check_markdown
from network.directory import validators
from network.directory.fields import BY_NAME, SCALAR_FIELDS, StructureData
from network.directory.images import MAX_BYTES
from network.directory.models import (
    AREAS_SERVED,
    BUYER_KINDS,
    COOP_STATUSES,
    LABELS,
    LEGAL_FORMS,
    SERVICE_KINDS,
    AreaServed,
    ServiceKind,
    Structure,
)

REQUIRED = _l("Ce champ est obligatoire.")
COUNT_RANGE = _l("Indiquez un nombre entre 0 et 100 000.")


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _identifier(check):
    def validate(_form, field):
        if field.data:
            try:
                check(field.data)
            except validators.InvalidIdentifier as exc:
                raise ValidationError(str(exc)) from exc
    return validate


def label(name: str) -> str:
    """The field's label, from the one declaration (`fields.FIELDS`)."""
    return BY_NAME[name].label


def length(name: str) -> Length:
    """At most the column's size, from the one declaration (`fields.FIELDS`)."""
    size = BY_NAME[name].max_length
    return Length(max=size, message=_l("%(n)s caractères au plus.", n=size))


class StructureForm(Form):
    name = StringField(label("name"), validators=[DataRequired(REQUIRED), length("name")])
    trade_name = StringField(label("trade_name"), validators=[length("trade_name")])
    siret = StringField(label("siret"), validators=[DataRequired(REQUIRED),
                                             _identifier(validators.normalize_siret)],
                        description=_l("14 chiffres, sur l'avis de situation INSEE "
                                       "(annuaire-entreprises.data.gouv.fr)."),
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    legal_form = SelectField(label("legal_form"), validators=[DataRequired(REQUIRED)],
                             choices=[])
    coop_status = SelectField(label("coop_status"), choices=_choices((k.value, v) for k, v in
                                                            COOP_STATUSES.items()),
                              description=_l("La SCIC n'a pas de code INSEE propre : "
                                             "indiquez-la ici."))
    rna = StringField(label("rna"), validators=[_identifier(validators.normalize_rna)],
                      description=_l("Associations déclarées : W suivi de 9 caractères "
                                     "(W572001234)."))
    local_register_number = StringField(
        label("local_register_number"), validators=[length("local_register_number")],
        description=_l("Associations de droit local (Alsace-Moselle), qui n'ont pas de "
                       "RNA : tribunal, volume et folio (« TJ Metz, Vol. 42 Folio 118 »)."))
    buyer_kind = SelectField(label("buyer_kind"),
                             choices=_choices((k.value, v) for k, v in BUYER_KINDS.items()))
    address = StringField(label("address"), validators=[length("address")],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField(label("postcode"), validators=[DataRequired(REQUIRED),
                                                      _identifier(validators.normalize_postcode)],
                           render_kw={"inputmode": "numeric", "autocomplete": "postal-code"})
    commune = StringField(label("commune"), validators=[DataRequired(REQUIRED), length("commune")],
                          render_kw={"autocomplete": "address-level2"})
    territory = SelectField(label("territory"), choices=[])
    area_served = SelectField(label("area_served"), choices=_choices((k.value, v) for k, v in
                                                              AREAS_SERVED.items()),
                              default=AreaServed.TERRITOIRE.value)
    sectors = MultiCheckboxField(label("sectors"), choices=[])
    categories = Field(label("offerings"))
    labels = Field(label("labels"))
    description = TextAreaField(
        label("description"), validators=[length("description")],
        description=_l("Mise en forme Markdown : **gras**, listes avec « - », liens "
                       "[texte](https://…). Le HTML n'est pas accepté."))
    logo = FileField(_l("Logo"), validators=[FileSize(
        MAX_BYTES, message=_l("Le logo ne doit pas dépasser 2 Mo : réduisez l'image et "
                              "réessayez."))],
        description=_l("PNG, JPEG ou WebP, 2 Mo au plus."), render_kw={
            "accept": "image/png,image/jpeg,image/webp"})
    remove_logo = BooleanField(_l("Supprimer le logo actuel"))
    website = StringField(label("website"), validators=[length("website")],
                          render_kw={"placeholder": "https://", "inputmode": "url"})
    public_email = EmailField(label("public_email"), validators=[length("public_email")])
    public_phone = StringField(label("public_phone"), validators=[length("public_phone")],
                               render_kw={"autocomplete": "tel"})
    show_contact = BooleanField(label("show_contact"))
    employees_count = IntegerField(label("employees_count"), validators=[
        Optional(), NumberRange(0, 100_000, COUNT_RANGE)])
    volunteers_count = IntegerField(label("volunteers_count"), validators=[
        Optional(), NumberRange(0, 100_000, COUNT_RANGE)])
    client_references = TextAreaField(label("client_references"),
                                      validators=[length("client_references")],
                                      description=_l("Quelques clients ou partenaires, "
                                                     "avec leur accord."))

    def setup(self, *, territories, sectors, categories, structure: Structure | None = None):
        """Choices from the staff-edited lists; on GET, the profile's values."""
        self.legal_form.choices = _choices([("", _("— Choisissez —"))] + [
            (k.value, f"{label} — {code}") for k, (label, code) in LEGAL_FORMS.items()])
        self.territory.choices = _choices([("", _("— Non précisé —"))] + [
            (t.code, t.label) for t in territories])
        self.sectors.choices = _choices(
            (s.code, s.label if s.parent_id is None else f"— {s.label}") for s in sectors)
        self.category_list = categories
        self.label_list = list(LABELS.items())
        self.service_kinds = list(SERVICE_KINDS.items())
        self.areas = list(AREAS_SERVED.items())
        self._offerings: dict[str, tuple[str, str]] = {}
        self._labels: dict[str, tuple[str, str]] = {}
        self.label_errors: list[str] = []
        if structure is not None and request.method == "GET":
            for spec in SCALAR_FIELDS:
                value = getattr(structure, spec.name)
                getattr(self, spec.name).data = value.value if spec.kind == "choice" else value
            self.territory.data = structure.territory.code if structure.territory else ""
            self.sectors.data = [s.code for s in structure.sectors]
            self._offerings = {o.category.code: (o.service_kind.value, o.area_served.value)
                               for o in structure.offerings}
            self._labels = {lab.label: (_iso(lab.obtained_on), _iso(lab.expires_on))
                            for lab in structure.labels}
            # Inactive categories the profile still uses stay visible.
            codes = {c.code for c in categories}
            self.category_list = categories + [o.category for o in structure.offerings
                                               if o.category.code not in codes]
        elif request.method == "POST":
            form = request.form
            for c in self.category_list:
                if form.get(f"achat-{c.code}"):
                    self._offerings[c.code] = (form.get(f"achat-{c.code}-type", ""),
                                               form.get(f"achat-{c.code}-zone", ""))
            for code, _label in self.label_list:
                if form.get(f"label-{code}"):
                    self._labels[code] = (form.get(f"label-{code}-obtenu", ""),
                                          form.get(f"label-{code}-expire", ""))
        return self

    def offering(self, code: str) -> tuple[bool, str, str]:
        kind, area = self._offerings.get(code, (ServiceKind.SERVICE.value, ""))
        return code in self._offerings, kind, area or self.area_served.data or "territoire"

    def label_state(self, code: str) -> tuple[bool, str, str]:
        obtained, expires = self._labels.get(code, ("", ""))
        return code in self._labels, obtained, expires

    def validate_labels(self, field):
        for code, (obtained, expires) in self._labels.items():
            for value in (obtained, expires):
                if value and _parse_date(value) is None:
                    raise ValidationError(_("%(label)s : date invalide (%(value)s).",
                                            label=LABELS[code], value=value))

    def validate_description(self, field):
        try:
            check_markdown(field.data or "", max_length=BY_NAME["description"].max_length)
        except DomainValidationError as exc:
            raise ValidationError(exc.message) from exc

    def to_data(self) -> StructureData:
        """The round trip of the one declaration: every scalar field as typed, plus the
        territory, sectors, offerings and labels this form lays out itself."""
        values = {}
        for spec in SCALAR_FIELDS:
            data = getattr(self, spec.name).data
            if spec.kind == "flag":
                data = bool(data)
            elif spec.kind != "count":
                data = data or spec.default
            values[spec.name] = data
        return StructureData(
            **values, territory=self.territory.data or "",
            sectors=list(self.sectors.data or []),
            offerings=[(code, kind, area) for code, (kind, area) in self._offerings.items()],
            labels=[(code, _parse_date(a), _parse_date(b))
                    for code, (a, b) in self._labels.items()])

    def logo_bytes(self) -> bytes | None:
        data = self.logo.data
        if data is None or not getattr(data, "filename", ""):
            return None
        return data.read()


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ReasonForm(Form):  # sizes: profiles.MAX_REASON, membership.MAX_MESSAGE
    reason = TextAreaField(_l("Raison (envoyée à la structure)"),
                           validators=[DataRequired(REQUIRED), Length(min=5, max=2000)])


class JoinForm(Form):
    message = TextAreaField(_l("Message aux responsables (facultatif)"),
                            validators=[Length(max=1000)])


class InviteForm(Form):
    email = EmailField(_l("Adresse e-mail de la personne"),
                       validators=[DataRequired(REQUIRED), Length(max=254)])
    role = SelectField(_l("Rôle"), choices=_choices([
        ("editor", _l("Éditeur·rice (modifie la fiche)")),
        ("owner", _l("Responsable (gère aussi les membres)"))]))


class RoleForm(Form):
    role = SelectField(_l("Rôle"), choices=_choices([("editor", _l("Éditeur·rice")),
                                                    ("owner", _l("Responsable"))]))


class ReferenceForm(Form):
    name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=120)])
    parent = SelectField(_l("Secteur parent"), choices=[], validate_choice=False)


def parent_choices(parents) -> list[SelectChoice]:
    return _choices([("", _("— Aucun (secteur principal) —"))] + [(p.code, p.label)
                                                                 for p in parents])
