"""The signed-in person's account: its page, export, deletion, password, profile and email."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TelField

from coprod.db import db, utcnow
from coprod.extensions import export_limits
from coprod.i18n import _, _l, language_choices, ngettext
from coprod.services import account_deletion, accounts, exports, organisations, profile
from coprod.services.exports import deferred
from coprod.web.auth import bp
from coprod.web.auth._common import _start_session
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import form_status, run_service


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
