"""Event pages, registration, calendar feeds and the staff pages (under /gestion)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.core.auth import staff_required
from network.core.errors import DomainError
from network.core.time import paris_to_utc, to_paris
from network.core.web import form_error
from network.events import badges, checkin, forms, services
from network.events.models import (
    KIND_LABELS,
    EventKind,
    EventStatus,
    RegistrationStatus,
)
from network.events.territories import territories
from network.extensions import limiter
from network.outbox.preview import remember_preview

bp = Blueprint("events", __name__, url_prefix="/evenements")

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.app_context_processor
def account_helpers():
    """For the account page (not ours): the person's registrations, computed only if used."""

    def my_registrations():
        if not current_user.is_authenticated:
            return []
        return services.list_for_user(current_user)

    return {"events_my_registrations": my_registrations,
            "events_manage_token": services.manage_token}


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _ics(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="text/calendar", content_type=ICS_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


# --- public pages --------------------------------------------------------------------------

@bp.get("/")
def index():
    kind = request.args.get("type") or None
    territory = request.args.get("territoire") or None
    events = services.list_upcoming(kind=kind, territory=territory)
    feed_url = url_for("events.feed", type=kind, territoire=territory, _external=True)
    return render_template("events/index.html", events=events, kinds=KIND_LABELS,
                           territories=territories(), kind=kind, territory=territory,
                           feed_url=feed_url, webcal_url=webcal(feed_url))


def _json_ld(event) -> str:
    status = {EventStatus.CANCELLED: "EventCancelled"}.get(event.status, "EventScheduled")
    data = {
        "@context": "https://schema.org", "@type": "Event", "name": event.title,
        "description": event.subtitle or event.title,
        "startDate": to_paris(event.start_at).isoformat(),
        "endDate": to_paris(event.end_at).isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": event.venue_name or event.territory_label,
                     "address": {"@type": "PostalAddress",
                                 "streetAddress": event.venue_address,
                                 "addressRegion": "Moselle", "addressCountry": "FR"}},
        "organizer": {"@type": "Organization", "name": event.organiser or "Réseau ESS Moselle",
                      "url": url_for("main.home", _external=True)},
        "url": url_for("events.detail", event_id=event.id, _external=True),
        "isAccessibleForFree": True,
    }
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left
    if event.partners:
        data["sponsor"] = [{"@type": "Organization", "name": p.strip()}
                           for p in event.partners.split(",") if p.strip()]
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _detail_page(event, form=None, status: int = 200):
    if form is None:
        if current_user.is_authenticated:
            form = forms.RegistrationForm(obj=services.prefill(current_user))
        else:
            form = forms.GuestRegistrationForm()
    mine = None
    if current_user.is_authenticated:
        mine = next((r for r, _ in services.list_for_user(current_user)
                     if r.event_id == event.id), None)
    ics_url = url_for("events.event_ics", event_id=event.id, _external=True)
    return render_template(
        "events/detail.html", event=event, form=form, mine=mine,
        position=services.waitlist_position(mine) if mine else None,
        description_html=services.render_description(event.description),
        json_ld=_json_ld(event), ics_url=ics_url, webcal_url=webcal(ics_url),
        contact=services.contact(), empty_form=EmptyForm(),
        open_problem=_open_problem(event)), status


def _open_problem(event) -> str | None:
    from network.core.time import utcnow

    try:
        services.check_open(event, now=utcnow(), user=current_user)
    except DomainError as err:
        return err.message
    return None


@bp.get("/<int:event_id>")
def detail(event_id: int):
    return _detail_page(services.get_visible_event(event_id, current_user))


@bp.post("/<int:event_id>/inscription")
@limiter.limit("30 per minute;300 per hour")
def register(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    signed_in = current_user.is_authenticated
    form = forms.RegistrationForm() if signed_in else forms.GuestRegistrationForm()
    if not form.validate_on_submit():
        return _detail_page(event, form, 422)
    if signed_in:
        answers = services.prefill(current_user)
    else:
        answers = services.Answers(name=form.name.data, email=form.email.data)
    for name in ("organisation_name", "role", "accessibility_needs", "dietary_needs",
                 "consents_to_list", "consents_to_photos"):
        value = getattr(form, name).data
        if value not in (None, "") or name.startswith("consents"):
            setattr(answers, name, value if not isinstance(value, str) else value.strip())
    try:
        outcome = services.register(event, answers, user=current_user if signed_in else None)
    except DomainError as err:
        form_error(form, err)
        return _detail_page(event, form, 409 if err.status == 400 else err.status)
    remember_preview(outcome.registration.email)
    flash(_outcome_message(outcome), "success")
    return redirect(url_for("events.detail", event_id=event.id) + "#mon-inscription"
                    if signed_in else url_for("events.check_inbox", event_id=event.id))


def _outcome_message(outcome: services.Outcome) -> str:
    reg = outcome.registration
    if outcome.result == "confirmed":
        return "Votre inscription est confirmée. Vous allez recevoir une invitation pour votre " \
               "agenda par courriel."
    if outcome.result == "pending":
        return (f"Presque fini : ouvrez le lien envoyé à {reg.email} pour confirmer. Votre "
                f"place est réservée {services.setting('EVENTS_GUEST_HOLD_MINUTES')} minutes.")
    if outcome.result == "waitlisted":
        return ("L'événement est complet : vous êtes sur la liste d'attente, en position "
                f"{services.waitlist_position(reg)}. Nous vous écrirons si une place se libère.")
    return (f"Vous êtes déjà inscrit·e avec l'adresse {reg.email} ({reg.status_label.lower()}) : "
            "nous vous avons renvoyé le courriel. Aucune place supplémentaire n'a été prise.")


@bp.get("/<int:event_id>/verifiez-vos-courriels")
def check_inbox(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    return render_template("events/check_inbox.html", event=event)


@bp.route("/<int:event_id>/groupe", methods=["GET", "POST"])
@login_required
def group(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    form = forms.GroupForm()
    if form.validate_on_submit():
        try:
            people = services.parse_people(form.people.data)
            outcomes = services.group_register(event, current_user, people,
                                               role=form.role.data or "")
        except DomainError as err:
            form_error(form, err)
        else:
            summary = ", ".join(f"{o.registration.name} : {o.registration.status_label.lower()}"
                                for o in outcomes)
            flash(f"Inscriptions enregistrées — {summary}.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/group.html", event=event, form=form), \
        422 if form.errors else 200


@bp.get("/confirmer/<token>")
def confirm(token: str):
    try:
        reg = services.confirm_guest(token)
    except DomainError as err:
        return render_template("events/token_error.html", message=err.message), \
            400 if err.status == 400 else err.status
    return render_template("events/confirmed.html", reg=reg, event=reg.event,
                           token=services.manage_token(reg),
                           position=services.waitlist_position(reg))


def _reg_from_token(token: str):
    try:
        return services.registration_from_token(token), None
    except DomainError as err:
        return None, (render_template("events/token_error.html", message=err.message), 400)


@bp.get("/inscription/<token>")
def manage(token: str):
    reg, error = _reg_from_token(token)
    if error:
        return error
    return render_template("events/manage.html", reg=reg, event=reg.event, token=token,
                           position=services.waitlist_position(reg), empty_form=EmptyForm())


@bp.post("/inscription/<token>/annuler")
def manage_cancel(token: str):
    reg, error = _reg_from_token(token)
    if error:
        return error
    if EmptyForm().validate_on_submit():
        services.cancel_registration(reg)
        flash("Votre inscription est annulée. Merci de nous avoir prévenus : la place va à la "
              "personne suivante.", "success")
    return redirect(url_for("events.manage", token=token))


@bp.post("/inscription/<token>/accepter")
def accept(token: str):
    reg, error = _reg_from_token(token)
    if error:
        return error
    if EmptyForm().validate_on_submit():
        try:
            services.accept_offer(reg)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash("C'est confirmé : la place est à vous. L'invitation arrive par courriel.",
                  "success")
    return redirect(url_for("events.manage", token=token))


@bp.post("/mes-inscriptions/<int:registration_id>/annuler")
@login_required
def cancel_mine(registration_id: int):
    if EmptyForm().validate_on_submit():
        services.cancel_own(current_user, registration_id)
        flash("Votre inscription est annulée.", "success")
    return redirect(request.form.get("from") == "event" and request.referrer
                    or url_for("accounts.account"))


# --- calendar --------------------------------------------------------------------------------

@bp.get("/<int:event_id>/agenda.ics")
def event_ics(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    return _ics(services.event_ics(event), f"evenement-{event.id}.ics")


@bp.get("/agenda.ics")
def feed():
    return _ics(services.public_feed(kind=request.args.get("type"),
                                     territory=request.args.get("territoire")), "agenda.ics")


@bp.get("/agenda/<token>.ics")
def personal_feed(token: str):
    return _ics(services.personal_feed(token), "mon-agenda.ics")


# --- staff -----------------------------------------------------------------------------------

@bp.get("/gestion/")
@staff_required
def staff_index():
    return render_template("events/staff_index.html", events=services.list_all_events(),
                           empty_form=EmptyForm())


def _data_from(form: forms.EventForm) -> services.EventData:
    def utc(value):
        return paris_to_utc(value) if value else None

    return services.EventData(
        kind=EventKind(form.kind.data), title=form.title.data or "",
        start_at=utc(form.start_at.data), end_at=utc(form.end_at.data),
        territory=form.territory.data, subtitle=form.subtitle.data or "",
        description=form.description.data or "", venue_name=form.venue_name.data or "",
        venue_room=form.venue_room.data or "", venue_address=form.venue_address.data or "",
        organiser=form.organiser.data or "", partners=form.partners.data or "",
        capacity=form.capacity.data, registration_opens_at=utc(form.registration_opens_at.data),
        registration_closes_at=utc(form.registration_closes_at.data),
        is_members_only=form.is_members_only.data,
        asks_organisation=form.asks_organisation.data,
        asks_accessibility=form.asks_accessibility.data, asks_dietary=form.asks_dietary.data,
        asks_list_consent=form.asks_list_consent.data,
        asks_photo_consent=form.asks_photo_consent.data)


def _form_for(event) -> forms.EventForm:
    form = forms.EventForm(obj=event)
    if request.method == "GET":
        for name in ("start_at", "end_at", "registration_opens_at", "registration_closes_at"):
            value = getattr(event, name)
            getattr(form, name).data = to_paris(value).replace(tzinfo=None) if value else None
        form.kind.data = event.kind.value
    return form


@bp.route("/gestion/nouveau", methods=["GET", "POST"])
@staff_required
def staff_new():
    form = forms.EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(_data_from(form))
        except DomainError as err:
            form_error(form, err)
        else:
            flash("Événement créé en brouillon. Publiez-le quand il est prêt.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/edit.html", form=form, event=None), \
        422 if form.errors else 200


@bp.route("/gestion/<int:event_id>/modifier", methods=["GET", "POST"])
@staff_required
def staff_edit(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    form = _form_for(event)
    if form.validate_on_submit():
        try:
            services.update_event(event, _data_from(form))
        except DomainError as err:
            form_error(form, err)
        else:
            flash("Événement enregistré.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/edit.html", form=form, event=event), \
        422 if form.errors else 200


@bp.post("/gestion/<int:event_id>/<any(publier, annuler, dupliquer):action>")
@staff_required
def staff_action(event_id: int, action: str):
    event = services.get_visible_event(event_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "publier":
        services.publish_event(event)
        flash("Événement publié.", "success")
    elif action == "annuler":
        services.cancel_event(event)
        flash("Événement annulé : chaque inscrit·e reçoit l'annulation pour son agenda.",
              "success")
    else:
        event = services.duplicate_event(event)
        flash("Copie créée en brouillon : modifiez les dates puis publiez.", "success")
        return redirect(url_for("events.staff_edit", event_id=event.id))
    return redirect(url_for("events.detail", event_id=event.id))


@bp.get("/gestion/<int:event_id>/inscriptions")
@staff_required
def staff_registrations(event_id: int, add_form=None, message_form=None, status: int = 200):
    event = services.get_visible_event(event_id, current_user)
    q = request.args.get("q", "")
    regs = services.list_registrations(event, q)
    return render_template(
        "events/staff_registrations.html", event=event, q=q,
        rows=[(r, services.waitlist_position(r)) for r in regs],
        figures=services.figures(event), add_form=add_form or forms.StaffAddForm(),
        message_form=message_form or forms.MessageForm(), empty_form=EmptyForm(),
        statuses=RegistrationStatus), status


@bp.get("/gestion/<int:event_id>/inscriptions.csv")
@staff_required
def staff_csv(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    return Response(services.registrations_csv(event), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="inscriptions-{event.id}.csv"'})


@bp.post("/gestion/<int:event_id>/inscriptions/ajouter")
@staff_required
def staff_add(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    form = forms.StaffAddForm()
    if form.validate_on_submit():
        answers = services.Answers(
            name=form.name.data, email=form.email.data,
            organisation_name=form.organisation_name.data or "", role=form.role.data or "",
            accessibility_needs=form.accessibility_needs.data or "",
            dietary_needs=form.dietary_needs.data or "",
            consents_to_list=form.consents_to_list.data,
            consents_to_photos=form.consents_to_photos.data)
        try:
            outcome = services.register(event, answers, registered_by=current_user)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(f"{outcome.registration.name} : {outcome.registration.status_label.lower()}.",
                  "success")
            return redirect(url_for("events.staff_registrations", event_id=event.id))
    return staff_registrations(event_id, add_form=form, status=422)


@bp.post("/gestion/inscriptions/<int:registration_id>/<any(confirm, waitlist, cancel, present, "
         "absent):action>")
@staff_required
def staff_registration_action(registration_id: int, action: str):
    reg = services.get_registration(registration_id)
    if reg is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.staff_set_status(reg, action)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"{reg.name} : {reg.status_label.lower()}.", "success")
    return redirect(url_for("events.staff_registrations", event_id=reg.event_id))


@bp.post("/gestion/<int:event_id>/message")
@staff_required
def staff_message(event_id: int):
    event = services.get_visible_event(event_id, current_user)
    form = forms.MessageForm()
    if form.validate_on_submit():
        try:
            n = services.message_all(event, form.subject.data, form.body.data)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(f"Message mis dans la boîte d'envoi pour {n} personne(s).", "success")
            return redirect(url_for("events.staff_registrations", event_id=event.id))
    return staff_registrations(event_id, message_form=form, status=422)


# --- badges and check-in at the door --------------------------------------------------------

def _badge_reg(token: str):
    reg, error = _reg_from_token(token)
    if error is None and reg.status != RegistrationStatus.CONFIRMED:
        error = (render_template("events/token_error.html", message=(
            "Le badge n'existe que pour une inscription confirmée.")), 404)
    return reg, error


@bp.get("/inscription/<token>/badge")
def my_badge(token: str):
    reg, error = _badge_reg(token)
    if error:
        return error
    return render_template("events/badge.html", reg=reg, event=reg.event, token=token,
                           code=badges.display(reg.badge_code))


@bp.get("/inscription/<token>/badge.png")
def my_badge_png(token: str):
    reg, error = _badge_reg(token)
    if error:
        return error
    return Response(checkin.badge_png(reg), mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


# The badge's QR target, the scanner and the door pages: network/events/door_views.py (door:).
