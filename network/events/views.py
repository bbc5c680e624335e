"""Event pages, registration, a guest's links and calendar feeds; the staff pages (under
/evenements/gestion) live in `staff_views.py` on the same blueprint."""

from __future__ import annotations

import json

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.core.time import to_paris, utcnow
from network.core.tokens import TokenError
from network.core.web import act, render_form, submit
from network.events import (
    badges,
    calendar,
    checkin,
    forms,
    guests,
    queries,
    registration,
    rules,
    staff_views,  # noqa: F401 (the staff pages, on the same blueprint)
)
from network.events.blueprint import bp
from network.events.models import KIND_LABELS, EventStatus, RegistrationStatus
from network.events.territories import territories
from network.extensions import limiter

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.app_context_processor
def account_helpers():
    """For the account page (not ours): the person's registrations, computed only if used."""

    def my_registrations():
        if not current_user.is_authenticated:
            return []
        return queries.list_for_user(current_user)

    return {"events_my_registrations": my_registrations,
            "events_manage_token": rules.manage_token}


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _ics(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="text/calendar", content_type=ICS_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


def _acting():
    return current_user if current_user.is_authenticated else rules.VISITOR


# --- public pages --------------------------------------------------------------------------

@bp.get("/")
def index():
    kind = request.args.get("type") or None
    territory = request.args.get("territoire") or None
    events = queries.list_upcoming(kind=kind, territory=territory)
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
        "organizer": {"@type": "Organization",
                      "name": event.organiser or current_app.config["SITE_NAME"],
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


def _detail_page(event, form=None):
    if form is None:
        if current_user.is_authenticated:
            form = forms.RegistrationForm(obj=registration.prefill(current_user))
        else:
            form = forms.GuestRegistrationForm()
    mine = None
    if current_user.is_authenticated:
        mine = next((r for r, _pos in queries.list_for_user(current_user)
                     if r.event_id == event.id), None)
    ics_url = url_for("events.event_ics", event_id=event.id, _external=True)
    return render_form(
        "events/detail.html", form, event=event, mine=mine,
        position=queries.waitlist_position(mine) if mine else None,
        description_html=queries.render_description(event.description),
        json_ld=_json_ld(event), ics_url=ics_url, webcal_url=webcal(ics_url),
        contact=rules.contact(), empty_form=EmptyForm(),
        open_problem=_open_problem(event),
        unverified=current_user.is_authenticated and not current_user.is_verified,
        may_group=rules.is_member(current_user))


def _open_problem(event) -> str | None:
    return registration.open_problem(event, now=utcnow(), acting=_acting())


@bp.get("/<int:event_id>")
def detail(event_id: int):
    return _detail_page(queries.get_visible_event(event_id, current_user))


ANSWER_FIELDS = ("organisation_name", "role", "accessibility_needs", "dietary_needs",
                 "consents_to_list", "consents_to_photos")


def _answers(form) -> registration.Answers:
    if current_user.is_authenticated:
        answers = registration.prefill(current_user)
    else:
        answers = registration.Answers(name=form.name.data, email=form.email.data)
    for name in ANSWER_FIELDS:
        value = getattr(form, name).data
        if value not in (None, "") or name.startswith("consents"):
            setattr(answers, name, value if not isinstance(value, str) else value.strip())
    return answers


@bp.post("/<int:event_id>/inscription")
@limiter.limit("30 per minute;300 per hour")
def register(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    signed_in = current_user.is_authenticated
    form = forms.RegistrationForm() if signed_in else forms.GuestRegistrationForm()
    done = submit(form, lambda: registration.register(event, _answers(form), acting=_acting()))
    if not done.ok:
        return _detail_page(event, form)
    outcome = done.value
    if not signed_in:
        # The same answer whatever the address's state: a stranger learns nothing from it.
        flash(ngettext("Presque fini : ouvrez le courriel envoyé à %(email)s pour la suite. "
                       "Si une place vous est réservée, elle l'est %(num)d minute.",
                       "Presque fini : ouvrez le courriel envoyé à %(email)s pour la suite. "
                       "Si une place vous est réservée, elle l'est %(num)d minutes.",
                       int(rules.setting("EVENTS_GUEST_HOLD_MINUTES")),
                       email=outcome.registration.email), "success")
        return redirect(url_for("events.check_inbox", event_id=event.id))
    flash(_outcome_message(outcome), "success")
    return redirect(url_for("events.detail", event_id=event.id) + "#mon-inscription")


def _outcome_message(outcome: registration.Outcome) -> str:
    reg = outcome.registration
    if outcome.result == "confirmed":
        return _("Votre inscription est confirmée. Vous allez recevoir une invitation pour "
                 "votre agenda par courriel.")
    if outcome.result == "waitlisted":
        return _("L'événement est complet : vous êtes sur la liste d'attente, en position "
                 "%(n)s. Nous vous écrirons si une place se libère.",
                 n=queries.waitlist_position(reg))
    return _("Vous êtes déjà inscrit·e avec l'adresse %(email)s (statut : %(status)s) : nous "
             "vous avons renvoyé le courriel. Aucune place supplémentaire n'a été prise.",
             email=reg.email, status=reg.status_label)


@bp.get("/<int:event_id>/verifiez-vos-courriels")
def check_inbox(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    return render_template("events/check_inbox.html", event=event)


@bp.route("/<int:event_id>/groupe", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def group(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    form = forms.GroupForm()
    form.organisation_id.choices = [(o.id, o.name)
                                    for o in guests.group_organisations(current_user)]
    done = submit(form, lambda: guests.group_register(
        event, form.people.data, acting=current_user, role=form.role.data or "",
        organisation_id=form.organisation_id.data if form.organisation_id.raw_data else None))
    if done.ok:
        # No mail preview for the invited people: their confirmation is theirs to give.
        # Names only: whether an address was already registered is its owner's business.
        names = ", ".join(o.extra["invited_name"] for o in done.value)
        flash(_("Invitations envoyées à : %(names)s. Chaque personne confirme sa place par le "
                "lien reçu (ou apprend qu'elle est sur liste d'attente).", names=names),
              "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_form("events/group.html", form, event=event,
                       max_people=rules.setting("EVENTS_GROUP_MAX"))


@bp.errorhandler(TokenError)
def token_error(err: TokenError):
    """A link that is not (or no longer) valid: its own page, whatever view met it."""
    return render_template("events/token_error.html", message=err.message), 400


@bp.get("/confirmer/<token>")
def confirm(token: str):
    reg = queries.registration_from_confirm_token(token)
    reg = registration.confirm_guest(reg, acting=rules.guest_for(reg))
    return render_template("events/confirmed.html", reg=reg, event=reg.event,
                           token=rules.manage_token(reg),
                           position=queries.waitlist_position(reg))


def _reg_from_token(token: str):
    """The registration and the guest holding its link (the link is their right)."""
    reg = queries.registration_from_token(token)
    return reg, rules.guest_for(reg)


@bp.get("/inscription/<token>")
def manage(token: str):
    reg, _guest = _reg_from_token(token)
    return render_template("events/manage.html", reg=reg, event=reg.event, token=token,
                           position=queries.waitlist_position(reg), empty_form=EmptyForm())


@bp.post("/inscription/<token>/annuler")
def manage_cancel(token: str):
    reg, guest = _reg_from_token(token)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("events.manage", token=token))
    return act(lambda: registration.cancel_registration(reg, acting=guest),
               to=url_for("events.manage", token=token),
               done=_("Votre inscription est annulée. Merci de nous avoir prévenus : la place "
                      "va à la personne suivante."))


@bp.post("/inscription/<token>/accepter")
def accept(token: str):
    reg, guest = _reg_from_token(token)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("events.manage", token=token))
    return act(lambda: registration.accept_offer(reg, acting=guest),
               to=url_for("events.manage", token=token),
               done=_("C'est confirmé : la place est à vous. L'invitation arrive par "
                      "courriel."))


@bp.get("/inscription/<token>/mes-donnees.json")
def my_data(token: str):
    """A guest's own data, as an account holder gets theirs (JSON, to keep)."""
    reg, guest = _reg_from_token(token)
    data = guests.export_guest_data(reg, acting=guest)
    return Response(json.dumps(data, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8", headers={
                        "Content-Disposition": 'attachment; filename="mes-donnees.json"',
                        "Cache-Control": "no-store"})


@bp.post("/inscription/<token>/effacer")
def erase_my_data(token: str):
    reg, guest = _reg_from_token(token)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("events.manage", token=token))
    event_id = reg.event_id
    return act(lambda: guests.erase_guest_data(reg, acting=guest),
               to=url_for("events.detail", event_id=event_id),
               failed_to=url_for("events.manage", token=token),
               done=_("Vos données sont effacées et votre place libérée. Ce lien ne "
                      "fonctionne plus."))


@bp.post("/mes-inscriptions/<int:registration_id>/annuler")
@login_required
def cancel_mine(registration_id: int):
    back = request.form.get("from") == "event" and request.referrer \
        or url_for("accounts.account")
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    return act(lambda: registration.cancel_own(registration_id, acting=current_user),
               to=back, done=_("Votre inscription est annulée."))


# --- calendar --------------------------------------------------------------------------------

@bp.get("/<int:event_id>/agenda.ics")
def event_ics(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    return _ics(calendar.event_ics(event), f"evenement-{event.id}.ics")


@bp.get("/agenda.ics")
def feed():
    return _ics(calendar.public_feed(kind=request.args.get("type"),
                                     territory=request.args.get("territoire")), "agenda.ics")


@bp.get("/agenda/<token>.ics")
def personal_feed(token: str):
    return _ics(calendar.personal_feed(token), "mon-agenda.ics")


# --- badges and check-in at the door --------------------------------------------------------

def _badge_reg(token: str):
    reg, _guest = _reg_from_token(token)
    error = None
    if reg.status != RegistrationStatus.CONFIRMED:
        error = (render_template("events/token_error.html", message=_(
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


# The badge's QR target, the scanner and the door pages: network/events/door_views.py.
