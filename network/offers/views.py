"""Offer pages (/offres/), the team's pages, staff moderation and the API /api/v1/offers."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from network.accounts.forms import EmptyForm
from network.core.auth import staff_required
from network.core.web import act, json_api, page_arg, public_json, render_form, submit
from network.directory import profiles as directory_profiles
from network.directory import reference as directory_reference
from network.directory import rules as directory_rules
from network.extensions import limiter
from network.offers import alerts, answers, forms, listing, offers, public, rules
from network.offers.models import JOB_KINDS, OfferState

bp = Blueprint("offers", __name__)


@bp.app_context_processor
def offer_helpers():
    """For pages of other domains (the profile's response rate, the account's link)."""

    def response_stats(structure):
        return answers.response_stats(structure)

    def open_of(structure):
        return offers.list_open_offers_of(structure)

    return {"offers_response_stats": response_stats, "offers_open_of": open_of}


@bp.context_processor
def labels():
    return {"labels": rules, "JOB_KINDS": JOB_KINDS, "OfferState": OfferState}


def _structure(structure_id: int):
    """The directory's structure, or 404 (ids beyond the column's range included)."""
    if not 0 < structure_id < 2**31:
        abort(404)
    return directory_rules.get_structure(structure_id)


def _answer_limit() -> str:
    return current_app.config["OFFERS_ANSWER_RATE_LIMIT"]


# --- public list, feed, API ---------------------------------------------------------------------

@bp.get("/offres/")
def index():
    filters = listing.OfferFilters.from_args(request.args)
    result = listing.search_offers(filters, sort=request.args.get("tri", ""), page=page_arg())
    args = filters.to_args()
    return render_template(
        "offers/index.html", result=result, filters=filters,
        territories=directory_reference.list_territories(),
        sectors=directory_reference.list_sectors(),
        sorts=listing.SORTS, feed_url=url_for("offers.feed", **args),
        api_url=url_for("offers.api_offers", **args), alert_form=forms.AlertForm(),
        criteria=urlencode(args, doseq=True))


@bp.get("/offres/flux.atom")
def feed():
    body = public.atom_feed(listing.OfferFilters.from_args(request.args))
    return Response(body, mimetype="application/atom+xml",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.get("/api/v1/offers")
@json_api
def api_offers():
    return public_json(public.api_page(request.args))


@bp.get("/api/v1/offers/<int:offer_id>")
@json_api
def api_offer(offer_id: int):
    return public_json(public.public_dict(offers.get_visible_offer(offer_id, None)))


# --- one offer, and answering it ------------------------------------------------------------

def _answer_form():
    return forms.AnswerForm() if current_user.is_authenticated else forms.GuestAnswerForm()


def _detail(offer, form=None, status: int | None = None):
    form = form or _answer_form()
    mine = None
    if current_user.is_authenticated:
        mine = next((a for a in answers.list_for_person(current_user)
                     if a.offer_id == offer.id), None)
    page = render_form(
        "offers/detail.html", form, status, offer=offer,
        description_html=offers.description_html(offer),
        json_ld=public.json_ld(offer) if offers.is_public(offer) else None,
        is_open=offers.is_open(offer), can_manage=rules.can_manage(current_user, offer.structure),
        mine=mine, stats=answers.response_stats(offer.structure),
        unpublish_form=forms.UnpublishForm(), empty_form=EmptyForm())
    return page


@bp.get("/offres/<int:offer_id>")
def detail(offer_id: int):
    return _detail(offers.get_visible_offer(offer_id, current_user))


def _upload(form) -> bytes | None:
    storage = form.cv.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    return storage.read(current_app.config["OFFERS_CV_MAX_BYTES"] + 1)


@bp.post("/offres/<int:offer_id>/repondre")
@limiter.limit(_answer_limit, methods=["POST"])
def answer(offer_id: int):
    offer = offers.get_visible_offer(offer_id, current_user)
    form = _answer_form()
    if form.website.data:  # honeypot: a robot; answer as if it worked, keep nothing
        return render_template("offers/check_inbox.html", offer=offer, email=None)
    guest = not current_user.is_authenticated

    def send():
        data = answers.AnswerData(
            message=form.message.data or "", phone=form.phone.data or "", cv=_upload(form),
            name=form.name.data or "" if guest else "",
            email=form.email.data or "" if guest else "")
        return answers.answer_offer(offer, data, acting=current_user)

    outcome = submit(form, send)
    if not outcome.ok:
        return _detail(offer, form)
    if guest:
        return redirect(url_for("offers.check_inbox", offer_id=offer.id))
    flash(_("Votre réponse est envoyée à la structure. Suivez-la dans « Mes candidatures »."),
          "success")
    return redirect(url_for("offers.mine"))


@bp.get("/offres/<int:offer_id>/verifiez-vos-courriels")
def check_inbox(offer_id: int):
    return render_template("offers/check_inbox.html",
                           offer=offers.get_visible_offer(offer_id, current_user), email=True)


@bp.get("/offres/candidature/confirmer/<token>")
def confirm_answer(token: str):
    guest = answers.guest_from_token(token, purpose=answers.CONFIRM)
    answer = answers.confirm_answer(acting=guest)
    flash(_("Merci : votre réponse est transmise à la structure."), "success")
    return redirect(url_for("offers.guest_answer", token=answers.view_token(answer)))


@bp.get("/offres/candidature/<token>")
def guest_answer(token: str):
    answer = answers.answer_for_guest(acting=answers.guest_from_token(token))
    return render_template("offers/guest_answer.html", answer=answer, offer=answer.offer)


@bp.get("/offres/mes-candidatures")
@login_required
def mine():
    return render_template("offers/mine.html", answers=answers.list_for_person(current_user),
                           alerts=alerts.list_alerts(current_user), empty_form=EmptyForm(),
                           describe_alert=alerts.describe)


# --- saved searches ---------------------------------------------------------------------------

def _criteria() -> listing.OfferFilters:
    raw = (request.form.get("criteria") or "")[:2000]
    from urllib.parse import parse_qs

    return listing.OfferFilters.from_args(MultiDict(
        [(k, v) for k, values in parse_qs(raw).items() for v in values]))


@bp.post("/offres/alertes")
@limiter.limit(_answer_limit, methods=["POST"])
def save_alert():
    filters = _criteria()
    form = forms.AlertForm()

    def save():
        return alerts.save_search(filters, acting=current_user, email=form.email.data or "")

    outcome = submit(form, save)
    back = url_for("offers.index", **filters.to_args())
    if not outcome.ok:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    if current_user.is_authenticated:
        flash(_("Alerte enregistrée : vous recevrez un courriel à chaque nouvelle offre qui "
                "correspond."), "success")
    else:
        flash(_("Presque fini : ouvrez le lien envoyé à %(email)s pour activer l'alerte.",
                email=outcome.value.email), "success")
    return redirect(back)


@bp.get("/offres/alertes/confirmer/<token>")
def confirm_alert(token: str):
    alert = alerts.confirm_alert(acting=alerts.guest_from_token(token, alerts.CONFIRM))
    return render_template("offers/alert_done.html", alert=alert, confirmed=True,
                           describe_alert=alerts.describe)


@bp.get("/offres/alertes/arreter/<token>")
def stop_alert(token: str):
    """One click from the mail, no login: the alert is deleted."""
    stopped = alerts.stop_alert(acting=alerts.guest_from_token(token, alerts.STOP))
    return render_template("offers/alert_done.html", alert=None, stopped=stopped)


@bp.post("/offres/alertes/<int:alert_id>/supprimer")
@login_required
def delete_alert(alert_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: alerts.delete_alert(alert_id, acting=current_user),
               to=url_for("offers.mine"), done=_("Alerte supprimée."))


# --- the structure's team -------------------------------------------------------------------------

@bp.get("/offres/publier")
@login_required
def publish_start():
    """Where a team member starts: their structures, each with its offers."""
    mine = [s for s in directory_profiles.list_my_structures(current_user)]
    if len(mine) == 1:
        return redirect(url_for("offers.manage", structure_id=mine[0].id))
    return render_template("offers/publish_start.html", structures=mine)


@bp.get("/offres/structure/<int:structure_id>")
@login_required
def manage(structure_id: int):
    structure = _structure(structure_id)
    items = offers.list_structure_offers(structure, acting=current_user)
    return render_template("offers/manage.html", structure=structure, offers=items,
                           counts=answers.answer_counts([o.id for o in items]),
                           stats=answers.response_stats(structure), empty_form=EmptyForm())


def _offer_form(data=None) -> forms.OfferForm:
    form = forms.OfferForm(data=data) if data is not None else forms.OfferForm()
    return form.setup(directory_reference.list_territories())


def _data(form) -> offers.OfferData:
    return offers.OfferData(
        kind=form.kind.data or "", title=form.title.data or "", commune=form.commune.data or "",
        territory=form.territory.data or "", closes_on=form.closes_on.data,
        description=form.description.data or "", postcode=form.postcode.data or "",
        starts_on=form.starts_on.data, time_commitment=form.time_commitment.data or "",
        places=form.places.data, work_mode=form.work_mode.data or "",
        accessibility=list(form.accessibility.data or []), skills=form.skills.data or "")


@bp.route("/offres/structure/<int:structure_id>/nouvelle", methods=["GET", "POST"])
@login_required
def create(structure_id: int):
    structure = _structure(structure_id)
    rules.require_manage(current_user, structure)
    form = _offer_form() if request.method == "POST" else _offer_form({
        "commune": structure.commune, "postcode": structure.postcode,
        "territory": structure.territory.code if structure.territory else "", "places": 1})
    outcome = submit(form, lambda: offers.create_offer(structure, _data(form),
                                                       acting=current_user))
    if outcome.ok:
        flash(_("Brouillon enregistré. Relisez-le puis publiez-le."), "success")
        return redirect(url_for("offers.detail", offer_id=outcome.value.id))
    return render_form("offers/form.html", form, structure=structure, offer=None)


@bp.route("/offres/<int:offer_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(offer_id: int):
    offer = offers.get_managed_offer(offer_id, current_user)
    form = _offer_form() if request.method == "POST" else _offer_form(
        vars(offers.OfferData.of(offer)))
    outcome = submit(form, lambda: offers.update_offer(offer, _data(form), acting=current_user))
    if outcome.ok:
        flash(_("Offre enregistrée."), "success")
        return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_form("offers/form.html", form, structure=offer.structure, offer=offer)


ACTIONS = {
    "publier": (offers.publish_offer, _l("Offre publiée : elle est en ligne.")),
    "pourvue": (offers.fill_offer, _l("Offre marquée comme pourvue.")),
    "fermer": (offers.close_offer, _l("Offre fermée : elle n'accepte plus de réponses.")),
}


@bp.post("/offres/<int:offer_id>/<any(publier, pourvue, fermer):action>")
@login_required
def change_state(offer_id: int, action: str):
    offer = offers.get_managed_offer(offer_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service, done = ACTIONS[action]
    return act(lambda: service(offer, acting=current_user),
               to=url_for("offers.detail", offer_id=offer.id), done=str(done))


@bp.post("/offres/<int:offer_id>/supprimer")
@login_required
def delete(offer_id: int):
    offer = offers.get_managed_offer(offer_id, current_user)
    structure_id = offer.structure_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: offers.delete_offer(offer, acting=current_user),
               to=url_for("offers.manage", structure_id=structure_id),
               failed_to=url_for("offers.detail", offer_id=offer_id),
               done=_("Brouillon supprimé."))


@bp.get("/offres/<int:offer_id>/reponses", endpoint="answers")
@login_required
def answers_page(offer_id: int):
    offer = offers.get_managed_offer(offer_id, current_user)
    return render_template("offers/answers.html", offer=offer,
                           answers=answers.list_answers(offer, acting=current_user),
                           status_form=forms.StatusForm())


@bp.post("/offres/reponses/<int:answer_id>/etat")
@login_required
def set_status(answer_id: int):
    answer = answers.get_answer(answer_id, acting=current_user)
    form = forms.StatusForm()
    back = url_for("offers.answers", offer_id=answer.offer_id) + f"#reponse-{answer.id}"
    if not form.validate_on_submit():
        flash(_("Choisissez un état dans la liste."), "error")
        return redirect(back)
    return act(lambda: answers.set_answer_status(answer, form.status.data or "",
                                                 acting=current_user,
                                                 reason=form.reason.data or ""),
               to=back, done=_("État enregistré ; la personne est prévenue par courriel."))


@bp.get("/offres/reponses/<int:answer_id>/cv")
@login_required
def cv(answer_id: int):
    document = answers.get_cv(answer_id, acting=current_user)
    return Response(document.data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="cv-{answer_id}.pdf"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


# --- staff ------------------------------------------------------------------------------------

@bp.get("/offres/gestion")
@staff_required
def staff():
    return render_template("offers/staff.html", offers=offers.list_published_for_staff())


@bp.route("/offres/<int:offer_id>/retirer", methods=["GET", "POST"])
@staff_required
def unpublish(offer_id: int):
    offer = offers.get_offer(offer_id)
    form = forms.UnpublishForm()
    outcome = submit(form, lambda: offers.unpublish_offer(offer, acting=current_user,
                                                          reason=form.reason.data or ""))
    if outcome.ok:
        flash(_("Offre retirée ; la structure est prévenue par courriel."), "success")
        return redirect(url_for("offers.staff"))
    return render_form("offers/unpublish.html", form, offer=offer)

from network.offers import backoffice as _backoffice  # noqa: E402,F401  (back-office receivers)
from network.offers import forum_views  # noqa: E402,F401  (forum routes on this blueprint)
