"""Directory forms: field messages in French; the services check everything again."""

from __future__ import annotations

from datetime import date

from flask import request
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

from network.core.forms import Form
from network.directory import validators
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
from network.directory.services import StructureData

REQUIRED = "Ce champ est obligatoire."


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


class StructureForm(Form):
    name = StringField("Nom de la structure", validators=[DataRequired(REQUIRED),
                                                          Length(max=200)])
    trade_name = StringField("Nom d'usage ou sigle", validators=[Length(max=200)])
    siret = StringField("SIRET", validators=[DataRequired(REQUIRED),
                                             _identifier(validators.normalize_siret)],
                        description="14 chiffres, sur l'avis de situation INSEE "
                                    "(annuaire-entreprises.data.gouv.fr).",
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    legal_form = SelectField("Forme juridique (code INSEE)", validators=[DataRequired(REQUIRED)],
                             choices=_choices([("", "— Choisissez —")] + [
                                 (k.value, f"{label} — {code}")
                                 for k, (label, code) in LEGAL_FORMS.items()]))
    coop_status = SelectField("Statut coopératif", choices=_choices((k.value, v) for k, v in
                                                            COOP_STATUSES.items()),
                              description="La SCIC n'a pas de code INSEE propre : indiquez-la "
                                          "ici.")
    rna = StringField("Numéro RNA", validators=[_identifier(validators.normalize_rna)],
                      description="Associations déclarées : W suivi de 9 caractères "
                                  "(W572001234).")
    local_register_number = StringField(
        "Numéro au registre des associations du tribunal",
        validators=[Length(max=60)],
        description="Associations de droit local (Alsace-Moselle), qui n'ont pas de RNA : "
                    "tribunal, volume et folio (« TJ Metz, Vol. 42 Folio 118 »).")
    buyer_kind = SelectField("Type de structure pour les acheteurs",
                             choices=_choices((k.value, v) for k, v in BUYER_KINDS.items()))
    address = StringField("Adresse", validators=[Length(max=200)],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField("Code postal", validators=[DataRequired(REQUIRED),
                                                      _identifier(validators.normalize_postcode)],
                           render_kw={"inputmode": "numeric", "autocomplete": "postal-code"})
    commune = StringField("Commune", validators=[DataRequired(REQUIRED), Length(max=120)],
                          render_kw={"autocomplete": "address-level2"})
    territory = SelectField("Territoire", choices=[])
    area_served = SelectField("Zone d'intervention", choices=_choices((k.value, v) for k, v in
                                                              AREAS_SERVED.items()),
                              default=AreaServed.TERRITOIRE.value)
    sectors = MultiCheckboxField("Secteurs d'activité", choices=[])
    categories = Field("Ce que vous vendez aux acheteurs")
    labels = Field("Labels et agréments")
    description = TextAreaField(
        "Présentation", validators=[Length(max=10_000)],
        description="Mise en forme Markdown : **gras**, listes avec « - », liens "
                    "[texte](https://…). Le HTML n'est pas accepté.")
    logo = FileField("Logo", validators=[FileSize(
        MAX_BYTES, message="Le logo ne doit pas dépasser 2 Mo : réduisez l'image et "
                           "réessayez.")],
        description="PNG, JPEG ou WebP, 2 Mo au plus.", render_kw={
            "accept": "image/png,image/jpeg,image/webp"})
    remove_logo = BooleanField("Supprimer le logo actuel")
    website = StringField("Site web", validators=[Length(max=300)],
                          render_kw={"placeholder": "https://", "inputmode": "url"})
    public_email = EmailField("E-mail de contact", validators=[Length(max=254)])
    public_phone = StringField("Téléphone de contact", validators=[Length(max=30)],
                               render_kw={"autocomplete": "tel"})
    show_contact = BooleanField("Afficher ce contact sur la fiche publique")
    employees_count = IntegerField("Nombre de salariés", validators=[
        Optional(), NumberRange(0, 100_000, "Indiquez un nombre entre 0 et 100 000.")])
    volunteers_count = IntegerField("Nombre de bénévoles", validators=[
        Optional(), NumberRange(0, 100_000, "Indiquez un nombre entre 0 et 100 000.")])
    client_references = TextAreaField("Références clients", validators=[Length(max=2000)],
                                      description="Quelques clients ou partenaires, "
                                                  "avec leur accord.")

    def setup(self, *, territories, sectors, categories, structure: Structure | None = None):
        """Choices from the staff-edited lists; on GET, the profile's values."""
        self.territory.choices = _choices([("", "— Non précisé —")] + [
            (t.code, t.name) for t in territories])
        self.sectors.choices = _choices(
            (s.code, s.name if s.parent_id is None else f"— {s.name}") for s in sectors)
        self.category_list = categories
        self.label_list = list(LABELS.items())
        self.service_kinds = list(SERVICE_KINDS.items())
        self.areas = list(AREAS_SERVED.items())
        self._offerings: dict[str, tuple[str, str]] = {}
        self._labels: dict[str, tuple[str, str]] = {}
        self.label_errors: list[str] = []
        if structure is not None and request.method == "GET":
            for name in ("name", "trade_name", "siret", "rna", "local_register_number",
                         "address", "postcode", "commune", "description", "website",
                         "public_email", "public_phone", "show_contact", "employees_count",
                         "volunteers_count", "client_references"):
                getattr(self, name).data = getattr(structure, name)
            self.legal_form.data = structure.legal_form.value
            self.coop_status.data = structure.coop_status.value
            self.buyer_kind.data = structure.buyer_kind.value
            self.area_served.data = structure.area_served.value
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
                    raise ValidationError(f"{LABELS[code]} : date invalide ({value}).")

    def validate_description(self, field):
        try:
            validators.check_markdown(field.data or "")
        except validators.InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from exc

    def to_data(self) -> StructureData:
        return StructureData(
            name=self.name.data or "", trade_name=self.trade_name.data or "",
            siret=self.siret.data or "", legal_form=self.legal_form.data or "",
            coop_status=self.coop_status.data or "none", rna=self.rna.data or "",
            local_register_number=self.local_register_number.data or "",
            buyer_kind=self.buyer_kind.data or "none", address=self.address.data or "",
            postcode=self.postcode.data or "", commune=self.commune.data or "",
            territory=self.territory.data or "", area_served=self.area_served.data,
            sectors=list(self.sectors.data or []),
            offerings=[(code, kind, area) for code, (kind, area) in self._offerings.items()],
            labels=[(code, _parse_date(a), _parse_date(b))
                    for code, (a, b) in self._labels.items()],
            description=self.description.data or "", website=self.website.data or "",
            public_email=self.public_email.data or "", public_phone=self.public_phone.data or "",
            show_contact=bool(self.show_contact.data),
            employees_count=self.employees_count.data,
            volunteers_count=self.volunteers_count.data,
            client_references=self.client_references.data or "",
        )

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


class ReasonForm(Form):
    reason = TextAreaField("Raison (envoyée à la structure)",
                           validators=[DataRequired(REQUIRED), Length(min=5, max=2000)])


class JoinForm(Form):
    message = TextAreaField("Message aux responsables (facultatif)",
                            validators=[Length(max=1000)])


class InviteForm(Form):
    email = EmailField("Adresse e-mail de la personne", validators=[DataRequired(REQUIRED),
                                                                     Length(max=254)])
    role = SelectField("Rôle", choices=_choices([
        ("editor", "Éditeur (modifie la fiche)"),
        ("owner", "Responsable (gère aussi les membres)")]))


class RoleForm(Form):
    role = SelectField("Rôle", choices=_choices([("editor", "Éditeur"), ("owner", "Responsable")]))


class ReferenceForm(Form):
    name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=120)])
    parent = SelectField("Secteur parent", choices=[], validate_choice=False)


def parent_choices(parents) -> list[SelectChoice]:
    return _choices([("", "— Aucun (secteur principal) —")] + [(p.code, p.name)
                                                              for p in parents])
