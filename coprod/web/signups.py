"""Sign-ups: sign up and cancel, my schedule, the shift roster, assignments and attendance."""

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
from wtforms import EmailField, HiddenField, StringField

from coprod.db import db, utcnow
from coprod.errors import Conflict, Invalid
from coprod.i18n import _, _l, ngettext
from coprod.models import LogStatus, Shift, Signup, SignupStatus, User
from coprod.services import bounds, contributions, pagination, signups
from coprod.services.capacity import rosters
from coprod.services.shift_state import has_started
from coprod.web.forms import ButtonForm
from coprod.web.helpers import (
    commit,
    form_status,
    run_service,
    safe_next,
    window_args,
)

bp = Blueprint("signups", __name__)

STATUS_LABELS = {
    SignupStatus.CONFIRMED: _l("Confirmed"),
    SignupStatus.WAITLISTED: _l("Waitlisted"),
    SignupStatus.CANCELLED: _l("Cancelled"),
    SignupStatus.ATTENDED: _l("Attended"),
    SignupStatus.NO_SHOW: _l("No-show"),
    SignupStatus.SHIFT_CANCELLED: _l("Shift cancelled"),
}
# After marking attendance: the person's log of the shift, whole sentences (%(id)s: its number).
LOG_AFTER_ATTENDED = {
    LogStatus.SUBMITTED: _l("Their log #%(id)s of this shift is submitted."),
    LogStatus.APPROVED: _l("Their log #%(id)s of this shift is approved."),
    LogStatus.CHANGES_REQUESTED: _l("Their log #%(id)s of this shift is sent back for changes."),
}
LOG_KEPT_AFTER_NO_SHOW = {
    LogStatus.APPROVED: _l(
        "Their log #%(id)s of this shift (approved) stays: a reviewed log is not withdrawn. "
        "A reviewer can correct it."
    ),
    LogStatus.CHANGES_REQUESTED: _l(
        "Their log #%(id)s of this shift (changes requested) stays: a reviewed log is not "
        "withdrawn. A reviewer can correct it."
    ),
}


class AssignForm(FlaskForm):
    email = EmailField(_l("Volunteer's email address"))


class PickForm(FlaskForm):
    """A member picked from the coordinating organisation's list (radio buttons)."""

    user_id = StringField(_l("Member to assign"))


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


def _render_roster(
    shift: Shift, form: AssignForm | None = None, pick: PickForm | None = None
) -> ResponseReturnValue:
    session, actor, now = db.session(), _actor(), utcnow()
    form, pick = form or AssignForm(formdata=None), pick or PickForm(formdata=None)
    _, per_page = pagination.clamp(1, request.args.get("per_page"), default_per_page=50)
    page = signups.get_roster(
        session,
        actor,
        shift,
        after=request.args.get("after"),
        before=request.args.get("before"),
        per_page=per_page,
    )
    started = has_started(shift, now)
    query = request.values.get("q", "")
    candidates: list[signups.Candidate] = []
    more = False
    if not started:
        candidates, more = signups.list_members_to_assign(session, actor, shift, query)
    status = max(form_status(form), form_status(pick))
    return render_template(
        "signups/roster.html",
        shift=shift,
        page=page,
        contacts=signups.roster_contacts(session, actor, shift, page.items),
        gaps={} if started else rosters.roster_gaps(session, shift, page.items),
        form=form,
        pick=pick,
        query=query,
        candidates=candidates,
        more_candidates=more,
        button=ButtonForm(),
        waiting=signups.count_waitlisted(session, shift),
        unmarked=signups.count_unmarked(session, shift) if started else 0,
        started=started,
    ), status


@bp.route("/shifts/<int:shift_id>/roster")
def roster(shift_id: int) -> ResponseReturnValue:
    return _render_roster(signups.get_shift(db.session(), _actor(), shift_id))


@bp.route("/shifts/<int:shift_id>/roster.csv")
def roster_csv(shift_id: int) -> Response:
    session, actor = db.session(), _actor()
    shift = signups.get_shift(session, actor, shift_id)
    lines = signups.list_roster_lines(session, actor, shift, utcnow())
    response = Response(signups.roster_csv(lines), mimetype="text/csv")
    name = signups.roster_file_name(shift)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/shifts/<int:shift_id>/roster/print")
def roster_print(shift_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    shift = signups.get_shift(session, actor, shift_id)
    lines = signups.list_roster_lines(session, actor, shift, utcnow(), seated_only=True)
    task = shift.task
    return render_template(
        "signups/roster_print.html",
        shift=shift,
        lines=lines,
        organisation=task.coordinating_organisation or task.programme.lead_organisation,
        waiting=signups.count_waitlisted(session, shift),
        blank_rows=3,
    )


@bp.route("/shifts/<int:shift_id>/attendance", methods=["GET", "POST"])
def mark_all(shift_id: int) -> ResponseReturnValue:
    """Mark everyone confirmed as attended, after a page that asks to confirm."""
    session, actor = db.session(), _actor()
    shift = signups.get_shift(session, actor, shift_id)
    form = ButtonForm()
    if form.validate_on_submit():
        marked = signups.mark_all_attended(session, actor, shift, utcnow())
        commit()
        flash(
            ngettext(
                "%(num)d person is marked as attended.",
                "%(num)d people are marked as attended.",
                len(marked),
            ),
            "success",
        )
        return redirect(_roster_url(shift), code=303)
    lines = signups.list_roster_lines(session, actor, shift, utcnow(), seated_only=True)
    return render_template(
        "signups/mark_all.html",
        shift=shift,
        form=form,
        unmarked=[line for line in lines if line.signup.status == SignupStatus.CONFIRMED],
        started=utcnow() >= shift.starts_at,
    )


@bp.route("/shifts/<int:shift_id>/assign-member", methods=["POST"])
def assign_member(shift_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    shift = signups.get_shift(session, actor, shift_id)
    pick = PickForm()
    if pick.validate_on_submit():
        user_id = bounds.as_id(pick.user_id.data)
        signup = run_service(
            pick,
            lambda: signups.assign_member(session, actor, shift, user_id, utcnow()),
        )
        if signup is not None:
            return _assigned(shift, signup)
    return _render_roster(shift, pick=pick)


def _assigned(shift: Shift, signup: Signup) -> ResponseReturnValue:
    name = signup.volunteer.display_name
    if signup.status == SignupStatus.CONFIRMED:
        flash(_("%(name)s is assigned to this shift (confirmed).", name=name), "success")
    else:
        flash(_("%(name)s is assigned to this shift (waitlisted).", name=name), "success")
    return redirect(_roster_url(shift), code=303)


@bp.route("/shifts/<int:shift_id>/assign", methods=["POST"])
def assign(shift_id: int) -> ResponseReturnValue:
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
            return _assigned(shift, signup)
    return _render_roster(shift, form)


@bp.route("/signups/<int:signup_id>/attendance", methods=["POST"])
def attendance(signup_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    signup = signups.get_signup(session, actor, signup_id, "signup.attendance")
    raw = request.form.get("attended")
    if raw not in ("1", "0"):
        raise Invalid("attended", _("Choose attended or no-show."))
    signups.mark_attendance(session, actor, signup, raw == "1", utcnow())
    commit()
    name = signup.volunteer.display_name
    if raw == "1":
        flash(_("%(name)s is marked as attended.", name=name), "success")
    else:
        flash(_("%(name)s is marked as no-show.", name=name), "success")
    log = contributions.shift_log_of(session, signup)  # made, or kept, by mark_attendance
    if log is not None and raw == "0" and log.status in LOG_KEPT_AFTER_NO_SHOW:
        flash(str(LOG_KEPT_AFTER_NO_SHOW[log.status]) % {"id": log.id}, "warning")
    elif log is not None and raw == "1" and log.status in LOG_AFTER_ATTENDED:
        flash(str(LOG_AFTER_ATTENDED[log.status]) % {"id": log.id}, "info")
    return redirect(_roster_url(signup.shift), code=303)


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
