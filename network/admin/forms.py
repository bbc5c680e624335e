"""Back-office forms (labels through lazy_gettext; the services check the values again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from network.admin.broadcast import legal_form_choices
from network.core.forms import Form
from network.directory.models import Sector, Territory
from network.extensions import db


class BroadcastForm(Form):
    territory = SelectField(_l("Territoire"), default="", validate_choice=False)
    sector = SelectField(_l("Secteur"), default="", validate_choice=False)
    legal_form = SelectField(_l("Forme juridique"), default="", validate_choice=False)
    subject = StringField(_l("Objet"), validators=[
        DataRequired(_l("Indiquez un objet.")), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Indiquez un message.")), Length(max=20_000)])
    preview = SubmitField(_l("Compter les destinataires"))
    send = SubmitField(_l("Envoyer"))

    def fill_choices(self) -> None:
        everyone = [("", str(_l("Tous")))]
        self.territory.choices = everyone + [
            (t.code, t.name) for t in db.session.scalars(
                select(Territory).where(Territory.is_active).order_by(Territory.position))]
        self.sector.choices = everyone + [
            (s.code, s.label) for s in db.session.scalars(
                select(Sector).where(Sector.is_active, Sector.parent_id.is_(None))
                .order_by(Sector.position))]
        self.legal_form.choices = everyone + legal_form_choices()

    def filters(self) -> dict[str, str]:
        return {"territory": (self.territory.data or "")[:60],
                "sector": (self.sector.data or "")[:60],
                "legal_form": (self.legal_form.data or "")[:60]}


class NewsForm(Form):
    subscribed = BooleanField(_l("Je souhaite recevoir les nouvelles du réseau par courriel "
                                 "(vous pouvez vous désabonner à tout moment)"))


class ImportForm(Form):
    """Step 1 sends the file (preview); step 2 sends the same bytes back (hidden) to import."""

    event = SelectField(_l("Événement"), coerce=int, validate_choice=False)
    file = FileField(_l("Fichier CSV (export du formulaire, Excel « CSV séparateur "
                        "point-virgule » ou UTF-8)"))
    payload = HiddenField()
    send_mail = BooleanField(_l("Envoyer à chaque personne ajoutée sa confirmation et son "
                                "badge"), default=True)
    preview = SubmitField(_l("Vérifier le fichier"))
    confirm = SubmitField(_l("Importer"))

    def fill_choices(self) -> None:
        from network.admin.imports import importable_events
        from network.core.i18n import when

        self.event.choices = [(e.id, f"{e.title} — {when(e.start_at, 'shortdate')}")
                              for e in importable_events()]

    def raw(self) -> bytes | None:
        import base64
        import binascii

        if self.payload.data:
            try:
                return base64.b64decode(self.payload.data, validate=True)
            except (binascii.Error, ValueError):
                return None
        if self.file.data:
            from network.admin.imports import MAX_BYTES

            return self.file.data.read(MAX_BYTES + 1)
        return None


class MemberImportForm(Form):
    """The member list: step 1 sends the file (preview), step 2 the same bytes (hidden)."""

    file = FileField(_l("Fichier CSV de la liste des membres (Excel « CSV séparateur "
                        "point-virgule » ou UTF-8)"))
    payload = HiddenField()
    preview = SubmitField(_l("Vérifier le fichier"))
    confirm = SubmitField(_l("Importer"))

    raw = ImportForm.raw
