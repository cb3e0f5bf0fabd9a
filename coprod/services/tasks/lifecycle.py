"""Posting and running tasks: create, edit, and move a task through its lifecycle (cancelling a
task cancels its sign-ups, with an email to each person)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid
from coprod.i18n import _, _l
from coprod.models import (
    Metric,
    Partner,
    Programme,
    Qualification,
    Signup,
    SignupStatus,
    Task,
    TaskSkill,
    TaskStatus,
    User,
)
from coprod.services import audit, notifications
from coprod.services import task_figures as figures
from coprod.services.bounds import MAX_ID
from coprod.services.capacity import parse_tags
from coprod.services.capacity.qualifications import offered_for_task
from coprod.services.shift_state import has_started
from coprod.services.signups import free_seat, lock_shifts
from coprod.services.text import clean_text

Actor = User | None

# The longest title, description and location a task takes (the API's schema says the same).
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_LOCATION = 300
TASK_FIELDS = [
    "title",
    "description",
    "location",
    "status",
    "coordinating_organisation_id",
    "ongoing",
]
ONGOING_HAS_NO_SHIFTS = _l(
    "An ongoing task has no shifts: people log their hours whenever they do the work. "
    'To add shifts to a draft, edit it and untick "Ongoing" first; for an open task, post a '
    "new task with shifts."
)
STAYS_ONGOING = _l(
    "This task is open as an ongoing task, so it stays ongoing: unticking it would leave a "
    "published task with no shifts. To run the work with shifts, post a new task."
)
HAS_SHIFTS = _l(
    "This task has shifts, so it cannot become ongoing. Keep it with shifts, or post a new "
    "ongoing task."
)
# A status inside a sentence ("A task that is draft cannot become completed.").
STATUS_WORDS = {
    TaskStatus.DRAFT: _l("draft"),
    TaskStatus.OPEN: _l("open"),
    TaskStatus.CLOSED: _l("closed"),
    TaskStatus.COMPLETED: _l("completed"),
    TaskStatus.CANCELLED: _l("cancelled"),
}


def status_word(status: TaskStatus) -> str:
    """The status as a word inside a sentence, in the reader's language."""
    return str(STATUS_WORDS[status])


# The lifecycle: draft → open → closed → completed; cancelled from draft, open or closed.
TRANSITIONS: dict[TaskStatus, set[TaskStatus]] = {
    TaskStatus.DRAFT: {TaskStatus.OPEN, TaskStatus.CANCELLED},
    TaskStatus.OPEN: {TaskStatus.CLOSED, TaskStatus.CANCELLED},
    TaskStatus.CLOSED: {TaskStatus.COMPLETED, TaskStatus.CANCELLED},
    TaskStatus.COMPLETED: set(),
    TaskStatus.CANCELLED: set(),
}
# A sign-up in one of these is still "on" the shift and is cancelled with the task.
LIVE_SIGNUPS = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
FINISHED = (TaskStatus.COMPLETED, TaskStatus.CANCELLED)


class _Keep:
    """Marks an optional argument of update_task as "leave this field as it is"."""


KEEP = _Keep()


def _check_metrics(
    session: Session, programme: Programme, metric_ids: Iterable[int]
) -> list[Metric]:
    ids = sorted(set(metric_ids))
    if not ids:
        return []
    in_range = [i for i in ids if 1 <= i <= MAX_ID]  # a typed number: no overflow in a query
    metrics = list(session.scalars(select(Metric).where(Metric.id.in_(in_range))))
    if len(metrics) != len(ids) or any(m.programme_id != programme.id for m in metrics):
        raise Invalid("metric_ids", _("Choose only outcome metrics of this programme."))
    return sorted(metrics, key=lambda m: m.id)


def _check_coordinator(session: Session, programme: Programme, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    is_partner = 1 <= org_id <= MAX_ID and session.scalar(
        select(Partner.id).where(
            Partner.programme_id == programme.id, Partner.organisation_id == org_id
        )
    )
    if not is_partner:
        raise Invalid(
            "coordinating_organisation_id",
            _("The coordinating organisation must be a partner of this programme."),
        )
    return org_id


NOT_OFFERED = _l(
    "Choose only qualifications offered here: those of the lead agency, its partners and the "
    "coordinating organisation that are not archived."
)


def _offered_ids(
    session: Session, programme: Programme, org_id: int | None
) -> dict[int, Qualification]:
    return {q.id: q for q in offered_for_task(session, programme, org_id)}


def _check_required(
    offered: dict[int, Qualification], ids: Iterable[int], kept: Iterable[int] = ()
) -> list[int]:
    """The required qualifications, each offered (one the task already requires may stay
    even when archived since)."""
    chosen = sorted(set(ids))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in chosen):
        raise Invalid("required_qualification_ids", str(NOT_OFFERED))
    if any(i not in offered and i not in set(kept) for i in chosen):
        raise Invalid("required_qualification_ids", str(NOT_OFFERED))
    return chosen


def _check_trains(
    offered: dict[int, Qualification], raw: int | None, kept: int | None
) -> int | None:
    if raw is None or raw == kept:
        return raw
    if not isinstance(raw, int) or isinstance(raw, bool) or raw not in offered:
        raise Invalid("trains_qualification_id", str(NOT_OFFERED))
    return raw


def _set_capacity(
    session: Session, task: Task, required_ids: list[int] | None, skills: list[str] | None
) -> None:
    if required_ids is not None:
        task.required_qualifications = list(
            session.scalars(select(Qualification).where(Qualification.id.in_(required_ids)))
        ) if required_ids else []  # fmt: skip
    if skills is not None:
        current = {s.tag: s for s in task.skills}
        task.skills = [current.get(tag) or TaskSkill(tag=tag) for tag in skills]


def _capacity_snapshot(task: Task) -> dict[str, Any]:
    return {
        "required_qualification_ids": sorted(q.id for q in task.required_qualifications),
        "trains_qualification_id": task.trains_qualification_id,
        "skills": sorted(s.tag for s in task.skills),
    }


def _text_fields(errs: FieldErrors, title: str, description: str, location: str) -> tuple[str, ...]:
    return (
        errs.check(
            lambda: clean_text(title, "title", _("A title"), max_len=MAX_TITLE, required=True)
        ),
        errs.check(
            lambda: clean_text(
                description,
                "description",
                _("Description"),
                max_len=MAX_DESCRIPTION,
                required=False,
                multiline=True,
            )
        ),
        errs.check(
            lambda: clean_text(
                location, "location", _("Location"), max_len=MAX_LOCATION, required=False
            )
        ),
    )


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


def transition_task(
    session: Session, actor: Actor, task: Task, to_status: TaskStatus | str, *, now: datetime
) -> Task:
    """Move a task along draft → open → closed → completed (or to cancelled from draft, open
    or closed); publishing needs a shift in the future, cancelling cancels its sign-ups."""
    policy.require(actor, "task.manage", task)
    try:
        to = TaskStatus(to_status)
    except ValueError:
        raise Invalid("to", _("Choose a status the task can move to.")) from None
    if to not in TRANSITIONS[task.status]:
        raise Conflict(
            _(
                "A task that is %(status)s cannot become %(to)s.",
                status=status_word(task.status),
                to=status_word(to),
            )
        )
    if to == TaskStatus.OPEN and not ready_to_publish(task, now):
        raise Conflict(_("Add at least one shift in the future before publishing this task."))
    before = {"status": task.status.value}
    if to == TaskStatus.CANCELLED:
        cancelled = _cancel_signups(session, actor, task)
        notifications.task_cancelled(session, task, cancelled, now=now)
    task.status = to
    audit.record(
        session, actor, f"task.{to.value}", task, before=before, after={"status": to.value}
    )
    figures.refresh(session, [task.id], now)  # seats given back; a reopened task is current
    return task


def ready_to_publish(task: Task, now: datetime) -> bool:
    """A task can be published when it is ongoing (it has no shifts) or has a future shift."""
    return task.ongoing or any(not has_started(s, now) and not s.is_cancelled for s in task.shifts)


def refuse_shifts_if_ongoing(task: Task) -> None:
    """An ongoing task gets no shifts (every way of adding shifts calls this)."""
    if task.ongoing:
        raise Conflict(str(ONGOING_HAS_NO_SHIFTS))


def _cancel_signups(session: Session, actor: Actor, task: Task) -> list[Signup]:
    """Cancel every confirmed or waitlisted sign-up of the task and free their seats."""
    shift_ids = [s.id for s in task.shifts]
    if not shift_ids:
        return []
    lock_shifts(session, *task.shifts)  # the lock order: shifts, then their sign-ups
    signups = session.scalars(
        select(Signup)
        .where(Signup.shift_id.in_(shift_ids), Signup.status.in_(LIVE_SIGNUPS))
        .order_by(Signup.id)
        .with_for_update(of=Signup, key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    by_shift = {s.id: s for s in task.shifts}
    for signup in signups:
        if signup.status == SignupStatus.CONFIRMED:
            free_seat(session, by_shift[signup.shift_id])  # a guarded update, not read-then-write
        before = {"status": signup.status.value}
        signup.status = SignupStatus.CANCELLED
        audit.record(
            session,
            actor,
            "signup.cancelled_with_task",
            signup,
            before=before,
            after={"status": SignupStatus.CANCELLED.value, "task_id": task.id},
        )
    session.flush()
    return list(signups)
