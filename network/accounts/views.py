"""Sign-up, log-in, verification, reset and the "Mon compte" page: thin views over services."""

from __future__ import annotations

import json

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
from flask_login import current_user, login_required, login_user, logout_user

from network.accounts import forms, services
from network.core.errors import DomainError
from network.core.web import form_error, safe_next
from network.extensions import limiter
from network.outbox.preview import remember_preview

bp = Blueprint("accounts", __name__)

AUTH_LIMIT = "10 per minute;50 per hour"
AFTER_SIGN_UP = "next_after_sign_up"


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    if request.args.get("next"):
        # Where the person was going (an invitation, an event): back there after verification.
        session[AFTER_SIGN_UP] = request.args["next"]
    form = forms.SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up(name=form.name.data, email=form.email.data,
                                    password=form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            remember_preview(user.email)
            return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/sign_up.html", form=form), 200 if not form.errors else 422


@bp.route("/inscription/verifiez-vos-courriels")
def check_inbox():
    return render_template("accounts/check_inbox.html")


@bp.route("/verifier/<token>")
def verify(token: str):
    try:
        user = services.verify_email(token)
    except DomainError as err:
        return render_template("accounts/token_error.html", message=err.message), 400
    flash("Votre adresse e-mail est confirmée. Bienvenue !", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.login"))


@bp.post("/verification/renvoyer")
@login_required
@limiter.limit(AUTH_LIMIT)
def resend_verification():
    if forms.EmptyForm().validate_on_submit():
        services.resend_verification(current_user)
        remember_preview(current_user.email)
        flash("Un nouveau lien de confirmation vous a été envoyé.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return safe_next(request.args.get("next"))
    form = forms.LoginForm(next=request.args.get("next") or session.get(AFTER_SIGN_UP, ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            session.clear()  # no fixation: a fresh session after authentication
            login_user(user, remember=form.remember.data)
            session["lang"] = user.locale
            flash(f"Bonjour {user.name} !", "success")
            return safe_next(form.next.data)
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/deconnexion")
def logout():
    if forms.EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("Vous êtes déconnecté(e).", "success")
    return redirect(url_for("main.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        remember_preview(services.normalize_email(form.email.data))
        flash("Si un compte existe pour cette adresse, un lien de réinitialisation vient de "
              "lui être envoyé. Il est valable une heure.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except DomainError as err:
        return render_template("accounts/token_error.html", message=err.message,
                               retry=url_for("accounts.forgot_password")), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            logout_user()
            flash("Votre mot de passe a été changé. Vous pouvez vous connecter.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


def _account_page(status: int = 200, **forms_given):
    page_forms = {
        "password_form": forms.ChangePasswordForm(prefix="pw"),
        "email_form": forms.ChangeEmailForm(prefix="em"),
        "delete_form": forms.DeleteAccountForm(prefix="del"),
        "empty_form": forms.EmptyForm(),
    }
    page_forms.update(forms_given)
    return render_template("accounts/account.html", **page_forms), status


@bp.get("/compte")
@login_required
def account():
    return _account_page()


@bp.post("/compte/mot-de-passe")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            login_user(current_user._get_current_object())  # new session token: keep this one
            flash("Votre mot de passe a été changé.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.post("/compte/adresse")
@login_required
def change_email():
    form = forms.ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            remember_preview(services.normalize_email(form.email.data))
            flash("Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse "
                  "actuelle reste valable jusqu'à la confirmation.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, email_form=form)


@bp.get("/compte/adresse/<token>")
def confirm_email_change(token: str):
    try:
        services.confirm_email_change(token)
    except DomainError as err:
        return render_template("accounts/token_error.html", message=err.message), 400
    flash("Votre nouvelle adresse e-mail est enregistrée.", "success")
    return redirect(url_for("accounts.account" if current_user.is_authenticated
                            else "accounts.login"))


@bp.get("/compte/mes-donnees.json")
@login_required
def export_data():
    body = json.dumps(services.export_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-reseau-ess.json"',
        "Cache-Control": "no-store",
    })


@bp.post("/compte/supprimer")
@login_required
def delete_account():
    form = forms.DeleteAccountForm(prefix="del")
    if form.validate_on_submit():
        try:
            services.delete_account(current_user._get_current_object(), form.password.data)
        except DomainError as err:
            form_error(form, err)
        else:
            logout_user()
            session.clear()
            flash("Votre compte et vos données ont été supprimés.", "success")
            return redirect(url_for("main.home"))
    return _account_page(422, delete_form=form)


@bp.post("/compte/calendrier/nouveau-lien")
@login_required
def reset_calendar_token():
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    services.reset_calendar_token(current_user)
    flash("Le lien de votre agenda personnel a été renouvelé ; l'ancien ne fonctionne plus.",
          "success")
    return redirect(url_for("accounts.account"))


@bp.post("/langue")
def set_language():
    lang = request.form.get("lang", "fr")
    if not forms.EmptyForm().validate_on_submit() or lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        services.set_locale(current_user, lang)
    return safe_next(request.form.get("next"))
