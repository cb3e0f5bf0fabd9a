"""Accounts: register, sign in and out, change password, the account page."""

from __future__ import annotations

from typing import Any

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
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField

from coprod.db import db
from coprod.extensions import limiter, password_guess_limits
from coprod.services import accounts
from coprod.web.forms import ButtonForm
from coprod.web.helpers import form_status, public, run_service, safe_next

bp = Blueprint("auth", __name__)


class RegisterForm(FlaskForm):
    display_name = StringField("Your name")
    email = EmailField("Email address")
    password = PasswordField("Password")


class LoginForm(FlaskForm):
    email = EmailField("Email address")
    password = PasswordField("Password")
    remember = BooleanField("Keep me signed in on this device (30 days)")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password")
    new_password = PasswordField("New password")


def _failed(response: Any) -> bool:
    """Only refused attempts count towards the limits; a successful sign-in redirects."""
    return bool(response.status_code != 303)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _limit(name: str) -> Any:
    return lambda: current_app.config[name]


def _start_session(user: Any, remember: bool = False) -> None:
    session.clear()  # a fresh session at every login: nothing carried over
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_limit("REGISTER_LIMIT_PER_ADDRESS"), methods=["POST"])
def register() -> Any:
    form = RegisterForm()
    if form.validate_on_submit():
        user = run_service(
            form,
            lambda: accounts.register(
                db.session(),
                email=form.email.data or "",
                password=form.password.data or "",
                display_name=form.display_name.data or "",
            ),
        )
        if user is not None:
            _start_session(user)
            flash("Welcome to coprod. Your account is ready.", "success")
            return redirect(url_for("main.index"), code=303)
    return render_template("auth/register.html", form=form), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
@public
@password_guess_limits(_account_key, _failed, methods=["POST"])
def login() -> Any:
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
            flash(f"Signed in as {user.display_name}.", "success")
            return redirect(safe_next(next_url, url_for("main.index")), code=303)
    return render_template("auth/login.html", form=form, next_url=next_url), form_status(form)


@bp.route("/logout", methods=["POST"])
@public
def logout() -> Any:
    if current_user.is_authenticated:
        # Server-side: a copy of this session (or its remember-me cookie) stops working too.
        accounts.end_all_sessions(db.session(), current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("main.index"), code=303)


@bp.route("/account")
@login_required
def account() -> Any:
    return render_template(
        "auth/account.html", password_form=PasswordForm(), logout_form=ButtonForm()
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        done = run_service(
            form,
            lambda: accounts.change_password(
                db.session(),
                user,
                current=form.current_password.data or "",
                new=form.new_password.data or "",
            ),
        )
        if done:
            _start_session(user)
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("auth.account"), code=303)
    return render_template("auth/password.html", form=form), form_status(form)
