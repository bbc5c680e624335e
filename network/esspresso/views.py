"""ESSpresso pages under /esspresso/: sessions, registration, catalogue, booking, wishes,
and the organiser's page (scheduler preview and publishing)."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.core.auth import staff_required
from network.core.errors import DomainError
from network.core.forms import int_or_zero
from network.core.i18n import when
from network.core.time import PARIS, paris_to_utc, to_paris, utcnow
from network.core.web import act, form_error, render_form, submit
from network.esspresso import adapters, buyers, catalogue, forms, meetings, planning, registration
from network.esspresso.rules import PRIORITIES
from network.meetings import booking as engine_booking
from network.meetings import rules as engine_rules
from network.meetings import scheduling
from network.meetings import sessions as engine_sessions
from network.meetings.models import SIDE_A, SIDE_B
from network.meetings.participants import Presence

bp = Blueprint("esspresso", __name__, url_prefix="/esspresso")


@bp.context_processor
def labels():
    from network.esspresso.rules import AMOUNTS, RESERVATIONS, TIMINGS

    return {"amounts": AMOUNTS, "timings": TIMINGS, "reservations": RESERVATIONS,
            "territories": adapters.territories(), "side_a": SIDE_A,
            "category_label": adapters.category_label}


def _session(session_id: int):
    return engine_rules.get_session(session_id)


def _at(session, value: time | None) -> datetime | None:
    """A wall-clock time on the session's day (Europe/Paris) as UTC."""
    if value is None:
        return None
    day = to_paris(session.starts_at).date()
    return paris_to_utc(datetime.combine(day, value).replace(tzinfo=PARIS))


def _presence(session, form) -> Presence:
    return Presence(arrives_at=_at(session, form.arrives.data),
                    leaves_at=_at(session, form.leaves.data),
                    max_meetings=form.max_meetings.data)


def _me(session):
    mine = engine_rules.participants_of(current_user, session) \
        if current_user.is_authenticated else []
    wanted = request.values.get("pour", type=int)
    for p in mine:
        if p.id == wanted:
            return p, mine
    return (mine[0] if mine else None), mine


def _territory_choices(blank: str):
    return forms.choices([("", blank)] + list(adapters.territories().items()))


def _category_choices():
    return forms.choices([(0, _("— choisir —"))]
                         + [(c.id, adapters.category_label(c)) for c in adapters.list_categories()])


def _setup_need(form) -> None:
    form.category_id.choices = _category_choices()
    form.need_territory.choices = _territory_choices(_("Toute la Moselle"))


def _need_data(form) -> registration.NeedData:
    return registration.NeedData(
        category_id=form.category_id.data or 0, description=form.description.data or "",
        amount=form.amount.data, timing=form.timing.data,
        territory=form.need_territory.data or "", reservation=form.reservation.data,
        has_social_clause=form.has_social_clause.data)


# --- public pages -----------------------------------------------------------------------------


@bp.get("/")
def index():
    sessions = planning.list_sessions()
    events = {s.id: adapters.event_of(s.event_id) for s in sessions}
    mine = buyers.my_buyers(current_user)
    return render_template("esspresso/index.html", sessions=sessions, events=events,
                           my_buyers=mine, now=utcnow())


@bp.route("/acheteurs/nouveau", methods=["GET", "POST"])
@login_required
def new_buyer():
    form = forms.BuyerForm()
    form.territory.choices = _territory_choices(_("— choisir —"))
    outcome = submit(form, lambda: buyers.create_buyer(buyers.BuyerData(
        name=form.name.data, buyer_type=form.buyer_type.data, siret=form.siret.data,
        naf_code=form.naf_code.data or "", postcode=form.postcode.data,
        commune=form.commune.data, territory=form.territory.data or "",
        website=form.website.data or "", description=form.description.data or ""),
        acting=current_user))
    if outcome.ok:
        flash(_("Votre organisation acheteuse « %(name)s » est enregistrée : inscrivez-la "
                "maintenant à une session.", name=outcome.value.organisation.name), "success")
        target = request.args.get("session", type=int)
        if target:
            return redirect(url_for(".register_buyer", session_id=target))
        return redirect(url_for(".index"))
    return render_form("esspresso/buyer_form.html", form)


@bp.route("/acheteurs/<int:organisation_id>/equipe", methods=["GET", "POST"])
@login_required
def buyer_team(organisation_id: int):
    profile = buyers.get_buyer(organisation_id)
    if current_user.role_in(organisation_id) is None and not current_user.is_staff:
        abort(403)
    form = forms.OrganiserForm()
    outcome = submit(form, lambda: buyers.add_team_member(profile, form.email.data,
                                                          acting=current_user))
    if outcome.ok:
        flash(_("Collègue ajouté·e à l'équipe."), "success")
        return redirect(url_for(".buyer_team", organisation_id=organisation_id))
    return render_form("esspresso/team.html", form, profile=profile,
                       members=profile.organisation.members, empty_form=EmptyForm())


@bp.post("/acheteurs/<int:organisation_id>/equipe/<int:user_id>/retirer")
@login_required
def remove_team_member(organisation_id: int, user_id: int):
    profile = buyers.get_buyer(organisation_id)
    EmptyForm().validate_on_submit() or abort(400)
    return act(lambda: buyers.remove_team_member(profile, user_id, acting=current_user),
               to=url_for(".buyer_team", organisation_id=organisation_id),
               done=_("Retiré·e de l'équipe."))


@bp.get("/<int:session_id>")
def detail(session_id: int):
    session = _session(session_id)
    event = adapters.event_of(session.event_id)
    me, mine = _me(session)
    my_meetings = engine_booking.list_meetings(session, me) if me else []
    entry = catalogue.entry_of(session, me) if me else None
    suggestions = catalogue.suggestions(session, acting=current_user) if me else []
    is_organiser = engine_rules.is_organiser(current_user, session)
    can_buy = bool(current_user.is_authenticated and me is None
                   and registration.registrable_buyers(current_user, session))
    can_supply = bool(current_user.is_authenticated and me is None
                      and registration.registrable_structures(current_user, session))
    return render_template(
        "esspresso/detail.html", sess=session, event=event, me=me, mine=mine,
        my_meetings=my_meetings, entry=entry, suggestions=suggestions,
        is_organiser=is_organiser, can_buy=can_buy, can_supply=can_supply,
        slot_label=lambda i: meetings.slot_label(session, i), side_a=SIDE_A,
        empty_form=EmptyForm(), reason_form=forms.ReasonForm(), need_form=_need_form(),
        now=utcnow(), started=utcnow() >= session.starts_at,
        next_meeting=_next_meeting(session, me))


def _next_meeting(session, me):
    """« Votre prochain rendez-vous » on a phone: the meeting on now or the next one, with
    the whole minutes until it starts (0 when it is on)."""
    if me is None or session.published_at is None:
        return None
    from network.esspresso.agendas import next_item

    now = utcnow()
    item = next_item(session, me, now)
    if item is None:
        return None
    minutes = max(int((item.starts_at - now).total_seconds() + 59) // 60, 0)
    return {"item": item, "minutes": minutes, "is_on": item.starts_at <= now}


def _need_form():
    form = forms.NeedForm(prefix="need")
    _setup_need(form)
    return form


# --- registration -----------------------------------------------------------------------------


@bp.route("/<int:session_id>/acheteur", methods=["GET", "POST"])
@login_required
def register_buyer(session_id: int):
    session = _session(session_id)
    choices = registration.registrable_buyers(current_user, session)
    if not choices:
        flash(_("Inscrivez d'abord votre organisation acheteuse (entreprise ou acheteur "
                "public)."), "info")
        return redirect(url_for(".new_buyer", session=session.id))
    form = forms.BuyerRegistrationForm()
    form.organisation_id.choices = forms.choices((b.organisation_id, b.organisation.name)
                                                 for b in choices)
    _setup_need(form)
    by_org = {b.organisation_id: b for b in choices}

    def register():
        buyer = by_org.get(form.organisation_id.data)
        if buyer is None:
            abort(403)
        return registration.register_buyer(session, buyer, _presence(session, form),
                                           _need_data(form), acting=current_user)

    outcome = submit(form, register)
    if outcome.ok:
        flash(_("Inscription enregistrée : consultez le catalogue des fournisseurs de l'ESS, "
                "réservez vos rendez-vous et marquez vos souhaits."), "success")
        return redirect(url_for(".catalogue_page", session_id=session.id))
    return render_form("esspresso/register_buyer.html", form, sess=session)


@bp.route("/<int:session_id>/fournisseur", methods=["GET", "POST"])
@login_required
def register_supplier(session_id: int):
    session = _session(session_id)
    structures = registration.registrable_structures(current_user, session)
    if not structures:
        flash(_("Seule l'équipe d'une structure publiée dans l'annuaire peut l'inscrire comme "
                "fournisseur."), "info")
        return redirect(url_for(".detail", session_id=session.id))
    form = forms.SupplierRegistrationForm()
    form.organisation_id.choices = forms.choices((s.organisation_id, s.display_name)
                                                 for s in structures)
    offered = sorted({(o.category.id, adapters.category_label(o.category)) for s in structures
                      for o in s.offerings}, key=lambda c: c[1])
    form.categories.choices = forms.choices(offered)
    if request.method == "GET":
        form.categories.data = [c for c, _n in offered]
    outcome = submit(form, lambda: registration.register_supplier(
        session, form.organisation_id.data, _presence(session, form),
        form.categories.data or [], acting=current_user))
    if outcome.ok:
        flash(_("Inscription enregistrée : les acheteurs peuvent maintenant vous réserver. "
                "Marquez vos souhaits dans le catalogue."), "success")
        return redirect(url_for(".catalogue_page", session_id=session.id))
    return render_form("esspresso/register_supplier.html", form, sess=session)


@bp.post("/<int:session_id>/besoins")
@login_required
def add_need(session_id: int):
    session = _session(session_id)
    me, _mine = _me(session)
    if me is None:
        abort(403)
    form = forms.NeedForm(prefix="need")
    _setup_need(form)
    outcome = submit(form, lambda: registration.add_need(session, me, _need_data(form),
                                                         acting=current_user))
    if outcome.ok:
        flash(_("Besoin ajouté."), "success")
        return redirect(url_for(".detail", session_id=session.id, _anchor="besoins"))
    return render_form("esspresso/need_form.html", form, sess=session)


@bp.post("/<int:session_id>/besoins/<int:need_id>/supprimer")
@login_required
def remove_need(session_id: int, need_id: int):
    session = _session(session_id)
    me, _mine = _me(session)
    if me is None:
        abort(403)
    EmptyForm().validate_on_submit() or abort(400)
    return act(lambda: registration.remove_need(session, me, need_id, acting=current_user),
               to=url_for(".detail", session_id=session.id, _anchor="besoins"),
               done=_("Besoin retiré."))


# --- catalogue, booking, wishes ---------------------------------------------------------------


@bp.get("/<int:session_id>/catalogue")
@login_required
def catalogue_page(session_id: int):
    session = _session(session_id)
    filters = catalogue.Filters(
        side=request.args.get("cote", "")[:1], category_id=request.args.get(
            "categorie", type=int), territory=request.args.get("territoire", "")[:60],
        reserved=request.args.get("reserve", "")[:10], q=request.args.get("q", "")[:100],
        suggested=request.args.get("suggeres") == "1")
    if filters.category_id is not None and not 0 < filters.category_id < 2**31:
        filters.category_id = None
    shown, me = catalogue.catalogue(session, filters, acting=current_user)
    free = {}
    if me is not None and me.side == SIDE_A:
        state = engine_booking.busy(session)
        free = {e.participant.id: len(engine_booking.free_slots(session, me, e.participant,
                                                                state)) for e in shown
                if e.participant.side == SIDE_B}
    wishes_open = session.published_at is None and utcnow() < (
        session.wishes_close_at or session.starts_at)
    return render_template("esspresso/catalogue.html", sess=session, entries=shown, me=me,
                           filters=filters, free=free, categories=adapters.list_categories(),
                           territories=adapters.territories(), priorities=PRIORITIES,
                           wishes_open=wishes_open, empty_form=EmptyForm(), side_a=SIDE_A)


@bp.route("/<int:session_id>/reserver/<int:supplier_id>", methods=["GET", "POST"])
@login_required
def book(session_id: int, supplier_id: int):
    session = _session(session_id)
    me, _mine = _me(session)
    supplier = engine_rules.get_participant(session, supplier_id)
    if me is None or me.side != SIDE_A:
        abort(403)
    form = forms.BookingForm()
    free = engine_booking.free_slots(session, me, supplier)
    form.slot.choices = forms.choices((i, meetings.slot_label(session, i)) for i in free)
    alternatives: list[int] = []
    if form.validate_on_submit():
        try:
            meetings.book_meeting(session, me.id, supplier.id, form.slot.data,
                                  acting=current_user)
        except engine_booking.SlotTaken as err:
            from network.core import uow

            uow.doom()
            form_error(form, err)
            alternatives = err.alternatives
            free = engine_booking.free_slots(session, me, supplier)
            form.slot.choices = forms.choices((i, meetings.slot_label(session, i)) for i in free)
        except DomainError as err:
            if err.status in (403, 404):
                raise
            from network.core import uow

            uow.doom()
            form_error(form, err)
        else:
            flash(_("Rendez-vous réservé avec « %(name)s » : %(when)s.",
                    name=supplier.display_name,
                    when=meetings.slot_label(session, form.slot.data)), "success")
            return redirect(url_for(".detail", session_id=session.id, _anchor="agenda"))
    entry = catalogue.entry_of(session, supplier)
    return render_form("esspresso/book.html", form, sess=session, supplier=supplier,
                       entry=entry, me=me, alternatives=alternatives,
                       slot_label=lambda i: meetings.slot_label(session, i))


@bp.post("/<int:session_id>/rendez-vous/<int:meeting_id>/<any(decliner, annuler):action>")
@login_required
def meeting_action(session_id: int, meeting_id: int, action: str):
    session = _session(session_id)
    form = forms.ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    reason = form.reason.data or ""
    to = request.form.get("retour") == "organisation" and url_for(
        ".organiser", session_id=session.id) or url_for(".detail", session_id=session.id,
                                                        _anchor="agenda")
    if action == "decliner":
        return act(lambda: meetings.decline_meeting(session, meeting_id, acting=current_user,
                                                    reason=reason),
                   to=to, done=_("Rendez-vous décliné : l'acheteur est prévenu."))
    return act(lambda: meetings.cancel_meeting(session, meeting_id, acting=current_user,
                                               reason=reason),
               to=to, done=_("Rendez-vous annulé : l'autre participant est prévenu."))


@bp.post("/<int:session_id>/souhaits")
@login_required
def wish(session_id: int):
    session = _session(session_id)
    me, _mine = _me(session)
    if me is None:
        abort(403)
    form = forms.WishForm()
    if not form.validate_on_submit():
        abort(400)
    target = int_or_zero(form.target.data)
    back = request.form.get("retour", "")
    to = back if back.startswith(f"/esspresso/{session.id}/") else url_for(
        ".catalogue_page", session_id=session.id)
    return act(lambda: meetings.mark_wish(session, me.id, target, form.priority.data,
                                          acting=current_user),
               to=to + f"#p{target}", done=_("Souhait enregistré."))


# --- organisers -------------------------------------------------------------------------------


@bp.get("/<int:session_id>/organisation")
@login_required
def organiser(session_id: int):
    session = _session(session_id)
    if not engine_rules.is_organiser(current_user, session):
        abort(403)
    everyone = catalogue.entries(session)
    all_meetings = engine_booking.list_meetings(session)
    counts: dict[int, int] = {}
    for m in all_meetings:
        counts[m.a_id] = counts.get(m.a_id, 0) + 1
        counts[m.b_id] = counts.get(m.b_id, 0) + 1
    from network.meetings.wishes import list_wishes

    wishes = list_wishes(session)
    names = {e.participant.id: e.participant.display_name for e in everyone}
    return render_template(
        "esspresso/organiser.html", sess=session, entries=everyone, meetings=all_meetings,
        counts=counts, wishes=wishes, names=names, run=scheduling.latest_run(session),
        organisers=engine_sessions.list_organisers(session), empty_form=EmptyForm(),
        reason_form=forms.ReasonForm(), organiser_form=forms.OrganiserForm(),
        slot_label=lambda i: meetings.slot_label(session, i), priorities=PRIORITIES)


@bp.post("/<int:session_id>/planificateur")
@login_required
def run_scheduler(session_id: int):
    session = _session(session_id)
    EmptyForm().validate_on_submit() or abort(400)
    return act(lambda: planning.run_scheduler(session, acting=current_user),
               to=url_for(".organiser", session_id=session.id, _anchor="apercu"),
               done=_("Proposition calculée : vérifiez l'aperçu avant de publier."))


@bp.post("/<int:session_id>/planificateur/<int:run_id>/publier")
@login_required
def publish(session_id: int, run_id: int):
    session = _session(session_id)
    EmptyForm().validate_on_submit() or abort(400)
    return act(lambda: planning.publish(session, run_id, acting=current_user),
               to=url_for(".organiser", session_id=session.id),
               done=_("Agenda publié : chaque participant est prévenu par courriel."))


@bp.get("/<int:session_id>/instance.json")
@login_required
def export(session_id: int):
    session = _session(session_id)
    if not engine_rules.is_organiser(current_user, session):
        abort(403)
    return planning.export_instance(session)


@bp.post("/<int:session_id>/organisateurs")
@staff_required
def add_organiser(session_id: int):
    session = _session(session_id)
    form = forms.OrganiserForm()
    if not form.validate_on_submit():
        abort(400)

    def add():
        from network.accounts.services import get_user_by_email

        user = get_user_by_email(form.email.data.strip().lower())
        if user is None:
            raise DomainError(_("Aucun compte n'existe avec cette adresse."), "no_such_user")
        engine_sessions.add_organiser(session, user, acting=current_user)

    return act(add, to=url_for(".organiser", session_id=session.id, _anchor="organisateurs"),
               done=_("Organisateur·rice ajouté·e."))


@bp.route("/nouvelle", methods=["GET", "POST"])
@staff_required
def new_session():
    form = forms.SessionForm()
    form.event_id.choices = forms.choices(
        (e.id, f"{e.title} — {when(e.start_at, 'shortdate')}")
        for e in adapters.esspresso_events() if engine_sessions.session_for_event(e.id) is None)

    def create():
        event = adapters.event_of(form.event_id.data)
        breaks = []
        if event is not None and form.break_starts.data and form.break_ends.data:
            day = to_paris(event.start_at).date()
            breaks = [(paris_to_utc(datetime.combine(day, form.break_starts.data)),
                       paris_to_utc(datetime.combine(day, form.break_ends.data)))]

        def local(value):
            return paris_to_utc(value) if value else None

        return planning.create_session(planning.SessionForm(
            event_id=form.event_id.data or 0, slot_minutes=form.slot_minutes.data,
            tables_count=form.tables_count.data, breaks=breaks,
            booking_opens_at=local(form.booking_opens_at.data),
            booking_closes_at=local(form.booking_closes_at.data),
            wishes_close_at=local(form.wishes_close_at.data)), acting=current_user)

    outcome = submit(form, create)
    if outcome.ok:
        flash(ngettext("Session créée : %(num)d créneau.", "Session créée : %(num)d créneaux.",
                       len(outcome.value.slots)), "success")
        return redirect(url_for(".organiser", session_id=outcome.value.id))
    return render_form("esspresso/session_form.html", form)


from network.esspresso import backoffice as _backoffice  # noqa: E402,F401  (back-office receivers)
from network.esspresso import day_views  # noqa: E402,F401  (routes on the same blueprint)
