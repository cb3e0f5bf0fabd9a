"""A person's own places: sign up for a shift, cancel a place, my schedule.

Also the helpers of the shift actions the task page shows.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField

from coprod.db import db, utcnow
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import Shift, SignupStatus
from coprod.services import contributions, signups
from coprod.web.helpers import commit, safe_next, window_args
from coprod.web.signups import bp
from coprod.web.signups._common import STATUS_LABELS, _actor, _roster_url


class CancelForm(FlaskForm):
    next = HiddenField()


def _task_url(shift: Shift) -> str:
    """The task page (owned by the tasks area), or my schedule while it is not installed."""
    if "tasks.show" in current_app.view_functions:
        return url_for("tasks.show", task_id=shift.task_id) + "#shifts"
    return url_for("signups.mine")


@bp.route("/shifts/<int:shift_id>/signup", methods=["POST"])
def sign_up(shift_id: int) -> ResponseReturnValue:
    session = db.session()
    shift = signups.get_shift(session, _actor(), shift_id)
    signup = signups.sign_up(session, _actor(), shift, utcnow())
    position = signups.waitlist_position(session, signup)
    commit()
    when = signups.describe_time(shift)
    if signup.status == SignupStatus.CONFIRMED:
        flash(
            _("You are signed up for “%(task)s” on %(when)s.", task=shift.task.title, when=when),
            "success",
        )
    else:
        flash(
            _(
                "That shift is full, so you are on the waiting list (position %(position)s) "
                "for “%(task)s” on %(when)s. If a place frees up, it is yours.",
                position=position,
                task=shift.task.title,
                when=when,
            ),
            "info",
        )
    return redirect(_task_url(shift), code=303)


@bp.route("/signups/<int:signup_id>/cancel", methods=["GET", "POST"])
def cancel(signup_id: int) -> ResponseReturnValue:
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
    status = 200
    if form.validate_on_submit():
        try:
            signups.cancel(session, actor, signup, utcnow())
            commit()
            if own:
                done = _("Your place on “%(task)s” is cancelled.", task=shift.task.title)
            else:
                done = _(
                    "%(name)s's place on “%(task)s” is cancelled.",
                    name=signup.volunteer.display_name,
                    task=shift.task.title,
                )
            flash(done, "success")
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
def mine() -> ResponseReturnValue:
    session = db.session()
    past = request.args.get("past") == "1"
    page = signups.list_my_schedule(session, _actor(), utcnow(), include_past=past, **window_args())
    return render_template(
        "signups/mine.html",
        page=page,
        past=past,
        positions=signups.waitlist_positions(session, page.items),
        shift_logs=contributions.my_shift_logs(session, _actor(), (s.shift_id for s in page.items)),
        now=utcnow(),
    )


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    """Helpers for `signups/_shift_actions.html`, which the task page includes."""

    def shift_started(shift: Shift) -> bool:
        return utcnow() >= shift.starts_at

    return {
        "shift_started": shift_started,
        "shift_time": signups.describe_time,
        "signup_status_label": lambda status: STATUS_LABELS.get(status, str(status)),
    }
