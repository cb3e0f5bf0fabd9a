"""Notification pages: email preferences and the calendar link, the private calendar feed,
messages to a shift's roster, and the outbox for site admins."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.i18n import _, _l, ngettext
from coprod.models import NotificationKind, OutboxStatus, Shift, User
from coprod.services import calendar, notifications, signups
from coprod.services import outbox as mail_outbox
from coprod.web.forms import ButtonForm, SelectField
from coprod.web.helpers import commit, form_status, public, run_service, window_args

bp = Blueprint("notifications", __name__)


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def preferences_form(data: dict[str, bool] | None = None) -> FlaskForm:
    """One checkbox per kind of email, labelled as the person sees it."""

    class PreferencesForm(FlaskForm):
        pass

    for kind, label in notifications.KIND_LABELS.items():
        setattr(PreferencesForm, kind.value, BooleanField(label))
    return PreferencesForm(data=data)


class ResetCalendarForm(FlaskForm):
    confirm = BooleanField(_l("I understand that the old link stops working at once"))


class RosterMessageForm(FlaskForm):
    subject = StringField(_l("Subject"))
    body = TextAreaField(_l("Message"))


def _feed_url(user: User) -> str:
    return url_for("notifications.calendar_feed", token=user.calendar_token, _external=True)


def _render_preferences(form: FlaskForm, reset: ResetCalendarForm) -> ResponseReturnValue:
    status = max(form_status(form), form_status(reset))
    return render_template(
        "notifications/preferences.html",
        form=form,
        reset=reset,
        kinds=list(notifications.KIND_LABELS),
        feed_url=_feed_url(_me()),
    ), status


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    session = db.session()
    me = _me()
    current = {k.value: v for k, v in notifications.get_preferences(session, me).items()}
    form = preferences_form(None if request.method == "POST" else current)
    if form.validate_on_submit():
        choices = {kind: bool(form[kind].data) for kind in current}
        if run_service(
            form, lambda: notifications.set_preferences(session, me, choices, now=utcnow())
        ):
            flash(_("Your email choices are saved."), "success")
            return redirect(url_for("notifications.preferences"), code=303)
    return _render_preferences(form, ResetCalendarForm(formdata=None))


@bp.route("/account/calendar/reset", methods=["POST"])
def reset_calendar() -> ResponseReturnValue:
    session = db.session()
    me = _me()
    reset = ResetCalendarForm()
    if reset.validate_on_submit():
        if not reset.confirm.data:
            reset.confirm.errors = [_("Tick the box to confirm that the old link should stop.")]
        elif run_service(reset, lambda: calendar.reset_calendar_token(session, me, now=utcnow())):
            flash(
                _("Your calendar has a new link. Subscribe to it again in your calendar app."),
                "success",
            )
            return redirect(url_for("notifications.preferences") + "#calendar", code=303)
    current = {k.value: v for k, v in notifications.get_preferences(session, me).items()}
    return _render_preferences(preferences_form(current), reset)


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> ResponseReturnValue:
    session = db.session()
    user = calendar.get_feed_user(session, token)
    feed = calendar.build_feed(session, user, request.host_url)
    return Response(
        feed,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="coprod-shifts.ics"',
            "Cache-Control": "private, max-age=300",
            "X-Robots-Tag": "noindex",
        },
    )


def _render_message(shift: Shift, form: RosterMessageForm) -> ResponseReturnValue:
    people = signups.roster_size(db.session(), _me(), shift)  # checks shift.view_roster
    return render_template(
        "notifications/message_roster.html", shift=shift, form=form, people=people
    ), form_status(form)


@bp.route("/shifts/<int:shift_id>/message", methods=["GET", "POST"])
def message_roster(shift_id: int) -> ResponseReturnValue:
    session = db.session()
    shift = signups.get_shift(session, _me(), shift_id)
    form = RosterMessageForm()
    if form.validate_on_submit():
        sent = run_service(
            form,
            lambda: notifications.message_roster(
                session, _me(), shift, form.subject.data or "", form.body.data or "", now=utcnow()
            ),
        )
        if sent is not None:
            flash(
                ngettext(
                    "Your message is on its way to %(num)d person.",
                    "Your message is on its way to %(num)d people.",
                    sent,
                ),
                "success",
            )
            return redirect(url_for("signups.roster", shift_id=shift.id), code=303)
    return _render_message(shift, form)


# --- site admin: the outbox ----------------------------------------------------------------

SHOW_CHOICES = [
    SelectChoice("problems", _l("Waiting or failed")),
    SelectChoice("failed", _l("Failed")),
    SelectChoice("pending", _l("Waiting to be sent")),
    SelectChoice("sent", _l("Sent")),
    SelectChoice("all", _l("All messages")),
]
# An email's status and kind as the outbox shows them (the enum values stay in the code).
OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}
KIND_NAMES = {
    NotificationKind.SIGNUP: _l("Sign-up"),
    NotificationKind.PROMOTED: _l("Place from the waiting list"),
    NotificationKind.WAITLIST_SKIPPED: _l("Passed over on a waiting list"),
    NotificationKind.ASSIGNED: _l("Assigned to a shift"),
    NotificationKind.SHIFT_CHANGED: _l("Shift changed"),
    NotificationKind.REMINDER: _l("Reminder"),
    NotificationKind.LOG_REVIEWED: _l("Log reviewed"),
    NotificationKind.REPORT_DIGEST: _l("Report digest"),
    NotificationKind.ROSTER_MESSAGE: _l("Message to a roster"),
    NotificationKind.PASSWORD_RESET: _l("Password reset"),
    NotificationKind.CONFIRM_EMAIL: _l("Email address confirmation"),
    NotificationKind.REGISTER_ATTEMPT: _l("Attempt to register"),
    NotificationKind.EMAIL_CHANGED: _l("Email address changed"),
    NotificationKind.ORG_DECLINED: _l("Organisation declined"),
}


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    show = SelectField(_l("Show"), choices=SHOW_CHOICES, default="problems")


def _console_mode() -> bool:
    return not current_app.config.get("MAIL_SERVER")


@bp.route("/admin/outbox")
def outbox() -> ResponseReturnValue:
    form = OutboxFilterForm(request.args)
    show = form.show.data if form.show.data in mail_outbox.OUTBOX_FILTERS else "problems"
    page = mail_outbox.list_outbox(db.session(), _me(), show, **window_args())
    return render_template(
        "notifications/outbox.html",
        form=form,
        page=page,
        show=show,
        button=ButtonForm(),
        console=_console_mode(),
        FAILED=OutboxStatus.FAILED,
        status_labels=OUTBOX_STATUS_LABELS,
    )


@bp.route("/admin/outbox/<int:message_id>")
def outbox_message(message_id: int) -> ResponseReturnValue:
    message = mail_outbox.get_message(db.session(), _me(), message_id)
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        button=ButtonForm(),
        console=_console_mode(),
        FAILED=OutboxStatus.FAILED,
        status_labels=OUTBOX_STATUS_LABELS,
        kind_names=KIND_NAMES,
    )


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int) -> ResponseReturnValue:
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("notifications.outbox"), code=303)
    mail_outbox.retry_message(db.session(), _me(), message_id, now=utcnow())
    commit()
    flash(_("The message is back in the queue; it will be sent within a minute."), "success")
    return redirect(url_for("notifications.outbox_message", message_id=message_id), code=303)
