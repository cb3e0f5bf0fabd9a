"""Managing one task's shifts: add one or a weekly series, edit, delete and cancel a shift."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from coprod.db import db, utcnow
from coprod.i18n import _, ngettext
from coprod.models import Shift, Task, User
from coprod.services import localtime, shift_changes, shifts, signups, tasks
from coprod.web.forms import ButtonForm
from coprod.web.helpers import commit, form_status, run_service
from coprod.web.tasks import bp
from coprod.web.tasks._common import _actor, _at, _zone_hint
from coprod.web.tasks.forms import CancelShiftForm, ShiftForm, WeeklyShiftsForm


@bp.route("/tasks/<int:task_id>/shifts/new", methods=["GET", "POST"])
def add_shift(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = ShiftForm()
    if form.validate_on_submit():
        shift = run_service(
            form,
            lambda: shifts.add_shift(
                session,
                actor,
                task,
                starts_at=_at(task, form.date.data, form.starts_at.data),
                ends_at=_at(task, form.date.data, form.ends_at.data, "ends_at"),
                capacity=form.capacity.data or 0,
                now=utcnow(),
            ),
        )
        if shift is not None:
            flash(_("The shift is added."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/shift_form.html", form=form, task=task, shift=None, **_zone_hint(task)
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/weekly", methods=["GET", "POST"])
def add_weekly_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = WeeklyShiftsForm()
    if form.validate_on_submit():
        made = run_service(form, lambda: _weekly(session, actor, task, form))
        if made is not None:
            flash(
                ngettext(
                    "%(num)d weekly shift is added.", "%(num)d weekly shifts are added.", len(made)
                ),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/weekly_form.html", form=form, task=task, **_zone_hint(task)
    ), form_status(form)


def _weekly(
    session: Session, actor: User | None, task: Task, form: WeeklyShiftsForm
) -> list[Shift]:
    first = _at(task, form.first_date.data, form.starts_at.data)
    return shifts.add_weekly_shifts(
        session,
        actor,
        task,
        first_starts_at=first,
        duration=_at(task, form.first_date.data, form.ends_at.data, "ends_at") - first,
        until=form.until.data or form.first_date.data or first.date(),
        capacity=form.capacity.data or 0,
        now=utcnow(),
        skip=shift_changes.parse_day_list(form.skip_dates.data),
    )


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
def edit_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = ShiftForm()
    if request.method == "GET":
        tz = localtime.shift_zone(shift)
        starts, ends = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
        form.date.data = starts.date()
        form.starts_at.data = starts.time().replace(tzinfo=None)
        form.ends_at.data = ends.time().replace(tzinfo=None)
        form.capacity.data = shift.capacity
    if form.validate_on_submit():
        done = run_service(
            form,
            lambda: shifts.update_shift(
                session,
                actor,
                shift,
                starts_at=_at(shift.task, form.date.data, form.starts_at.data),
                ends_at=_at(shift.task, form.date.data, form.ends_at.data, "ends_at"),
                capacity=form.capacity.data or 0,
                now=utcnow(),
            ),
        )
        if done is not None:
            flash(_("The shift is saved."), "success")
            return redirect(url_for("tasks.show", task_id=task_id), code=303)
    return render_template(
        "tasks/shift_form.html", form=form, task=shift.task, shift=shift, **_zone_hint(shift.task)
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/delete", methods=["GET", "POST"])
def delete_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = ButtonForm()
    if form.validate_on_submit():
        shifts.delete_shift(
            session, actor, shift, now=utcnow()
        )  # a Conflict is the 409 page, saying why
        commit()
        flash(_("The shift is deleted."), "success")
        return redirect(url_for("tasks.show", task_id=task_id), code=303)
    return render_template(
        "tasks/delete_shift.html",
        shift=shift,
        task=shift.task,
        form=form,
        blocker=shifts.deletion_blocker(session, shift),
        started=utcnow() >= shift.starts_at,
    )


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/cancel", methods=["GET", "POST"])
def cancel_shift(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = CancelShiftForm()
    if form.validate_on_submit():
        ended = run_service(
            form,
            lambda: shift_changes.cancel_shift(
                session, actor, shift, reason=form.reason.data or "", now=utcnow()
            ),
        )
        if ended is not None:
            if ended:
                told = ngettext(
                    "The shift is cancelled. %(num)d person was told.",
                    "The shift is cancelled. %(num)d people were told.",
                    len(ended),
                )
            else:
                told = _("The shift is cancelled.")
            flash(told, "success")
            return redirect(url_for("tasks.show", task_id=task_id) + "#shifts", code=303)
    return render_template(
        "tasks/cancel_shift.html",
        shift=shift,
        task=shift.task,
        form=form,
        waiting=signups.count_waitlisted(session, shift),
        started=utcnow() >= shift.starts_at,
    ), form_status(form)
