"""A shift's roster (page, CSV, print), assigning volunteers to it and marking attendance."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField

from coprod.db import db, utcnow
from coprod.errors import Invalid
from coprod.i18n import _, _l, ngettext
from coprod.models import LogStatus, Shift, Signup, SignupStatus
from coprod.services import bounds, contributions, pagination, signups
from coprod.services.capacity import rosters
from coprod.services.shift_state import has_started
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, run_service
from coprod.web.signups import bp
from coprod.web.signups._common import _actor, _roster_url

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
