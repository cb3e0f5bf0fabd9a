"""Sign-ups: sign up and cancel, my schedule, the shift roster, assignments and attendance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField

from coprod.db import db, utcnow
from coprod.errors import Conflict, Invalid
from coprod.models import Shift, Signup, SignupStatus, User
from coprod.services import contributions, pagination, signups
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, page_args, run_service, safe_next

bp = Blueprint("signups", __name__)

STATUS_LABELS = {
    SignupStatus.CONFIRMED: "Confirmed",
    SignupStatus.WAITLISTED: "Waitlisted",
    SignupStatus.CANCELLED: "Cancelled",
    SignupStatus.ATTENDED: "Attended",
    SignupStatus.NO_SHOW: "No-show",
}


class AssignForm(FlaskForm):
    email = EmailField("Volunteer's email address")


class CancelForm(FlaskForm):
    next = HiddenField()


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _task_url(shift: Shift) -> str:
    """The task page (owned by the tasks area), or my schedule while it is not installed."""
    if "tasks.show" in current_app.view_functions:
        return url_for("tasks.show", task_id=shift.task_id) + "#shifts"
    return url_for("signups.mine")


def _roster_url(shift: Shift) -> str:
    return url_for("signups.roster", shift_id=shift.id)


def _subject(actor: User, signup: Signup) -> str:
    return "Your" if signup.user_id == actor.id else f"{signup.volunteer.display_name}'s"


@bp.route("/shifts/<int:shift_id>/signup", methods=["POST"])
def sign_up(shift_id: int) -> Any:
    session = db.session()
    shift = signups.get_shift(session, _actor(), shift_id)
    signup = signups.sign_up(session, _actor(), shift, utcnow())
    position = signups.waitlist_position(session, signup)
    commit()
    when = signups.describe_time(shift)
    if signup.status == SignupStatus.CONFIRMED:
        flash(f"You are signed up for “{shift.task.title}” on {when}.", "success")
    else:
        flash(
            f"That shift is full, so you are on the waiting list (position {position}) for "
            f"“{shift.task.title}” on {when}. If a place frees up, it is yours.",
            "info",
        )
    return redirect(_task_url(shift), code=303)


@bp.route("/signups/<int:signup_id>/cancel", methods=["GET", "POST"])
def cancel(signup_id: int) -> Any:
    session = db.session()
    actor = _actor()
    signup = signups.get_signup(session, actor, signup_id, "signup.cancel")
    shift = signup.shift
    own = signup.user_id == actor.id
    default = url_for("signups.mine") if own else _roster_url(shift)
    form = CancelForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), default)
    next_url = safe_next(form.next.data, default)
    subject = _subject(actor, signup)
    status = 200
    if form.validate_on_submit():
        try:
            signups.cancel(session, actor, signup, utcnow())
            commit()
            flash(f"{subject} place on “{shift.task.title}” is cancelled.", "success")
            return redirect(next_url, code=303)
        except Conflict as err:  # cancelled meanwhile, or started: the page says so, 409
            session.rollback()
            form.form_errors.append(err.message)
            status = 409
    return render_template(
        "signups/cancel.html",
        form=form,
        signup=signup,
        shift=shift,
        own=own,
        next_url=next_url,
        started=utcnow() >= shift.starts_at,
    ), status


@bp.route("/my/schedule")
def mine() -> Any:
    session = db.session()
    page_no, per_page = page_args()
    past = request.args.get("past") == "1"
    page = signups.list_my_schedule(session, _actor(), utcnow(), page_no, per_page, past)
    return render_template(
        "signups/mine.html",
        page=page,
        past=past,
        positions=signups.waitlist_positions(session, page.items),
        shift_logs=contributions.my_shift_logs(session, _actor(), (s.shift_id for s in page.items)),
        now=utcnow(),
    )


def _render_roster(shift: Shift, form: AssignForm) -> Any:
    session = db.session()
    page_no, per_page = pagination.clamp(
        request.args.get("page"), request.args.get("per_page"), default_per_page=50
    )
    page = signups.get_roster(session, _actor(), shift, page_no, per_page)
    return render_template(
        "signups/roster.html",
        shift=shift,
        page=page,
        contacts=signups.roster_contacts(session, shift, page.items),
        form=form,
        button=ButtonForm(),
        waiting=signups.count_waitlisted(session, shift),
        started=utcnow() >= shift.starts_at,
    ), form_status(form)


@bp.route("/shifts/<int:shift_id>/roster")
def roster(shift_id: int) -> Any:
    return _render_roster(signups.get_shift(db.session(), _actor(), shift_id), AssignForm())


@bp.route("/shifts/<int:shift_id>/assign", methods=["POST"])
def assign(shift_id: int) -> Any:
    session = db.session()
    actor = _actor()
    shift = signups.get_shift(session, _actor(), shift_id)
    form = AssignForm()
    if form.validate_on_submit():
        signup = run_service(
            form,
            lambda: signups.assign_by_email(session, actor, shift, form.email.data or "", utcnow()),
        )
        if signup is not None:
            name = signup.volunteer.display_name
            state = "confirmed" if signup.status == SignupStatus.CONFIRMED else "waitlisted"
            flash(f"{name} is assigned to this shift ({state}).", "success")
            return redirect(_roster_url(shift), code=303)
    return _render_roster(shift, form)


@bp.route("/signups/<int:signup_id>/attendance", methods=["POST"])
def attendance(signup_id: int) -> Any:
    session = db.session()
    actor = _actor()
    signup = signups.get_signup(session, actor, signup_id, "signup.attendance")
    raw = request.form.get("attended")
    if raw not in ("1", "0"):
        raise Invalid("attended", "Choose attended or no-show.")
    signups.mark_attendance(session, actor, signup, raw == "1", utcnow())
    commit()
    label = STATUS_LABELS[signup.status].lower()
    flash(f"{signup.volunteer.display_name} is marked as {label}.", "success")
    log = contributions.shift_log_of(session, signup)  # made, or kept, by mark_attendance
    if log is not None and raw == "0":
        flash(
            f"Their log #{log.id} of this shift ({log.status.value.replace('_', ' ')}) stays: "
            "a reviewed log is not withdrawn. A reviewer can correct it.",
            "warning",
        )
    elif log is not None:
        flash(f"Their log #{log.id} of this shift is {log.status.value}.", "info")
    return redirect(_roster_url(signup.shift), code=303)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    """Helpers for `signups/_shift_actions.html`, which the task page includes."""

    def shift_started(shift: Shift) -> bool:
        return utcnow() >= shift.starts_at

    return {
        "shift_started": shift_started,
        "shift_time": signups.describe_time,
        "signup_status_label": lambda status: STATUS_LABELS.get(status, str(status)),
    }
