"""My logs and hours, logging hours on a task, and changing or withdrawing a log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import StringField
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.i18n import _
from coprod.models import ContributionLog, LogStatus, Organisation, Task
from coprod.services import contributions, record
from coprod.services.shift_state import has_started
from coprod.services.signups import describe_time
from coprod.web.contributions import bp
from coprod.web.contributions._common import IN_KIND_ROWS, STATUS_LABELS, _actor, _int_or_none
from coprod.web.contributions.forms import (
    DecimalText,
    LogForm,
    LogValues,
    StatusFilter,
    log_form_class,
)
from coprod.web.forms import ButtonForm, field_of
from coprod.web.helpers import commit, form_status, run_service


def _make_form(
    task: Task, organisations: list[Organisation] | None = None, keep: int | None = None
) -> LogForm:
    """The log form, offering the task's shifts that have started (a shift not yet started
    cannot be logged) and the shift `keep` (the one the log being changed already names)."""
    form = log_form_class(task, organisations)()
    now = utcnow()
    form.shift.choices = [SelectChoice("", _("No particular shift"))] + [
        SelectChoice(str(s.id), describe_time(s))
        for s in task.shifts
        if has_started(s, now) or s.id == keep
    ]
    return form


def _fill_from(form: LogForm, log: ContributionLog) -> None:
    form.date.data = log.date
    form.hours.data = log.hours
    form.notes.data = log.notes
    form.shift.data = str(log.shift_id or "")
    for o in log.outcomes:
        if hasattr(form, f"outcome_{o.metric_id}"):
            field_of(form, f"outcome_{o.metric_id}", DecimalText).data = o.quantity
    for i, item in enumerate(log.in_kind[:IN_KIND_ROWS]):
        field_of(form, f"in_kind_{i}_description", StringField).data = item.description
        field_of(form, f"in_kind_{i}_value", DecimalText).data = item.value


def _values(form: LogForm, task: Task) -> LogValues:
    """What the form holds, as the contributions services take it."""
    shifts = {str(s.id): s for s in task.shifts}
    outcomes = []
    for metric in task.metrics:
        quantity = field_of(form, f"outcome_{metric.id}", DecimalText).data
        if quantity is not None:
            outcomes.append((metric.id, quantity))
    in_kind = [
        (
            field_of(form, f"in_kind_{i}_description", StringField).data or "",
            field_of(form, f"in_kind_{i}_value", DecimalText).data,
        )
        for i in range(IN_KIND_ROWS)
    ]
    return {
        "on": form.date.data,
        "hours": form.hours.data,
        "notes": form.notes.data or "",
        "outcomes": outcomes,
        "in_kind": in_kind,
        "shift": shifts.get(form.shift.data or ""),
    }


# --- my logs and logging hours ------------------------------------------------------------


@bp.route("/my/logs")
def mine() -> ResponseReturnValue:
    form = StatusFilter(formdata=request.args)
    valid = form.validate()
    status = LogStatus(form.status.data) if valid and form.status.data else None
    # A window after (or before) a cursor; an old ?page= link shows the first one.
    mine = contributions.list_my_logs(
        db.session(),
        _actor(),
        status,
        after=request.args.get("after"),
        before=request.args.get("before"),
        per_page=request.args.get("per_page"),
    )
    return render_template("contributions/mine.html", form=form, mine=mine, labels=STATUS_LABELS), (
        200 if valid else 422
    )


@bp.route("/my/hours")
def my_hours() -> ResponseReturnValue:
    mine = record.get_my_hours(db.session(), _actor())
    return render_template("contributions/hours.html", mine=mine)


@bp.route("/my/hours.csv")
def my_hours_csv() -> Response:
    body = record.my_logs_csv(db.session(), _actor())
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="coprod-my-logs.csv"'
    return response


@bp.route("/tasks/<int:task_id>/log", methods=["GET", "POST"])
def new(task_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    task = contributions.get_task_for_logging(session, actor, task_id)
    orgs = contributions.organisations_to_log_for(session, actor)
    form = _make_form(task, orgs)
    if request.method == "GET":
        form.date.data = contributions.today_for(task, utcnow())
        shift = {s.id: s for s in task.shifts}.get(_int_or_none(request.args.get("shift")) or 0)
        if shift is not None:  # from My schedule: the shift's day and length, filled in
            form.shift.data = str(shift.id)
            form.date.data = contributions.shift_day(shift)
            form.hours.data = contributions.shift_hours(shift)
    if form.validate_on_submit():
        org_field = getattr(form, "organisation", None)
        org = {o.id: o for o in orgs}.get(_int_or_none(org_field.data) or 0) if org_field else None
        log = run_service(
            form,
            lambda: contributions.submit_log(
                session, actor, task, **_values(form, task), organisation=org, now=utcnow()
            ),
        )
        if log is not None:
            flash(_("Your hours are logged. A reviewer will check them."), "success")
            return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template("contributions/new.html", form=form, task=task, mode="new"), form_status(
        form
    )


@bp.route("/logs/<int:log_id>/resubmit", methods=["GET", "POST"])
def resubmit(log_id: int) -> ResponseReturnValue:
    """A log sent back for changes: changed and submitted again."""
    return _change(
        log_id,
        "log.resubmit",
        contributions.resubmit_log,
        "resubmit",
        _("Your log is resubmitted for review."),
    )


@bp.route("/logs/<int:log_id>/edit", methods=["GET", "POST"])
def edit(log_id: int) -> ResponseReturnValue:
    """A log still waiting for review, changed by its contributor."""
    return _change(
        log_id,
        "log.edit",
        contributions.edit_log,
        "edit",
        _("Your log is changed. It is still waiting for review."),
    )


def _change(
    log_id: int, action: str, change: Callable[..., ContributionLog], mode: str, done: str
) -> ResponseReturnValue:
    """The log form filled with the log, and the service that changes it."""
    session, actor = db.session(), _actor()
    log = contributions.get_log_to_change(session, actor, log_id, action)
    form = _make_form(log.task, keep=log.shift_id)
    if request.method == "GET":
        _fill_from(form, log)
    if form.validate_on_submit():
        changed = run_service(
            form,
            lambda: change(session, actor, log, **_values(form, log.task), now=utcnow()),
        )
        if changed is not None:
            flash(done, "success")
            return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template(
        "contributions/new.html", form=form, task=log.task, log=log, mode=mode
    ), form_status(form)


@bp.route("/logs/<int:log_id>/withdraw", methods=["GET", "POST"])
def withdraw(log_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    log = contributions.get_log_to_change(session, actor, log_id, "log.withdraw")
    form = ButtonForm()
    if form.validate_on_submit():
        contributions.withdraw_log(session, actor, log, now=utcnow())
        commit()
        flash(_("Log #%(id)s is withdrawn: it is counted nowhere.", id=log.id), "success")
        return redirect(url_for("contributions.show", log_id=log.id), code=303)
    return render_template("contributions/withdraw.html", log=log, form=form), form_status(form)


@bp.route("/logs/<int:log_id>/correct", methods=["GET", "POST"])
def correct(log_id: int) -> ResponseReturnValue:
    session, actor = db.session(), _actor()
    original = contributions.get_log_to_change(session, actor, log_id, "log.correct")
    form = _make_form(original.task, keep=original.shift_id)
    if request.method == "GET":
        _fill_from(form, original)
    if form.validate_on_submit():
        fix = run_service(
            form,
            lambda: contributions.correct_log(
                session, actor, original, **_values(form, original.task), now=utcnow()
            ),
        )
        if fix is not None:
            flash(_("Your correction is submitted. The approved log stays until it is approved."))
            return redirect(url_for("contributions.show", log_id=fix.id), code=303)
    return render_template(
        "contributions/new.html", form=form, task=original.task, log=original, mode="correct"
    ), form_status(form)
