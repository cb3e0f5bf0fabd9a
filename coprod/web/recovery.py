"""Getting back in: forgotten passwords, reset links, and confirming an email address."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField

from coprod.db import db, utcnow
from coprod.extensions import email_limits
from coprod.i18n import _, _l
from coprod.services import profile, recovery
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, public, run_service

bp = Blueprint("recovery", __name__)


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email address"))


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"))


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


def _user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "user:-"


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@email_limits(_email_key, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: recovery.request_password_reset(
                db.session(), form.email.data or "", secret=_secret(), now=utcnow()
            ),
        )
        if done:
            # The same page whether or not the address has an account.
            return redirect(url_for("recovery.forgot_password_sent"), code=303)
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/forgot-password/sent")
@public
def forgot_password_sent() -> ResponseReturnValue:
    return render_template("auth/forgot_sent.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    form = ResetForm()
    person = recovery.get_reset_account(db.session(), token, secret=_secret(), now=utcnow())
    if form.validate_on_submit():
        changed = run_service(
            form,
            lambda: recovery.reset_password(
                db.session(), token, form.password.data or "", secret=_secret(), now=utcnow()
            ),
        )
        if changed is not None:
            logout_user()
            session.clear()
            return render_template("auth/reset_done.html", revoked=changed.tokens_revoked)
    return render_template("auth/reset.html", form=form, person=person), form_status(form)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str) -> ResponseReturnValue:
    """The emailed link opens a page with a button: a GET changes nothing."""
    form = ButtonForm()
    if form.validate_on_submit():
        user = recovery.confirm_email(db.session(), token, secret=_secret(), now=utcnow())
        commit()
        flash(_("Thank you: %(email)s is confirmed.", email=user.email), "success")
        target = "auth.account" if current_user.is_authenticated else "auth.login"
        return redirect(url_for(target), code=303)
    person = recovery.read_confirmation(db.session(), token, secret=_secret(), now=utcnow())
    return render_template("auth/confirm.html", form=form, person=person, change=False)


@bp.route("/account/confirm-email", methods=["POST"])
@email_limits(_user_key)
def resend_confirmation() -> ResponseReturnValue:
    recovery.resend_confirmation(
        db.session(), current_user._get_current_object(), secret=_secret(), now=utcnow()
    )
    commit()
    flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("auth.account"), code=303)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token: str) -> ResponseReturnValue:
    form = ButtonForm()
    if form.validate_on_submit():
        user = profile.confirm_email_change(db.session(), token, secret=_secret(), now=utcnow())
        commit()
        flash(_("Your email address is now %(email)s.", email=user.email), "success")
        target = "auth.account" if current_user.is_authenticated else "auth.login"
        return redirect(url_for(target), code=303)
    person = profile.read_email_change(db.session(), token, secret=_secret(), now=utcnow())
    return render_template("auth/confirm.html", form=form, person=person, change=True)
