"""Notification pages: email preferences and the calendar link, the private calendar feed,
messages to a shift's roster, and the outbox for site admins."""

from __future__ import annotations

from typing import Any

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
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.models import OutboxStatus, User
from coprod.services import calendar, notifications, signups
from coprod.services import outbox as mail_outbox
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, page_args, public, run_service

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
    confirm = BooleanField("I understand that the old link stops working at once")


class RosterMessageForm(FlaskForm):
    subject = StringField("Subject")
    body = TextAreaField("Message")


def _feed_url(user: User) -> str:
    return url_for("notifications.calendar_feed", token=user.calendar_token, _external=True)


def _render_preferences(form: FlaskForm, reset: ResetCalendarForm) -> Any:
    status = max(form_status(form), form_status(reset))
    return render_template(
        "notifications/preferences.html",
        form=form,
        reset=reset,
        kinds=list(notifications.KIND_LABELS),
        feed_url=_feed_url(_me()),
    ), status


@bp.route("/account/notifications", methods=["GET", "POST"])
def preferences() -> Any:
    session = db.session()
    me = _me()
    current = {k.value: v for k, v in notifications.get_preferences(session, me).items()}
    form = preferences_form(None if request.method == "POST" else current)
    if form.validate_on_submit():
        choices = {kind: bool(form[kind].data) for kind in current}
        if run_service(
            form, lambda: notifications.set_preferences(session, me, choices, now=utcnow())
        ):
            flash("Your email choices are saved.", "success")
            return redirect(url_for("notifications.preferences"), code=303)
    return _render_preferences(form, ResetCalendarForm(formdata=None))


@bp.route("/account/calendar/reset", methods=["POST"])
def reset_calendar() -> Any:
    session = db.session()
    me = _me()
    reset = ResetCalendarForm()
    if reset.validate_on_submit():
        if not reset.confirm.data:
            reset.confirm.errors = ["Tick the box to confirm that the old link should stop."]
        elif run_service(reset, lambda: calendar.reset_calendar_token(session, me, now=utcnow())):
            flash(
                "Your calendar has a new link. Subscribe to it again in your calendar app.",
                "success",
            )
            return redirect(url_for("notifications.preferences") + "#calendar", code=303)
    current = {k.value: v for k, v in notifications.get_preferences(session, me).items()}
    return _render_preferences(preferences_form(current), reset)


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Any:
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


def _render_message(shift: Any, form: RosterMessageForm) -> Any:
    roster = signups.get_roster(db.session(), _me(), shift, 1, 1)  # checks shift.view_roster
    return render_template(
        "notifications/message_roster.html", shift=shift, form=form, people=roster.total
    ), form_status(form)


@bp.route("/shifts/<int:shift_id>/message", methods=["GET", "POST"])
def message_roster(shift_id: int) -> Any:
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
            people = "person" if sent == 1 else "people"
            flash(f"Your message is on its way to {sent} {people}.", "success")
            return redirect(url_for("signups.roster", shift_id=shift.id), code=303)
    return _render_message(shift, form)


# --- site admin: the outbox ----------------------------------------------------------------

SHOW_CHOICES = [
    SelectChoice("problems", "Waiting or failed"),
    SelectChoice("failed", "Failed"),
    SelectChoice("pending", "Waiting to be sent"),
    SelectChoice("sent", "Sent"),
    SelectChoice("all", "All messages"),
]


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    show = SelectField("Show", choices=SHOW_CHOICES, default="problems")


def _console_mode() -> bool:
    return not current_app.config.get("MAIL_SERVER")


@bp.route("/admin/outbox")
def outbox() -> Any:
    form = OutboxFilterForm(request.args)
    show = form.show.data if form.show.data in mail_outbox.OUTBOX_FILTERS else "problems"
    page_no, per_page = page_args()
    page = mail_outbox.list_outbox(db.session(), _me(), show, page_no, per_page)
    return render_template(
        "notifications/outbox.html",
        form=form,
        page=page,
        show=show,
        button=ButtonForm(),
        console=_console_mode(),
        FAILED=OutboxStatus.FAILED,
    )


@bp.route("/admin/outbox/<int:message_id>")
def outbox_message(message_id: int) -> Any:
    message = mail_outbox.get_message(db.session(), _me(), message_id)
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        button=ButtonForm(),
        console=_console_mode(),
        FAILED=OutboxStatus.FAILED,
    )


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int) -> Any:
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("notifications.outbox"), code=303)
    mail_outbox.retry_message(db.session(), _me(), message_id, now=utcnow())
    commit()
    flash("The message is back in the queue; it will be sent within a minute.", "success")
    return redirect(url_for("notifications.outbox_message", message_id=message_id), code=303)
