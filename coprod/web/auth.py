"""Accounts: register, sign in and out, change password, the account page and profile."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TelField

from coprod.db import db, utcnow
from coprod.extensions import export_limits, limiter, password_guess_limits
from coprod.i18n import _, _l, language_choices, ngettext
from coprod.models import User
from coprod.services import (
    account_deletion,
    accounts,
    exports,
    organisations,
    profile,
    recovery,
)
from coprod.services.exports import deferred
from coprod.web.forms import ButtonForm
from coprod.web.helpers import form_status, public, run_service, safe_next

bp = Blueprint("auth", __name__)


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Your name"))
    email = EmailField(_l("Email address"))
    password = PasswordField(_l("Password"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in on this device (30 days)"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Your name"))
    phone = TelField(_l("Phone number"))
    email = EmailField(_l("Email address"))
    # Any value reaches the service, which says what is wrong (a select would say "Not a
    # valid choice" for a tampered one, in WTForms' words).
    language = SelectField(_l("Language"), choices=[], validate_choice=False)


def _failed(response: Response) -> bool:
    """Only refused attempts count towards the limits; a successful sign-in redirects."""
    return bool(response.status_code != 303)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _limit(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session at every login: nothing carried over
    login_user(user, remember=remember)


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


@bp.route("/account")
@login_required
def account() -> ResponseReturnValue:
    return render_template(
        "auth/account.html",
        password_form=PasswordForm(),
        logout_form=ButtonForm(),
        role_label=organisations.role_label,
    )


@bp.route("/account/export", methods=["POST"])
@login_required
@export_limits
def export_data() -> ResponseReturnValue:
    """Download my data: the ZIP of everything coprod holds about the signed-in person (a POST
    behind the site-wide CSRF check, so no other site can make a browser fetch it), or, when
    it is big, the promise of an email with its link."""
    person = current_user._get_current_object()
    result = exports.export_or_queue(
        db.session(),
        person,
        person,
        now=utcnow(),
        inline_max=current_app.config["EXPORT_INLINE_MAX_ROWS"],
    )
    if isinstance(result, exports.Export):
        return export_response(result)
    db.session.commit()
    flash(exports.queued_message(), "info")
    return redirect(url_for("auth.account"), code=303)


@bp.route("/account/export/<token>")
@login_required
def download_export(token: str) -> Response:
    """The big export the emailed link points to, for the person it was made for."""
    person = current_user._get_current_object()
    secret = current_app.config["SECRET_KEY"]
    built = deferred.get_download(db.session(), person, token, secret, now=utcnow())
    return export_response(exports.Export(built.filename, built.data or b"", built.rows))


def export_response(export: exports.Export) -> Response:
    """The ZIP as a download that no shared cache keeps (the API sends it the same way)."""
    response = Response(export.data, mimetype=exports.ZIP_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> ResponseReturnValue:
    """Say plainly what deleting the account does, then do it after the password."""
    form = DeleteAccountForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: account_deletion.delete_own_account(
                db.session(), user, form.password.data or "", now=utcnow()
            ),
        )
        if done:
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Thank you for the time you gave."), "info")
            return redirect(url_for("main.index"), code=303)
    handover = account_deletion.organisations_needing_handover(db.session(), user)
    return render_template("auth/delete.html", form=form, handover=handover), form_status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
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
                now=utcnow(),
            ),
        )
        if done:
            _start_session(user)
            flash(password_changed_message(done.tokens_revoked), "success")
            return redirect(url_for("auth.account"), code=303)
    return render_template("auth/password.html", form=form), form_status(form)


def password_changed_message(revoked: int) -> str:
    """What a new password ended, said on the page (nothing is revoked silently)."""
    if not revoked:
        return _("Your password is changed. Every other device is signed out.")
    return ngettext(
        "Your password is changed. Every other device is signed out. Your %(num)d API token "
        "was revoked: create new ones on the API tokens page.",
        "Your password is changed. Every other device is signed out. Your %(num)d API tokens "
        "were revoked: create new ones on the API tokens page.",
        revoked,
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = ProfileForm(obj=None if request.method == "POST" else user)
    form.language.choices = [("", _("The language of my browser")), *language_choices()]
    if request.method == "GET":
        form.language.data = user.language or ""
    if form.validate_on_submit():
        change = run_service(
            form,
            lambda: profile.update_profile(
                db.session(),
                user,
                display_name=form.display_name.data or "",
                phone=form.phone.data or "",
                email=form.email.data or "",
                language=form.language.data or "",
                secret=current_app.config["SECRET_KEY"],
                now=utcnow(),
            ),
        )
        if change is not None:
            message = _("Your profile is saved.")
            if change.email_pending:
                message = _(
                    "Your profile is saved. We sent a link to %(new)s: your address changes "
                    "when you follow it. Until then we keep using %(old)s.",
                    new=user.pending_email,
                    old=user.email,
                )
            flash(message, "success")
            return redirect(url_for("auth.account"), code=303)
    return render_template("auth/profile.html", form=form), form_status(form)


@bp.route("/account/email/cancel", methods=["POST"])
@login_required
def cancel_email_change() -> ResponseReturnValue:
    profile.cancel_email_change(db.session(), current_user._get_current_object(), now=utcnow())
    db.session.commit()
    flash(_("The change of email address is cancelled."), "success")
    return redirect(url_for("auth.account"), code=303)
