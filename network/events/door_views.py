"""The door: the scanner (staff and invited volunteers), door volunteers, printed badges and
sign-in sheets, and what a registered person sees (their badge PDF, the participants list,
the cancellation step). Views stay short; the rights are checked in the services."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.core.auth import staff_required
from network.core.errors import DomainError, PermissionDenied
from network.core.web import act, render_form, submit
from network.events import badges, checkin, door, participants, queries, rules, scans
from network.events.door_forms import (
    PrintForm,
    RoleForm,
    SearchForm,
    VolunteerForm,
    WalkInForm,
    choices,
)
from network.events.forms import CheckInForm
from network.events.models import Registration, RegistrationStatus
from network.extensions import db, login_manager

bp = Blueprint("door", __name__)


def _pdf(data: bytes, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "private, no-store"})


# --- who is at the door ---------------------------------------------------------------------

def _volunteer():
    return door.acting_from_session(session.get(door.SESSION_KEY))


def door_party(event) -> Any:
    """Staff, or this event's volunteer; anyone else is sent to log in or refused."""
    if current_user.is_authenticated and current_user.is_staff:
        return current_user._get_current_object()
    vol = _volunteer()
    if vol is not None and vol.event_id == event.id:
        return vol
    if vol is None and door.SESSION_KEY in session:
        raise PermissionDenied(_("Votre accès d'accueil a expiré ou a été retiré."),
                               "door_access_ended")
    if not current_user.is_authenticated and vol is None:
        abort(login_manager.unauthorized())
    raise PermissionDenied(_("Réservé à l'équipe d'accueil de cet événement."), "door_only")


def _event(event_id: int):
    return queries.get_visible_event(event_id, current_user)


# --- the scanner ------------------------------------------------------------------------------

def _result(reg: Registration | None, *, ok: bool, code: str, message: str, event) -> dict:
    """One answer for the scanner, the same shape for success and refusal."""
    level = "ok" if ok else ("warn" if code == "already_checked_in" else "error")
    data: dict[str, Any] = {"ok": ok, "code": code, "level": level, "message": message,
                            "attendance": checkin.attendance(event).text}
    if reg is not None and reg.event_id == event.id:
        data.update({
            "name": reg.name, "organisation": reg.organisation_name,
            "accessibility": reg.accessibility_needs if reg.status == RegistrationStatus.CONFIRMED
            else "",
            "badge": reg.badge_code,
            "time": checkin.hhmm(reg.checked_in_at) if reg.checked_in_at else None,
            "by": checkin.checked_in_by(reg) if reg.checked_in_at else None,
            "undo_url": url_for("door.undo", event_id=event.id, registration_id=reg.id)
            if ok else None})
    return data


def _scanner_page(event, acting, *, form=None, walk_form=None, status: int = 200,
                  result: dict | None = None):
    search = SearchForm(request.args)
    found = checkin.search(event, search.q.data or "", acting=acting) \
        if search.q.data and search.validate() else None
    return render_template(
        "events/checkin.html", event=event, checkin_form=form or CheckInForm(), search=search,
        found=found, walk_form=walk_form or WalkInForm(), empty_form=EmptyForm(),
        attendance=checkin.attendance(event).text, recent=checkin.recent_check_ins(event),
        acting=acting, is_volunteer=not getattr(acting, "is_authenticated", False),
        result=result, hhmm=checkin.hhmm), status


@bp.get("/accueil/<int:event_id>")
def scanner(event_id: int):
    event = _event(event_id)
    acting = door_party(event)
    return _scanner_page(event, acting, result=session.pop("door_result", None))


@bp.get("/accueil/sw.js")
def service_worker():
    """The door's service worker (static/js/door-sw.js), served from /accueil/ so that its
    scope is the door pages only: the scanner page opens offline once it has been opened."""
    from pathlib import Path

    script = Path(current_app.static_folder or "static", "js", "door-sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up at once
    response.headers["Service-Worker-Allowed"] = "/accueil/"
    return response


@bp.get("/evenements/gestion/<int:event_id>/accueil")
def old_scanner(event_id: int):
    return redirect(url_for("door.scanner", event_id=event_id), 301)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _answer(event, data: dict, status: int):
    if _wants_json():
        return data, status
    # No JavaScript: the same result area, shown once after the redirect.
    session["door_result"] = {k: data.get(k) for k in ("ok", "level", "message", "name",
                                                        "organisation", "accessibility",
                                                        "time", "by", "undo_url")}
    return redirect(url_for("door.scanner", event_id=event.id) + "#resultat")


def _page_device(event) -> tuple[Any, str | None]:
    """The scanner page's own device and the scan's client nonce, when the page sends both
    (checkin.js: `Authorization: Bearer <the page's token>` and a `nonce` field), so that a
    retried POST — the answer lost on the way back, the scan queued and uploaded again — is
    answered as a retry instead of letting the person in twice or turning them amber.
    Without them (no JavaScript, no token yet), the plain check-in."""
    from network.events import devices

    nonce = request.form.get("nonce")
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not nonce or not token or not 8 <= len(nonce) <= 64 or not nonce.isprintable():
        return None, None
    try:
        device = devices.authenticate(token)
    except devices.Unauthorized:
        return None, None
    if device.event_id != event.id:
        return None, None
    return device, nonce


def _scan_result(res: scans.ScanResult, event, acting: Any) -> dict:
    """The scanner's answer for a scan made through `scans.scan` (the page's nonce path)."""
    level = "ok" if res.ok else ("warn" if res.code == "already_checked_in" else "error")
    data: dict[str, Any] = {"ok": res.ok, "code": res.code, "level": level,
                            "message": res.message, "replayed": res.replayed,
                            "attendance": checkin.attendance(event).text}
    if res.registration_id is not None:
        data.update({
            "name": res.name, "organisation": res.organisation,
            "accessibility": res.accessibility, "badge": res.badge or None,
            "time": checkin.hhmm(res.checked_in_at) if res.checked_in_at else None,
            # who let them in: this very party when the scan admitted them
            "by": res.by or (getattr(acting, "name", None) if res.ok and not res.replayed
                             else None),
            "undo_url": url_for("door.undo", event_id=event.id,
                                registration_id=res.registration_id) if res.ok else None})
    return data


@bp.post("/accueil/<int:event_id>/scan")
def scan(event_id: int):
    """One endpoint for the camera (JSON) and the typed code or the search (a form post)."""
    event = _event(event_id)
    acting = door_party(event)
    form = CheckInForm()
    if not form.validate_on_submit():
        if _wants_json():
            return {"ok": False, "code": "invalid_form", "level": "error",
                    "message": _("Le formulaire a expiré : rechargez la page.")}, 400
        return _scanner_page(event, acting, form=form, status=422)
    device, nonce = _page_device(event)
    if nonce is not None:
        checkin.require_door(acting, event)
        res = scans.scan(event.id, form.code.data, acting=acting, device_id=device.id,
                           nonce=nonce)
        return _answer(event, _scan_result(res, event, acting), 200 if res.ok or res.replayed
                       else res.status)
    try:
        reg = checkin.check_in(event, form.code.data, acting=acting)
    except checkin.CheckInError as err:
        return _answer(event, _result(err.registration, ok=False, code=err.code,
                                      message=err.message, event=event), err.status)
    return _answer(event, _result(reg, ok=True, code="checked_in",
                                  message=_("Bienvenue %(name)s !", name=reg.name),
                                  event=event), 200)


@bp.post("/accueil/<int:event_id>/annuler/<int:registration_id>")
def undo(event_id: int, registration_id: int):
    event = _event(event_id)
    acting = door_party(event)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        reg = checkin.undo_check_in(event, registration_id, acting=acting)
    except checkin.CheckInError as err:
        return _answer(event, _result(None, ok=False, code=err.code, message=err.message,
                                      event=event), err.status)
    return _answer(event, {**_result(None, ok=False, code="undone", event=event,
                                     message=_("Entrée annulée : %(name)s.", name=reg.name)),
                           "level": "info"}, 200)


@bp.post("/accueil/<int:event_id>/sur-place")
def walk_in(event_id: int):
    event = _event(event_id)
    acting = door_party(event)
    form = WalkInForm()
    outcome = submit(form, lambda: checkin.walk_in(event, checkin.WalkIn(
        name=form.name.data, email=form.email.data,
        organisation_name=form.organisation_name.data or "",
        organisation_kind=form.organisation_kind.data or ""), acting=acting))
    if outcome.ok:
        reg = outcome.value
        return _answer(event, _result(reg, ok=True, code="checked_in", event=event,
                                      message=_("Inscrit·e sur place et entré·e : %(name)s.",
                                                name=reg.name)), 200)
    return _scanner_page(event, acting, walk_form=form,
                         status=422 if form.is_submitted() else 200)


@bp.get("/evenements/badge/<code>")
def badge(code: str):
    """Where a badge's QR code leads: the door team can check the person in, others see
    only which event it belongs to."""
    reg = checkin.get_by_code(badges.normalize(code) or "")
    if reg is None:
        abort(404)
    acting = current_user if current_user.is_authenticated else _volunteer()
    can = checkin.can_work_door(acting, reg.event)
    return render_template("events/badge_scanned.html", reg=reg, event=reg.event,
                           can_check_in=can, form=CheckInForm(code=reg.badge_code),
                           hhmm=checkin.hhmm)


# --- volunteers -------------------------------------------------------------------------------

@bp.get("/accueil/lien/<token>")
def volunteer_link(token: str):
    vol = door.open_link(token)
    session[door.SESSION_KEY] = door.session_value(vol)
    session.permanent = True
    flash(_("Bienvenue %(name)s : vous pouvez accueillir les participants de « %(title)s ».",
            name=vol.name, title=vol.event.title), "success")
    return redirect(url_for("door.scanner", event_id=vol.event_id))


@bp.post("/accueil/quitter")
def leave():
    if EmptyForm().validate_on_submit():
        session.pop(door.SESSION_KEY, None)
        flash(_("Vous avez quitté l'accueil sur cet appareil."), "success")
    return redirect(url_for("main.home"))


@bp.route("/accueil/<int:event_id>/benevoles", methods=["GET", "POST"])
@staff_required
def volunteers(event_id: int):
    event = _event(event_id)
    form = VolunteerForm()
    outcome = submit(form, lambda: door.invite(event, name=form.name.data,
                                               email=form.email.data, acting=current_user))
    if outcome.ok:
        flash(_("Invitation envoyée à %(email)s.", email=outcome.value.email), "success")
        return redirect(url_for("door.volunteers", event_id=event.id))
    return render_form("events/door_volunteers.html", form, event=event,
                       volunteers=door.list_volunteers(event), is_active=door.is_active,
                       until=checkin.door_open_until(event), empty_form=EmptyForm())


@bp.post("/accueil/benevoles/<int:volunteer_id>/retirer")
@staff_required
def revoke_volunteer(volunteer_id: int):
    vol = door.get_volunteer(volunteer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: door.revoke(vol, acting=current_user),
               to=url_for("door.volunteers", event_id=vol.event_id),
               done=_("Accès retiré à %(name)s.", name=vol.name))


# --- printing (staff) -------------------------------------------------------------------------

def _print_form(event) -> PrintForm:
    form = PrintForm()
    form.organisation.choices = choices([("", _("Toutes les organisations")),
                                         *[(o, o) for o in participants.organisations(event)]])
    form.person.choices = choices([("", _("Tout le monde")),
                                   *[(str(r.id), f"{r.name} — {r.organisation_name}"
                                      if r.organisation_name else r.name)
                                     for r in participants.confirmed(event)]])
    return form


@bp.route("/accueil/<int:event_id>/impression", methods=["GET", "POST"])
@staff_required
def printing(event_id: int):
    event = _event(event_id)
    form = _print_form(event)
    if form.validate_on_submit():
        person = form.person.data
        choice = participants.PrintChoice(
            only_unprinted=form.only_unprinted.data, organisation=form.organisation.data or "",
            role=form.role.data or "",
            registration_id=int(person) if person and person.isdigit() else None)
        try:
            pdf, count = participants.print_badges(event, choice, acting=current_user)
        except DomainError as err:
            from network.core.web import form_error

            form_error(form, err)
        else:
            if count:
                return _pdf(pdf, f"badges-{event.id}.pdf")
            flash(_("Aucun badge ne correspond à ce choix."), "error")
            form.person.errors = [_("Aucun badge ne correspond à ce choix.")]
    regs = participants.confirmed(event)
    return render_form("events/door_printing.html", form, event=event, regs=regs,
                       role_label=participants.role_label, role_of=participants.role_of,
                       role_form=RoleForm,
                       printed=sum(1 for r in regs if r.badge_printed_at))


@bp.post("/accueil/inscriptions/<int:registration_id>/role")
@staff_required
def set_role(registration_id: int):
    reg = queries.get_registration(registration_id)
    if reg is None:
        abort(404)
    form = RoleForm()
    to = url_for("door.printing", event_id=reg.event_id) + f"#inscription-{reg.id}"
    if not form.validate_on_submit():
        flash(_("Choisissez un rôle de la liste."), "error")
        return redirect(to)
    return act(lambda: participants.set_badge_role(reg, form.role.data or "",
                                                   acting=current_user),
               to=to, done=_("Rôle du badge enregistré pour %(name)s.", name=reg.name))


@bp.get("/accueil/<int:event_id>/emargement.pdf")
@staff_required
def signin_sheet(event_id: int):
    event = _event(event_id)
    return _pdf(participants.signin_sheet(event, acting=current_user),
                f"emargement-{event.id}.pdf")


# --- the registered person --------------------------------------------------------------------

def _reg(token: str) -> Registration:
    return queries.registration_from_token(token)


@bp.get("/evenements/inscription/<token>/badge.pdf")
def own_badge_pdf(token: str):
    reg = _reg(token)
    return _pdf(participants.own_badge_pdf(reg), "badge.pdf", inline=True)


@bp.get("/evenements/inscription/<token>/participants")
def participants_page(token: str):
    reg = _reg(token)
    people = participants.participants_for(reg)
    return render_template("events/participants.html", reg=reg, event=reg.event, token=token,
                           people=people, role_label=participants.role_label)


@bp.get("/evenements/inscription/<token>/participants.pdf")
def participants_pdf(token: str):
    reg = _reg(token)
    return _pdf(participants.participants_pdf(reg), f"participants-{reg.event_id}.pdf")


@bp.get("/evenements/inscription/<token>/annulation")
def cancel_step(token: str):
    """Cancelling asks first: this page holds the button that really cancels."""
    reg = _reg(token)
    return render_template("events/cancel_confirm.html", reg=reg, event=reg.event, token=token,
                           empty_form=EmptyForm())


@bp.get("/compte/participants/<int:registration_id>")
@login_required
def my_participants(registration_id: int):
    """From "Mon compte": the same list, reached through the person's own registration."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or (reg.user_id != current_user.id and reg.email != current_user.email):
        abort(404)
    return redirect(url_for("door.participants_page", token=rules.manage_token(reg)))


# --- devices (staff) and the page's own device ---------------------------------------------

@bp.post("/accueil/<int:event_id>/appareil")
def page_device(event_id: int):
    """The scanner page asks for a device token so that it can keep scanning offline."""
    from network.events import devices

    event = _event(event_id)
    acting = door_party(event)
    if not EmptyForm().validate_on_submit():
        return {"error": "invalid_form",
                "message": _("Le formulaire a expiré : rechargez la page.")}, 400
    dev, token = devices.issue_for_page(event, acting=acting)
    return {"token": token, "device": dev.name, "event_id": event.id}


@bp.route("/accueil/<int:event_id>/appareils", methods=["GET", "POST"])
@staff_required
def devices_page(event_id: int):
    from network.events import devices
    from network.events.door_forms import DeviceForm

    event = _event(event_id)
    form = DeviceForm()
    vols = door.list_volunteers(event)
    form.volunteer.choices = choices([("", _("Aucun (appareil partagé)")),
                                      *[(str(v.id), v.name) for v in vols]])
    new_token = None
    outcome = submit(form, lambda: devices.issue(
        event, name=form.name.data or "", acting=current_user,
        volunteer_id=int(form.volunteer.data) if (form.volunteer.data or "").isdigit()
        else None))
    if outcome.ok:
        new_token = outcome.value[1]
        form = DeviceForm(formdata=None)
        form.volunteer.choices = choices([("", _("Aucun (appareil partagé)")),
                                          *[(str(v.id), v.name) for v in vols]])
    return render_form("events/door_devices.html", form, event=event,
                       devices=devices.list_devices(event), new_token=new_token,
                       empty_form=EmptyForm(), hhmm=checkin.hhmm)


@bp.post("/accueil/appareils/<int:device_id>/retirer")
@staff_required
def revoke_device(device_id: int):
    from network.events import devices

    dev = devices.get_device(device_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: devices.revoke(dev, acting=current_user),
               to=url_for("door.devices_page", event_id=dev.event_id),
               done=_("Appareil retiré : %(name)s.", name=dev.name))


# --- live arrivals (staff) ----------------------------------------------------------------------

@bp.get("/accueil/<int:event_id>/arrivees")
@staff_required
def arrivals_page(event_id: int):
    from network.core import charts
    from network.events import arrivals

    event = _event(event_id)
    data = arrivals.arrivals(event, acting=current_user)
    return render_template("events/door_arrivals.html", event=event, data=data,
                           chart_svg=charts.svg(data.chart), hhmm=checkin.hhmm)


@bp.get("/accueil/<int:event_id>/arrivees.csv")
@staff_required
def arrivals_csv(event_id: int):
    from network.events import arrivals

    event = _event(event_id)
    return Response(arrivals.csv_export(event, acting=current_user),
                    mimetype="text/csv; charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="arrivees-{event.id}.csv"',
                        "Cache-Control": "private, no-store"})
