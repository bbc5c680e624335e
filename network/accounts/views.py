"""Sign-up, log-in (with staff's second factor), verification, reset and "Mon compte".

Thin views over services: `submit()` + `render_form()` for form pages, `act()` for buttons;
the request edge commits. Two gates run before every request of a logged-in person:
an unverified account may not POST outside its account pages, and a staff account that has
not enrolled its second factor is sent to enrol before any other page.
"""

from __future__ import annotations

import base64
import json
import time

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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from network.accounts import forms, second_factor, services
from network.core import i18n, uow
from network.core.errors import DomainError, PermissionDenied
from network.core.web import act, render_form, safe_next, submit
from network.extensions import limiter

bp = Blueprint("accounts", __name__)

AUTH_LIMIT = "10 per minute;50 per hour"
AFTER_SIGN_UP = "next_after_sign_up"
#: The account this browser has just created: its verification link logs it in here only.
SIGNED_UP = "signed_up_id"
#: The visitor's language choice (i18n.COOKIE) outlives the session, which log-in and
#: log-out clear.
LANG_COOKIE_SECONDS = 365 * 24 * 3600
#: Password checked, second factor awaited: {"token", "at", "remember", "next"}.
PENDING = "second_factor_pending"
PENDING_SECONDS = 300
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: What an unverified account may still do (besides reading pages).
UNVERIFIED_MAY_POST = {"accounts.logout", "accounts.resend_verification",
                       "accounts.change_email", "accounts.change_password",
                       "accounts.delete_account", "accounts.set_language",
                       "accounts.reset_calendar_token", "accounts.second_factor_setup"}


def _me():
    return current_user._get_current_object()


@bp.before_app_request
@uow.retrying_hook
def account_gates():
    if not current_user.is_authenticated:
        return None
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.startswith("main."):
        return None
    if current_user.is_staff and not current_user.has_second_factor \
            and current_app.config.get("STAFF_SECOND_FACTOR", True) \
            and not endpoint.startswith("accounts."):
        flash(_("Compte de l'équipe : activez d'abord la double authentification."), "info")
        return redirect(url_for("accounts.second_factor_setup"))
    if not current_user.is_verified and request.method not in SAFE_METHODS \
            and endpoint not in UNVERIFIED_MAY_POST:
        raise PermissionDenied(
            _("Confirmez d'abord votre adresse e-mail (lien reçu par courriel) : un compte "
              "non confirmé ne peut rien faire d'autre que gérer son compte."), "unverified")
    return None


def set_language_cookie(response: Response, lang: str) -> Response:
    """Remember the language in this browser for a year, logged in or not."""
    response.set_cookie(i18n.COOKIE, lang, max_age=LANG_COOKIE_SECONDS, samesite="Lax",
                        httponly=True,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def _finish_login(user, *, remember: bool, next_url: str | None, greeting: str | None = None):
    services.record_login(user)
    session.clear()  # no fixation: a fresh session after authentication
    login_user(user, remember=remember)
    # The visitor's explicit choice (the cookie) wins and is kept on the account; without
    # one, the account's language follows the person to this browser.
    chosen = i18n.request_choice()
    if chosen:
        services.set_locale(chosen, acting=user)
    lang = chosen or i18n.valid(user.locale)
    response = safe_next(next_url)
    if not chosen and lang:
        set_language_cookie(response, lang)
    with i18n.in_locale(lang):  # the language of the page that shows the greeting
        flash(str(greeting or _("Bonjour %(name)s !", name=user.name)), "success")
    return response


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    if request.args.get("next"):
        # Where the person was going (an invitation, an event): back there after verification.
        session[AFTER_SIGN_UP] = request.args["next"]
    form = forms.SignUpForm()
    outcome = submit(form, lambda: services.sign_up(
        name=form.name.data, email=form.email.data, password=form.password.data,
        locale=i18n.current()))
    if outcome.ok:
        session[SIGNED_UP] = outcome.value.id
        return redirect(url_for("accounts.check_inbox"))
    return render_form("accounts/sign_up.html", form)


@bp.route("/inscription/verifiez-vos-courriels")
def check_inbox():
    return render_template("accounts/check_inbox.html")


@bp.route("/verifier/<token>")
def verify(token: str):
    try:
        user, just_verified = services.verify_email(token)
    except DomainError as err:
        uow.doom()
        return render_template("accounts/token_error.html", message=err.message), 400
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Votre adresse e-mail est confirmée. Bienvenue !"), "success")
        return redirect(url_for("accounts.account"))
    if just_verified and session.get(SIGNED_UP) == user.id and user.is_active_account \
            and not user.is_staff and not user.has_second_factor:
        # Same browser that signed up: the link and the password chosen here are enough.
        return _finish_login(user, remember=False,
                             next_url=session.get(AFTER_SIGN_UP) or url_for("accounts.account"),
                             greeting=_l("Votre adresse e-mail est confirmée. Bienvenue !"))
    flash(_("Votre adresse e-mail est confirmée. Bienvenue !"), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/verification/renvoyer")
@login_required
@limiter.limit(AUTH_LIMIT)
def resend_verification():
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.resend_verification(acting=_me()),
               to=url_for("accounts.account"),
               done=_("Un nouveau lien de confirmation vous a été envoyé."))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return safe_next(request.args.get("next"))
    form = forms.LoginForm(next=request.args.get("next") or session.get(AFTER_SIGN_UP, ""))
    outcome = submit(form, lambda: services.authenticate(form.email.data, form.password.data))
    if outcome.ok:
        user = outcome.value
        if user.has_second_factor:
            session.clear()
            session[PENDING] = {"token": user.session_token, "at": time.time(),
                                "remember": bool(form.remember.data),
                                "next": form.next.data or ""}
            return redirect(url_for("accounts.second_factor_login"))
        return _finish_login(user, remember=bool(form.remember.data), next_url=form.next.data)
    return render_form("accounts/login.html", form)


@bp.route("/connexion/code", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def second_factor_login():
    pending = session.get(PENDING) or {}
    user = services.get_user_by_session_token(str(pending.get("token", ""))) \
        if pending.get("token") else None
    if user is None or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash(_("Reconnectez-vous : la connexion a expiré."), "info")
        return redirect(url_for("accounts.login"))
    form = forms.SecondFactorForm()
    outcome = submit(form, lambda: second_factor.check_second_factor(user, form.code.data))
    if outcome.ok:
        if outcome.value == "recovery":
            flash(ngettext("Code de secours utilisé : il en reste %(num)d. Générez-en de "
                           "nouveaux depuis « Mon compte » si besoin.",
                           "Code de secours utilisé : il en reste %(num)d. Générez-en de "
                           "nouveaux depuis « Mon compte » si besoin.",
                           second_factor.remaining_recovery_codes(user)), "info")
        return _finish_login(user, remember=bool(pending.get("remember")),
                             next_url=pending.get("next"))
    return render_form("accounts/second_factor_login.html", form)


@bp.post("/deconnexion")
def logout():
    # What the door's scanner kept on this device (its page copy, its worker, the list of
    # people) is dropped by site.js before this form goes (data-door-forget), not by a
    # Clear-Site-Data header: "storage" would also wipe scans not yet uploaded, "cache"
    # would leave localStorage and the worker in place.
    if forms.EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            # A new session token: copies of this session or of the remember-me cookie die.
            services.end_sessions(acting=_me())
        logout_user()
        session.clear()
        flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("main.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if submit(form, lambda: services.request_password_reset(form.email.data)).ok:
        flash(_("Si un compte existe pour cette adresse, un lien de réinitialisation vient de "
                "lui être envoyé. Il est valable une heure."), "success")
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except DomainError as err:
        uow.doom()
        return render_template("accounts/token_error.html", message=err.message,
                               retry=url_for("accounts.forgot_password")), 400
    form = forms.ResetPasswordForm()
    if submit(form, lambda: services.reset_password(token, form.password.data)).ok:
        logout_user()
        flash(_("Votre mot de passe a été changé. Vous pouvez vous connecter."), "success")
        return redirect(url_for("accounts.login"))
    return render_form("accounts/reset_password.html", form)


def _account_page(**forms_given):
    page_forms = {
        "password_form": forms.ChangePasswordForm(prefix="pw"),
        "email_form": forms.ChangeEmailForm(prefix="em"),
        "delete_form": forms.DeleteAccountForm(prefix="del"),
        "empty_form": forms.EmptyForm(),
    }
    page_forms.update(forms_given)
    submitted = next(iter(forms_given.values()), page_forms["empty_form"])
    return render_form("accounts/account.html", submitted, **page_forms)


@bp.get("/compte")
@login_required
def account():
    return _account_page()


@bp.post("/compte/mot-de-passe")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="pw")
    if submit(form, lambda: services.change_password(
            acting=_me(), current_password=form.current_password.data,
            new_password=form.password.data)).ok:
        login_user(_me())  # new session token: keep this session, end the others
        flash(_("Votre mot de passe a été changé."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(password_form=form)


@bp.post("/compte/adresse")
@login_required
def change_email():
    form = forms.ChangeEmailForm(prefix="em")
    if submit(form, lambda: services.request_email_change(
            acting=_me(), new_email=form.email.data, password=form.password.data)).ok:
        flash(_("Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse "
                "actuelle reste valable jusqu'à la confirmation."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(email_form=form)


@bp.get("/compte/adresse/<token>")
def confirm_email_change(token: str):
    try:
        services.confirm_email_change(token)
    except DomainError as err:
        uow.doom()
        return render_template("accounts/token_error.html", message=err.message), 400
    flash(_("Votre nouvelle adresse e-mail est enregistrée."), "success")
    return redirect(url_for("accounts.account" if current_user.is_authenticated
                            else "accounts.login"))


@bp.get("/compte/mes-donnees.json")
@login_required
def export_data():
    body = json.dumps(services.export_data(acting=_me()), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-reseau-ess.json"',
        "Cache-Control": "no-store",
    })


@bp.post("/compte/supprimer")
@login_required
def delete_account():
    form = forms.DeleteAccountForm(prefix="del")
    if submit(form, lambda: services.delete_account(acting=_me(),
                                                    password=form.password.data)).ok:
        logout_user()
        session.clear()
        flash(_("Votre compte et vos données ont été supprimés."), "success")
        return redirect(url_for("main.home"))
    return _account_page(delete_form=form)


@bp.post("/compte/calendrier/nouveau-lien")
@login_required
def reset_calendar_token():
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    return act(lambda: services.reset_calendar_token(acting=_me()),
               to=url_for("accounts.account"),
               done=_("Le lien de votre agenda personnel a été renouvelé ; l'ancien ne "
                      "fonctionne plus."))


@bp.route("/compte/double-authentification", methods=["GET", "POST"])
@login_required
def second_factor_setup():
    """Enrol (QR code, then a first code), or see the state and renew recovery codes."""
    user = _me()
    form = forms.SecondFactorForm()
    codes = None
    if user.has_second_factor:
        if request.method == "POST":
            if not forms.EmptyForm().validate_on_submit():
                abort(400)
            codes = second_factor.issue_recovery_codes(acting=user)
        return render_template("accounts/second_factor_setup.html", form=form, codes=codes,
                               remaining=second_factor.remaining_recovery_codes(user),
                               empty_form=forms.EmptyForm())
    secret = second_factor.start_enrolment(acting=user)
    outcome = submit(form, lambda: second_factor.confirm_enrolment(form.code.data, acting=user))
    if outcome.ok:
        flash(_("La double authentification est activée."), "success")
        return render_template("accounts/second_factor_setup.html", form=form,
                               codes=outcome.value, remaining=len(outcome.value),
                               empty_form=forms.EmptyForm())
    uri = second_factor.provisioning_uri(user, secret)
    qr = base64.b64encode(second_factor.qr_png(uri)).decode("ascii")
    return render_form("accounts/second_factor_setup.html", form, secret=secret, qr=qr,
                       codes=None, empty_form=forms.EmptyForm())


@bp.post("/langue")
@bp.post("/compte/langue")
def set_language():
    """The language switcher (every page) and the account page: a cookie for this browser,
    and the account's language when logged in (mail follows it)."""
    lang = request.form.get("lang", "fr")
    if not forms.EmptyForm().validate_on_submit() or not i18n.valid(lang):
        abort(400)
    if current_user.is_authenticated:
        services.set_locale(lang, acting=_me())
    return set_language_cookie(safe_next(request.form.get("next")), lang)
