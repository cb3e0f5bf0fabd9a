"""Changing a task's shifts together: remove one from its series, copy them, move them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from coprod.db import db, utcnow
from coprod.i18n import _, ngettext
from coprod.services import localtime, shift_changes, shifts, tasks
from coprod.services.bounds import as_id
from coprod.web.helpers import form_status, run_service
from coprod.web.tasks import bp
from coprod.web.tasks._common import _actor, _zone_hint, task_status_label
from coprod.web.tasks.forms import CancelShiftForm, CopyShiftsForm, MoveShiftsForm


@bp.route("/tasks/<int:task_id>/shifts/<int:shift_id>/remove", methods=["GET", "POST"])
def remove_from_series(task_id: int, shift_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    shift = shifts.get_shift_to_manage(session, actor, task_id, shift_id)
    form = CancelShiftForm()
    blocker = shifts.deletion_blocker(session, shift)
    when = localtime.describe_shift(shift)
    if form.validate_on_submit():
        outcome = run_service(
            form,
            lambda: shift_changes.remove_from_series(
                session, actor, shift, reason=form.reason.data or "", now=utcnow()
            ),
        )
        if outcome is not None:
            if outcome == "deleted":
                done = _("The shift of %(when)s is removed from the series: deleted.", when=when)
            else:
                done = _(
                    "The shift of %(when)s is removed from the series: cancelled, and its "
                    "volunteers were told.",
                    when=when,
                )
            flash(done, "success")
            return redirect(url_for("tasks.show", task_id=task_id) + "#shifts", code=303)
    return render_template(
        "tasks/remove_from_series.html",
        shift=shift,
        task=shift.task,
        form=form,
        blocker=blocker,
        series=shift_changes.series_shifts(session, shift),
        started=utcnow() >= shift.starts_at,
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/copy", methods=["GET", "POST"])
def copy_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = CopyShiftsForm()
    targets = shift_changes.copy_targets(session, actor, task)
    form.target_task_id.choices = [SelectChoice("", _("Choose a task"))] + [
        SelectChoice(
            str(t.id),
            _("%(title)s (%(status)s)", title=t.title, status=task_status_label(t.status).lower()),
        )
        for t in targets
    ]
    listed = shift_changes.copyable_shifts(session, task)
    ticked = {i for i in (as_id(v) for v in request.form.getlist("shift_ids")) if i}
    if form.validate_on_submit():
        chosen = None if form.scope.data != "chosen" else sorted(ticked)
        made = run_service(
            form,
            lambda: shift_changes.copy_shifts(
                session,
                actor,
                task,
                target_task_id=form.target_task_id.data,
                shift_ids=chosen,
                weeks=form.weeks.data,
                now=utcnow(),
            ),
        )
        if made is not None:
            target_id = made[0].task_id
            flash(
                ngettext("%(num)d shift is copied.", "%(num)d shifts are copied.", len(made)),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=target_id) + "#shifts", code=303)
    return render_template(
        "tasks/copy_shifts.html",
        task=task,
        form=form,
        listed=listed,
        ticked=ticked,
        targets=targets,
        max_weeks=shift_changes.MAX_WEEKS,
        **_zone_hint(task),
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/shifts/move", methods=["GET", "POST"])
def move_shifts(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = MoveShiftsForm()
    if form.validate_on_submit():
        moved = run_service(
            form,
            lambda: shift_changes.move_shifts(
                session, actor, task, weeks=form.weeks.data, now=utcnow()
            ),
        )
        if moved is not None:
            flash(
                ngettext(
                    "%(num)d shift is moved; its volunteers were told.",
                    "%(num)d shifts are moved; their volunteers were told.",
                    len(moved),
                ),
                "success",
            )
            return redirect(url_for("tasks.show", task_id=task.id) + "#shifts", code=303)
    return render_template(
        "tasks/move_shifts.html",
        task=task,
        form=form,
        upcoming=shift_changes.future_shifts(session, task, utcnow()),
        max_weeks=shift_changes.MAX_WEEKS,
        **_zone_hint(task),
    ), form_status(form)
