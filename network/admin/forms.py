"""Back-office forms (labels through lazy_gettext; the services check the values again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.admin.broadcast import legal_form_choices
from network.directory.models import Sector, Territory
from network.extensions import db


class BroadcastForm(FlaskForm):
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
            (s.code, s.name) for s in db.session.scalars(
                select(Sector).where(Sector.is_active, Sector.parent_id.is_(None))
                .order_by(Sector.position))]
        self.legal_form.choices = everyone + legal_form_choices()

    def filters(self) -> dict[str, str]:
        return {"territory": (self.territory.data or "")[:60],
                "sector": (self.sector.data or "")[:60],
                "legal_form": (self.legal_form.data or "")[:60]}


class NewsForm(FlaskForm):
    subscribed = BooleanField(_l("Je souhaite recevoir les nouvelles du réseau par courriel "
                                 "(vous pouvez vous désabonner à tout moment)"))
