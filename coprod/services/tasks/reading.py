"""Finding tasks: the public list (search, programme and date filters, soonest next shift
first), a programme's tasks, one task for its page or for those who manage it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import FieldErrors, Invalid, NotFound
from coprod.i18n import _
from coprod.models import (
    Programme,
    Shift,
    Signup,
    Task,
    TaskStatus,
    User,
)
from coprod.services import localtime
from coprod.services.bounds import as_id, parse_day
from coprod.services.pagination import Page, paginate
from coprod.services.shift_state import live_shift
from coprod.services.tasks.lifecycle import LIVE_SIGNUPS
from coprod.services.text import clean_text, contains

Actor = User | None


@dataclass(frozen=True)
class TaskSummary:
    """An open task as the public list shows it."""

    task: Task
    next_starts_at: datetime | None
    upcoming_shifts: int
    free_places: int


def parse_date(raw: str | date | None, field: str) -> date | None:
    """A date from a filter (YYYY-MM-DD), None when empty, Invalid on the field otherwise."""
    return parse_day(raw, field, label=_("The date"))


def _parse_id(raw: str | int | None, field: str) -> int | None:
    if raw is None or isinstance(raw, int):
        return raw
    if not raw.strip():
        return None
    value = as_id(raw)
    if value is None:
        raise Invalid(field, _("Choose a programme from the list."))
    return value


def text_match(q: str) -> ColumnElement[bool]:
    """Case-insensitive match of the text in a task's title, description or location."""
    return contains(q, Task.title, Task.description, Task.location)


def list_open_tasks(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    programme_id: str | int | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    page: int = 1,
    per_page: int = 20,
    now: datetime,
) -> Page[TaskSummary]:
    """Open tasks matching the filters (all of which anyone may see: policy.visible_tasks),
    the soonest next shift first, ongoing tasks (no shifts, any day) after them, in four
    queries."""
    errs = FieldErrors()
    q = errs.check(lambda: clean_text(q, "q", _("The search"), max_len=200, required=False))
    prog_id = errs.check(lambda: _parse_id(programme_id, "programme_id"))
    start = errs.check(lambda: parse_date(date_from, "date_from"))
    end = errs.check(lambda: parse_date(date_to, "date_to"))
    if start and end and end < start:
        errs.add("date_to", _("The end date must be on or after the start date."))
    errs.raise_if_any()
    next_start = (
        select(func.min(Shift.starts_at))
        .where(Shift.task_id == Task.id, Shift.starts_at > now, live_shift())
        .correlate(Task)
        .scalar_subquery()
    )
    # The programme comes in the same statement (many-to-one join): one round trip less.
    stmt = (
        select(Task)
        .where(Task.status == TaskStatus.OPEN, policy.visible_tasks(actor))
        .options(joinedload(Task.programme))
    )
    if q:
        stmt = stmt.where(text_match(q))
    if prog_id is not None:
        stmt = stmt.where(Task.programme_id == prog_id)
    if start or end:  # dates are each programme's local dates
        days = localtime.on_local_days(session, Shift.starts_at, Task.programme_id, start, end)
        # An ongoing task can be done on any day.
        stmt = stmt.where(
            or_(Task.ongoing, exists().where(Shift.task_id == Task.id, days, live_shift()))
        )
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
        .where(Shift.task_id.in_(task_ids), Shift.starts_at > now, live_shift())
        .group_by(Shift.task_id)
    )
    return {tid: (_aware(first), n, int(free or 0)) for tid, first, n, free in rows}


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the UTC column type: SQLite gives back naive text or datetimes."""
    if value is None:
        return None
    parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def list_programmes_with_open_tasks(session: Session, actor: Actor) -> list[Programme]:
    """The programmes that have at least one open task, by name (for the list's filter)."""
    has_open = exists().where(
        Task.programme_id == Programme.id,
        Task.status == TaskStatus.OPEN,
        policy.visible_tasks(actor),
    )
    stmt = select(Programme).where(has_open, policy.visible_programmes(actor))
    return list(session.scalars(stmt.order_by(Programme.name)))


def list_programme_tasks(
    session: Session, actor: Actor, programme: Programme, limit: int = 20
) -> list[Task]:
    """The programme's tasks this person may see (policy.visible_tasks: drafts only for lead
    staff and the task's coordinators), newest first."""
    stmt = select(Task).where(Task.programme_id == programme.id, policy.visible_tasks(actor))
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
        raise NotFound(_("No such task."))
    return task


def get_task_to_manage(
    session: Session, actor: Actor, task_id: int, action: str = "task.manage"
) -> Task:
    """The task, if this person may manage it (or do `action` on it)."""
    task = get_task(session, actor, task_id)
    policy.require(actor, action, task)
    return task


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
