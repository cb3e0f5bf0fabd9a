"""Getting in and out: register (and the page after it), sign in with its limits, sign out."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField

from coprod.db import db, utcnow
from coprod.extensions import limiter, password_guess_limits
from coprod.i18n import _, _l
from coprod.services import accounts, recovery
from coprod.web.auth import bp
from coprod.web.auth._common import _start_session
from coprod.web.helpers import form_status, public, run_service, safe_next


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Your name"))
    email = EmailField(_l("Email address"))
    password = PasswordField(_l("Password"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in on this device (30 days)"))


def _failed(response: Response) -> bool:
    """Only refused attempts count towards the limits; a successful sign-in redirects."""
    return bool(response.status_code != 303)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _limit(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_limit("REGISTER_LIMIT_PER_ADDRESS"), methods=["POST"])
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: (
                recovery.register_or_notify(
                    db.session(),
                    email=form.email.data or "",
                    password=form.password.data or "",
                    display_name=form.display_name.data or "",
                    secret=current_app.config["SECRET_KEY"],
                    now=utcnow(),
                    confirmation_required=current_app.config["EMAIL_CONFIRMATION_REQUIRED"],
                    privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
                )
                or True
            ),
        )
        if done:
            # The same page whether the address was new or already had an account.
            return redirect(url_for("auth.register_sent"), code=303)
    return render_template("auth/register.html", form=form), form_status(form)


@bp.route("/register/check-email")
@public
def register_sent() -> ResponseReturnValue:
    required = current_app.config["EMAIL_CONFIRMATION_REQUIRED"]
    return render_template("auth/register_sent.html", confirmation_required=required)


@bp.route("/login", methods=["GET", "POST"])
@public
@password_guess_limits(_account_key, _failed, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = run_service(
            form,
            lambda: accounts.authenticate(
                db.session(), email=form.email.data or "", password=form.password.data or ""
            ),
        )
        if user is not None:
            _start_session(user, remember=bool(form.remember.data))
            flash(_("Signed in as %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(next_url, url_for("main.index")), code=303)
    return render_template("auth/login.html", form=form, next_url=next_url), form_status(form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # Server-side: a copy of this session (or its remember-me cookie) stops working too.
        accounts.end_all_sessions(db.session(), current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"), code=303)
