"""Tasks: the agency posts them, the public finds them (their shifts: coprod/services/shifts.py).

Times are stored in UTC. Until programmes carry a time zone, the date and time typed in a
form are taken to be UTC (the forms say so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.models import (
    Metric,
    Partner,
    Programme,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
)
from coprod.services import audit, notifications
from coprod.services.accounts import clean_text
from coprod.services.pagination import Page, paginate
from coprod.services.signups import free_seat

Actor = User | None

TASK_FIELDS = ["title", "description", "location", "status", "coordinating_organisation_id"]

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


# --- tasks --------------------------------------------------------------------------------


def _check_metrics(
    session: Session, programme: Programme, metric_ids: Iterable[int]
) -> list[Metric]:
    ids = sorted(set(metric_ids))
    if not ids:
        return []
    metrics = list(session.scalars(select(Metric).where(Metric.id.in_(ids))))
    if len(metrics) != len(ids) or any(m.programme_id != programme.id for m in metrics):
        raise Invalid("metric_ids", "Choose only outcome metrics of this programme.")
    return sorted(metrics, key=lambda m: m.id)


def _check_coordinator(session: Session, programme: Programme, org_id: int | None) -> int | None:
    if org_id is None:
        return None
    is_partner = session.scalar(
        select(Partner.id).where(
            Partner.programme_id == programme.id, Partner.organisation_id == org_id
        )
    )
    if is_partner is None:
        raise Invalid(
            "coordinating_organisation_id",
            "The coordinating organisation must be a partner of this programme.",
        )
    return org_id


def _text_fields(errs: FieldErrors, title: str, description: str, location: str) -> tuple[str, ...]:
    return (
        errs.check(lambda: clean_text(title, "title", "A title", max_len=200, required=True)),
        errs.check(
            lambda: clean_text(
                description, "description", "Description", max_len=10000, required=False
            )
        ),
        errs.check(
            lambda: clean_text(location, "location", "Location", max_len=300, required=False)
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
) -> Task:
    """Lead agency staff post a task in their programme; it starts as a draft."""
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    title, description, location = _text_fields(errs, title, description, location)
    metrics = errs.check(lambda: _check_metrics(session, programme, metric_ids))
    org_id = errs.check(
        lambda: _check_coordinator(session, programme, coordinating_organisation_id)
    )
    errs.raise_if_any()
    task = Task(
        programme=programme,
        title=title,
        description=description,
        location=location,
        status=TaskStatus.DRAFT,
        coordinating_organisation_id=org_id,
        created_by_id=actor.id if actor else None,
        metrics=metrics,
    )
    session.add(task)
    session.flush()
    audit.record(session, actor, "task.created", task, after=audit.snapshot(task, TASK_FIELDS))
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
) -> Task:
    """Lead staff may change every field; the task's coordinators only its description and
    location."""
    policy.require(actor, "task.edit_description", task)
    lead_only = any(
        not isinstance(v, _Keep) for v in (title, metric_ids, coordinating_organisation_id)
    )
    if lead_only:
        policy.require(actor, "task.manage", task)
    before = audit.snapshot(task, TASK_FIELDS)
    before["metric_ids"] = [m.id for m in task.metrics]
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
    errs.raise_if_any()
    task.title, task.description, task.location = new_title, description, location
    task.metrics = metrics
    task.coordinating_organisation_id = org_id
    after = audit.snapshot(task, TASK_FIELDS) | {"metric_ids": [m.id for m in metrics]}
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
        raise Invalid("to", "Choose a status the task can move to.") from None
    if to not in TRANSITIONS[task.status]:
        raise Conflict(f"A task that is {task.status.value} cannot become {to.value}.")
    if to == TaskStatus.OPEN and not any(s.starts_at > now for s in task.shifts):
        raise Conflict("Add at least one shift in the future before publishing this task.")
    before = {"status": task.status.value}
    if to == TaskStatus.CANCELLED:
        cancelled = _cancel_signups(session, actor, task)
        notifications.task_cancelled(session, task, cancelled, now=now)
    task.status = to
    audit.record(
        session, actor, f"task.{to.value}", task, before=before, after={"status": to.value}
    )
    return task


def _cancel_signups(session: Session, actor: Actor, task: Task) -> list[Signup]:
    """Cancel every confirmed or waitlisted sign-up of the task and free their seats."""
    shift_ids = [s.id for s in task.shifts]
    if not shift_ids:
        return []
    signups = session.scalars(
        select(Signup).where(Signup.shift_id.in_(shift_ids), Signup.status.in_(LIVE_SIGNUPS))
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


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSummary:
    """An open task as the public list shows it."""

    task: Task
    next_starts_at: datetime | None
    upcoming_shifts: int
    free_places: int


def parse_date(raw: str | date | None, field: str) -> date | None:
    """A date from a filter (YYYY-MM-DD), None when empty, Invalid on the field otherwise."""
    if raw is None or isinstance(raw, date):
        return raw
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(field, "Enter a real date, like 2026-06-20.") from None


def _parse_id(raw: str | int | None, field: str) -> int | None:
    if raw is None or isinstance(raw, int):
        return raw
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise Invalid(field, "Choose a programme from the list.")
    return int(raw)


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(q: str) -> ColumnElement[bool]:
    """Case-insensitive match of the text in a task's title, description or location."""
    pattern = _like(q)
    cols = (Task.title, Task.description, Task.location)
    return or_(*(func.lower(c).like(pattern, escape="\\") for c in cols))


def list_open_tasks(
    session: Session,
    *,
    q: str = "",
    programme_id: str | int | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    page: int = 1,
    per_page: int = 20,
    now: datetime,
) -> Page[TaskSummary]:
    """Open tasks matching the filters, the soonest next shift first, in four queries."""
    errs = FieldErrors()
    q = errs.check(lambda: clean_text(q, "q", "The search", max_len=200, required=False))
    prog_id = errs.check(lambda: _parse_id(programme_id, "programme_id"))
    start = errs.check(lambda: parse_date(date_from, "date_from"))
    end = errs.check(lambda: parse_date(date_to, "date_to"))
    if start and end and end < start:
        errs.add("date_to", "The end date must be on or after the start date.")
    errs.raise_if_any()
    next_start = (
        select(func.min(Shift.starts_at))
        .where(Shift.task_id == Task.id, Shift.starts_at > now)
        .correlate(Task)
        .scalar_subquery()
    )
    # The programme comes in the same statement (many-to-one join): one round trip less.
    stmt = select(Task).where(Task.status == TaskStatus.OPEN).options(joinedload(Task.programme))
    if q:
        stmt = stmt.where(text_match(q))
    if prog_id is not None:
        stmt = stmt.where(Task.programme_id == prog_id)
    if start or end:
        in_range = [Shift.task_id == Task.id]
        if start:
            in_range.append(Shift.starts_at >= datetime.combine(start, time(), UTC))
        if end:
            in_range.append(
                Shift.starts_at < datetime.combine(end + timedelta(days=1), time(), UTC)
            )
        stmt = stmt.where(exists().where(*in_range))
    stmt = stmt.order_by(next_start.asc().nulls_last(), Task.id)  # one subquery per row, not two
    result = paginate(session, stmt, page, per_page)
    stats = _upcoming_stats(session, [t.id for t in result.items], now)
    items = [TaskSummary(t, *stats.get(t.id, (None, 0, 0))) for t in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


def _upcoming_stats(
    session: Session, task_ids: Sequence[int], now: datetime
) -> dict[int, tuple[datetime | None, int, int]]:
    if not task_ids:
        return {}
    rows = session.execute(
        select(
            Shift.task_id,
            func.min(Shift.starts_at),
            func.count(),
            func.sum(Shift.capacity - Shift.confirmed),
        )
        .where(Shift.task_id.in_(task_ids), Shift.starts_at > now)
        .group_by(Shift.task_id)
    )
    return {tid: (_aware(first), n, int(free or 0)) for tid, first, n, free in rows}


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the UTC column type: SQLite gives back naive text or datetimes."""
    if value is None:
        return None
    parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def list_programmes_with_open_tasks(session: Session) -> list[Programme]:
    """The programmes that have at least one open task, by name (for the list's filter)."""
    has_open = exists().where(Task.programme_id == Programme.id, Task.status == TaskStatus.OPEN)
    return list(session.scalars(select(Programme).where(has_open).order_by(Programme.name)))


def list_programme_tasks(
    session: Session, actor: Actor, programme: Programme, limit: int = 20
) -> list[Task]:
    """The programme's tasks this person may see (drafts only for lead staff and the task's
    coordinators), newest first."""
    stmt = select(Task).where(Task.programme_id == programme.id)
    if not policy.has_role(actor, programme.lead_organisation_id, Role.STAFF):
        coordinated = policy.org_ids_with_role(actor, Role.COORDINATOR)
        stmt = stmt.where(
            or_(
                Task.status.in_(policy.PUBLIC_TASK_STATUSES),
                Task.coordinating_organisation_id.in_(coordinated),
            )
        )
    return list(session.scalars(stmt.order_by(Task.created_at.desc(), Task.id.desc()).limit(limit)))


def get_task(session: Session, actor: Actor, task_id: int) -> Task:
    """The task with its shifts, programme and metrics; a draft or cancelled task is "not
    found" to anyone who may not manage or coordinate it."""
    task = session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(  # the many-to-one parents in the same statement
            selectinload(Task.metrics),
            joinedload(Task.programme).joinedload(Programme.lead_organisation),
            joinedload(Task.coordinating_organisation),
        )
    )
    # Nothing about a task someone may not see is revealed, not even that it exists.
    if task is None or not policy.can(actor, "task.view", task):
        raise NotFound("No such task.")
    return task


def get_task_to_manage(
    session: Session, actor: Actor, task_id: int, action: str = "task.manage"
) -> Task:
    """The task, if this person may manage it (or do `action` on it)."""
    task = get_task(session, actor, task_id)
    policy.require(actor, action, task)
    return task


def get_programme_to_manage(session: Session, actor: Actor, programme_id: int) -> Programme:
    """The programme with its partners and metrics, if this person may post tasks in it."""
    programme = session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            selectinload(Programme.partners).selectinload(Partner.organisation),
            selectinload(Programme.metrics),
            selectinload(Programme.lead_organisation),
        )
    )
    if programme is None:
        raise NotFound("No such programme.")
    policy.require(actor, "programme.manage", programme)
    return programme


def live_signup_count(session: Session, task: Task) -> int:
    """How many confirmed or waitlisted sign-ups cancelling the task would cancel."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Signup)
            .join(Shift)
            .where(Shift.task_id == task.id, Signup.status.in_(LIVE_SIGNUPS))
        )
        or 0
    )


__all__ = ["KEEP", "TaskSummary"]
