"""Staff pages under /evenements/gestion: events, registrations, CSV, message to everyone.

`staff_required` only redirects to the log-in page or answers 403; each service checks the
staff right again itself.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from network.accounts.forms import EmptyForm
from network.core.auth import staff_required
from network.core.web import act, render_form, submit
from network.events import forms, queries, registration, staff
from network.events.blueprint import bp
from network.events.models import RegistrationStatus


@bp.get("/gestion/")
@staff_required
def staff_index():
    return render_template("events/staff_index.html", events=queries.list_all_events(),
                           empty_form=EmptyForm())


@bp.route("/gestion/nouveau", methods=["GET", "POST"])
@staff_required
def staff_new():
    form = forms.EventForm()
    done = submit(form, lambda: staff.create_event(form.to_data(), acting=current_user))
    if done.ok:
        flash(_("Événement créé en brouillon. Publiez-le quand il est prêt."), "success")
        return redirect(url_for("events.detail", event_id=done.value.id))
    return render_form("events/edit.html", form, event=None)


@bp.route("/gestion/<int:event_id>/modifier", methods=["GET", "POST"])
@staff_required
def staff_edit(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    form = forms.EventForm(obj=event)
    if request.method == "GET":
        form.load(event)
    done = submit(form, lambda: staff.update_event(event, form.to_data(), acting=current_user))
    if done.ok:
        flash(_("Événement enregistré."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_form("events/edit.html", form, event=event)


@bp.post("/gestion/<int:event_id>/<any(publier, annuler, dupliquer):action>")
@staff_required
def staff_action(event_id: int, action: str):
    event = queries.get_visible_event(event_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = url_for("events.detail", event_id=event.id)
    if action == "publier":
        return act(lambda: staff.publish_event(event, acting=current_user), to=back,
                   done=_("Événement publié."))
    if action == "annuler":
        return act(lambda: staff.cancel_event(event, acting=current_user), to=back,
                   done=_("Événement annulé : chaque inscrit·e reçoit l'annulation pour son "
                          "agenda."))
    copy = staff.duplicate_event(event, acting=current_user)
    flash(_("Copie créée en brouillon : modifiez les dates puis publiez."), "success")
    return redirect(url_for("events.staff_edit", event_id=copy.id))


def _registrations_page(event, *, add_form=None, message_form=None):
    q = request.args.get("q", "")
    regs = queries.list_registrations(event, q)
    form = add_form or message_form or forms.StaffAddForm()
    return render_form(
        "events/staff_registrations.html", form, event=event, q=q,
        rows=[(r, queries.waitlist_position(r)) for r in regs],
        figures=staff.figures(event), add_form=add_form or forms.StaffAddForm(),
        message_form=message_form or forms.MessageForm(), empty_form=EmptyForm(),
        statuses=RegistrationStatus)


@bp.get("/gestion/<int:event_id>/inscriptions")
@staff_required
def staff_registrations(event_id: int):
    return _registrations_page(queries.get_visible_event(event_id, current_user))


@bp.get("/gestion/<int:event_id>/inscriptions.csv")
@staff_required
def staff_csv(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    return Response(staff.registrations_csv(event, acting=current_user),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="inscriptions-{event.id}.csv"'})


@bp.post("/gestion/<int:event_id>/inscriptions/ajouter")
@staff_required
def staff_add(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    form = forms.StaffAddForm()

    def add():
        answers = registration.Answers(**{name: getattr(form, name).data or "" for name in (
            "name", "email", "organisation_name", "role", "accessibility_needs",
            "dietary_needs")}, consents_to_list=form.consents_to_list.data,
            consents_to_photos=form.consents_to_photos.data)
        return registration.register(event, answers, acting=current_user)

    done = submit(form, add)
    if done.ok:
        reg = done.value.registration
        flash(_("%(name)s : %(status)s.", name=reg.name, status=reg.status_label), "success")
        return redirect(url_for("events.staff_registrations", event_id=event.id))
    return _registrations_page(event, add_form=form)


@bp.post("/gestion/inscriptions/<int:registration_id>/<any(confirm, waitlist, cancel, present, "
         "absent):action>")
@staff_required
def staff_registration_action(registration_id: int, action: str):
    reg = queries.get_registration(registration_id)
    if reg is None:
        abort(404)
    back = url_for("events.staff_registrations", event_id=reg.event_id)
    if not EmptyForm().validate_on_submit():
        return redirect(back)

    def move():
        registration.staff_set_status(reg, action, acting=current_user)
        flash(_("%(name)s : %(status)s.", name=reg.name, status=reg.status_label), "success")

    return act(move, to=back)


@bp.post("/gestion/<int:event_id>/message")
@staff_required
def staff_message(event_id: int):
    event = queries.get_visible_event(event_id, current_user)
    form = forms.MessageForm()
    done = submit(form, lambda: staff.message_all(event, form.subject.data, form.body.data,
                                                  acting=current_user))
    if done.ok:
        flash(ngettext("Message mis dans la boîte d'envoi pour %(num)d personne.",
                       "Message mis dans la boîte d'envoi pour %(num)d personnes.",
                       done.value), "success")
        return redirect(url_for("events.staff_registrations", event_id=event.id))
    return _registrations_page(event, message_form=form)
