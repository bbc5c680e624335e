"""Staff "Boîte d'envoi": every mail, its status and last error; plus the development preview."""

from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.accounts.forms import EmptyForm
from network.core.auth import is_staff, staff_required
from network.core.web import act, page_arg
from network.outbox import preview as mail_preview
from network.outbox import services
from network.outbox.models import OutboxStatus, mail_language

bp = Blueprint("outbox", __name__, url_prefix="/boite-envoi")
bp.add_app_template_global(mail_language, "mail_language")
bp.after_app_request(mail_preview._after_request)


def _can_read(message) -> bool:
    return is_staff(current_user) or mail_preview.may_read(message.id)


@bp.get("/")
@staff_required
def index():
    status_arg = request.args.get("statut", "")
    status = OutboxStatus(status_arg) if status_arg in OutboxStatus._value2member_map_ else None
    search = request.args.get("q", "")
    page = services.list_messages(status=status, search=search, page=page_arg())
    return render_template("outbox/index.html", page=page, status=status_arg, q=search,
                           statuses=OutboxStatus, form=EmptyForm())


@bp.get("/<int:message_id>")
def detail(message_id: int):
    message = services.get_message(message_id)
    if message is None or not _can_read(message):
        abort(404)
    return render_template("outbox/detail.html", message=message, form=EmptyForm())


@bp.get("/<int:message_id>/piece-jointe/<int:index>")
def attachment(message_id: int, index: int):
    message = services.get_message(message_id)
    if message is None or not _can_read(message) or index >= len(message.attachments or []):
        abort(404)
    item = message.attachments[index]
    return Response(base64.b64decode(item["data"]), mimetype=item["content_type"].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{item["filename"]}"'})


@bp.post("/<int:message_id>/renvoyer")
@staff_required
def retry(message_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.retry(message_id, acting=current_user),
               to=url_for("outbox.detail", message_id=message_id),
               done=_("Le message est de nouveau en file d'envoi."))


@bp.get("/apercu")
def preview():
    """Mails this browser caused (development, no SMTP), as preview.py's rule allows."""
    if not mail_preview.preview_enabled():
        abort(404)
    messages = services.list_by_ids(mail_preview.shown_ids())
    messages.sort(key=lambda m: m.id, reverse=True)
    return render_template("outbox/preview.html", messages=messages)
