"""Creating a task (a draft) and editing it: who may change which field, and the ongoing rule."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors
from coprod.i18n import _l
from coprod.models import Programme, Task, TaskStatus
from coprod.services import audit
from coprod.services.capacity import parse_tags
from coprod.services.tasks.lifecycle._common import Actor
from coprod.services.tasks.lifecycle.fields import (
    TASK_FIELDS,
    _capacity_snapshot,
    _check_coordinator,
    _check_metrics,
    _check_required,
    _check_trains,
    _offered_ids,
    _set_capacity,
    _text_fields,
)

STAYS_ONGOING = _l(
    "This task is open as an ongoing task, so it stays ongoing: unticking it would leave a "
    "published task with no shifts. To run the work with shifts, post a new task."
)
HAS_SHIFTS = _l(
    "This task has shifts, so it cannot become ongoing. Keep it with shifts, or post a new "
    "ongoing task."
)


class _Keep:
    """Marks an optional argument of update_task as "leave this field as it is"."""


KEEP = _Keep()


def create_task(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    title: str,
    description: str = "",
    location: str = "",
    metric_ids: Iterable[int] = (),
    coordinating_organisation_id: int | None = None,
    ongoing: bool = False,
    required_qualification_ids: Iterable[int] = (),
    trains_qualification_id: int | None = None,
    skills: str | Iterable[str] = (),
) -> Task:
    """Lead agency staff post a task in their programme; it starts as a draft. An ongoing task
    has no shifts (people log hours whenever they do the work). It may require qualifications
    and be a training for one, chosen from those offered (the lead agency's, its partners' and
    the coordinating organisation's), and carry skill tags."""
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    title, description, location = _text_fields(errs, title, description, location)
    metrics = errs.check(lambda: _check_metrics(session, programme, metric_ids))
    org_id = errs.check(
        lambda: _check_coordinator(session, programme, coordinating_organisation_id)
    )
    offered = _offered_ids(session, programme, org_id)
    required = errs.check(lambda: _check_required(offered, required_qualification_ids))
    trains = errs.check(lambda: _check_trains(offered, trains_qualification_id, None))
    tags = errs.check(lambda: parse_tags(skills))
    errs.raise_if_any()
    task = Task(
        programme=programme,
        title=title,
        description=description,
        location=location,
        status=TaskStatus.DRAFT,
        coordinating_organisation_id=org_id,
        ongoing=bool(ongoing),
        created_by_id=actor.id if actor else None,
        metrics=metrics,
        trains_qualification_id=trains,
    )
    session.add(task)
    _set_capacity(session, task, required, tags)
    session.flush()
    after = audit.snapshot(task, TASK_FIELDS) | _capacity_snapshot(task)
    audit.record(session, actor, "task.created", task, after=after)
    return task


def update_task(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    description: str,
    location: str,
    title: str | _Keep = KEEP,
    metric_ids: Iterable[int] | _Keep = KEEP,
    coordinating_organisation_id: int | _Keep | None = KEEP,
    ongoing: bool | _Keep = KEEP,
    required_qualification_ids: Iterable[int] | _Keep = KEEP,
    trains_qualification_id: int | _Keep | None = KEEP,
    skills: str | Iterable[str] | _Keep = KEEP,
) -> Task:
    """Lead staff may change every field; the task's coordinators only its description and
    location. A task with shifts cannot become ongoing, and an open ongoing task stays ongoing
    (unticking it would leave a published task with no shifts)."""
    policy.require(actor, "task.edit_description", task)
    capacity = (required_qualification_ids, trains_qualification_id, skills)
    lead_only = any(
        not isinstance(v, _Keep)
        for v in (title, metric_ids, coordinating_organisation_id, ongoing, *capacity)
    )
    if lead_only:
        policy.require(actor, "task.manage", task)
    before = audit.snapshot(task, TASK_FIELDS)
    before["metric_ids"] = [m.id for m in task.metrics]
    before |= _capacity_snapshot(task)
    errs = FieldErrors()
    new_title = task.title if isinstance(title, _Keep) else title
    new_title, description, location = _text_fields(errs, new_title, description, location)
    metrics = task.metrics
    if not isinstance(metric_ids, _Keep):
        metrics = errs.check(lambda: _check_metrics(session, task.programme, metric_ids))
    org_id = task.coordinating_organisation_id
    if not isinstance(coordinating_organisation_id, _Keep):
        new_org = coordinating_organisation_id
        org_id = errs.check(lambda: _check_coordinator(session, task.programme, new_org))
    new_ongoing = task.ongoing if isinstance(ongoing, _Keep) else bool(ongoing)
    if new_ongoing and not task.ongoing and task.shifts:
        errs.add("ongoing", str(HAS_SHIFTS))
    if task.ongoing and not new_ongoing and task.status == TaskStatus.OPEN:
        errs.add("ongoing", str(STAYS_ONGOING))
    offered = _offered_ids(session, task.programme, org_id)
    required: list[int] | None = None
    if not isinstance(required_qualification_ids, _Keep):
        ids, kept = required_qualification_ids, [q.id for q in task.required_qualifications]
        required = errs.check(lambda: _check_required(offered, ids, kept))
    trains = task.trains_qualification_id
    if not isinstance(trains_qualification_id, _Keep):
        new_trains = trains_qualification_id
        trains = errs.check(
            lambda: _check_trains(offered, new_trains, task.trains_qualification_id)
        )
    tags = None if isinstance(skills, _Keep) else errs.check(lambda: parse_tags(skills))
    errs.raise_if_any()
    task.ongoing = new_ongoing
    task.title, task.description, task.location = new_title, description, location
    task.metrics = metrics
    task.coordinating_organisation_id = org_id
    task.trains_qualification_id = trains
    _set_capacity(session, task, required, tags)
    after = audit.snapshot(task, TASK_FIELDS) | {"metric_ids": [m.id for m in metrics]}
    after |= _capacity_snapshot(task)
    audit.record(session, actor, "task.updated", task, before=before, after=after)
    return task
