"""Managing tasks: a new task, editing one, moving it through its statuses, cancelling it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from coprod import policy
from coprod.db import db, utcnow
from coprod.i18n import _
from coprod.models import Programme, Task, TaskStatus, User
from coprod.services import programmes, tasks
from coprod.services.capacity import qualifications as quals
from coprod.web.helpers import commit, form_status, run_service
from coprod.web.tasks import bp
from coprod.web.tasks._common import STATUS_DONE, _actor
from coprod.web.tasks.forms import DescriptionForm, TaskForm, TransitionForm


def _task_choices(form: TaskForm, programme: Programme, task: Task | None = None) -> None:
    form.metric_ids.choices = [(m.id, f"{m.name} ({m.unit})") for m in programme.metrics]
    form.coordinating_organisation_id.choices = [("", _("None: the lead agency coordinates"))] + [
        (p.organisation_id, p.organisation.name) for p in programme.partners
    ]
    # The coordinating organisation is always a partner: the lead's and partners' cover it.
    offered = quals.offered_for_task(db.session(), programme, None)
    kept = [q for q in task.required_qualifications if q not in offered] if task else []
    label = [(q.id, f"{q.name} ({q.organisation.name})") for q in [*offered, *kept]]
    form.required_qualification_ids.choices = label
    form.trains_qualification_id.choices = [("", _("None: it is not a training")), *label]


@bp.route("/programmes/<int:programme_id>/tasks/new", methods=["GET", "POST"])
def new(programme_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    programme = programmes.get_programme_to_manage(session, actor, programme_id)
    form = TaskForm()
    _task_choices(form, programme)
    if form.validate_on_submit():
        task = run_service(
            form,
            lambda: tasks.create_task(
                session,
                actor,
                programme,
                title=form.title.data or "",
                description=form.description.data or "",
                location=form.location.data or "",
                metric_ids=form.metric_ids.data or [],
                coordinating_organisation_id=form.coordinating_organisation_id.data,
                ongoing=form.ongoing.data,
                required_qualification_ids=form.required_qualification_ids.data or [],
                trains_qualification_id=form.trains_qualification_id.data,
                skills=form.skills.data or "",
            ),
        )
        if task is not None:
            if task.ongoing:
                flash(_("The task is saved as a draft. Publish it when it is ready."), "success")
            else:
                flash(_("The task is saved as a draft. Add shifts, then publish it."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/form.html", form=form, programme=programme, task=None, full=True
    ), form_status(form)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id, "task.edit_description")
    full = policy.can(actor, "task.manage", task)
    form: DescriptionForm = TaskForm(obj=task) if full else DescriptionForm(obj=task)
    if isinstance(form, TaskForm):
        _task_choices(form, task.programme, task)
        if request.method == "GET":
            form.metric_ids.data = [m.id for m in task.metrics]
            form.required_qualification_ids.data = [q.id for q in task.required_qualifications]
            form.skills.data = ", ".join(s.tag for s in task.skills)
    if form.validate_on_submit():
        done = run_service(form, lambda: _update(session, actor, task, form))
        if done is not None:
            flash(_("The task is saved."), "success")
            return redirect(url_for("tasks.show", task_id=task.id), code=303)
    return render_template(
        "tasks/form.html", form=form, programme=task.programme, task=task, full=full
    ), form_status(form)


def _update(session: Session, actor: User | None, task: Task, form: DescriptionForm) -> Task:
    description, location = form.description.data or "", form.location.data or ""
    if not isinstance(form, TaskForm):
        return tasks.update_task(session, actor, task, description=description, location=location)
    return tasks.update_task(
        session,
        actor,
        task,
        title=form.title.data or "",
        description=description,
        location=location,
        metric_ids=form.metric_ids.data or [],
        coordinating_organisation_id=form.coordinating_organisation_id.data,
        ongoing=bool(form.ongoing.data),
        required_qualification_ids=form.required_qualification_ids.data or [],
        trains_qualification_id=form.trains_qualification_id.data,
        skills=form.skills.data or "",
    )


@bp.route("/tasks/<int:task_id>/status", methods=["POST"])
def transition(task_id: int) -> ResponseReturnValue:
    session = db.session()
    actor = _actor()
    task = tasks.get_task_to_manage(session, actor, task_id)
    form = TransitionForm()
    if form.to.data == TaskStatus.CANCELLED and form.confirm.data != "yes":
        return redirect(url_for("tasks.cancel", task_id=task.id), code=303)
    tasks.transition_task(session, actor, task, form.to.data or "", now=utcnow())
    commit()
    done = STATUS_DONE.get(task.status)
    flash(str(done) if done is not None else _("The task is saved."), "success")
    return redirect(url_for("tasks.show", task_id=task.id), code=303)


@bp.route("/tasks/<int:task_id>/cancel")
def cancel(task_id: int) -> ResponseReturnValue:
    session = db.session()
    task = tasks.get_task_to_manage(session, _actor(), task_id)
    return render_template(
        "tasks/cancel.html", task=task, live=tasks.live_signup_count(session, task)
    )
