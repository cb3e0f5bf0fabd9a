"""Finding tasks: the task list (search, programme and date filters, soonest next shift
first, by window), a programme's tasks, one task for its page or for those who manage it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

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
from coprod.models.tasks import NEVER
from coprod.services import keyset, localtime
from coprod.services import task_figures as figures
from coprod.services.bounds import as_id, parse_day
from coprod.services.keyset import Count, Key, Window, capped_count
from coprod.services.shift_state import live_shift
from coprod.services.tasks import search
from coprod.services.tasks.lifecycle import LIVE_SIGNUPS
from coprod.services.text import SEARCH_MAX, clean_text, contains

Actor = User | None


@dataclass(frozen=True)
class TaskSummary:
    """A task as the list shows it, with its figures: the start of its next live shift (None:
    none to come), how many live shifts are to come and their free places."""

    task: Task
    next_starts_at: datetime | None
    upcoming_shifts: int
    free_places: int


@dataclass(frozen=True)
class TaskList:
    """One window of the task list, and how many tasks match (capped; None when not asked)."""

    window: Window[TaskSummary]
    count: Count | None

    @property
    def items(self) -> list[TaskSummary]:
        return self.window.items


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


def _parse_status(raw: TaskStatus | str) -> TaskStatus:
    try:
        return TaskStatus(raw)
    except ValueError:
        raise Invalid("status", _("Choose a status from the list.")) from None


def text_match(q: str) -> ColumnElement[bool]:
    """Case-insensitive match of the text in a task's title, description or location (without
    an index: the task list searches through coprod.services.tasks.search)."""
    return contains(q, Task.title, Task.description, Task.location)


def list_tasks(
    session: Session,
    actor: Actor,
    *,
    status: TaskStatus | str = TaskStatus.OPEN,
    q: str = "",
    programme_id: str | int | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    counted: bool = True,
    now: datetime,
) -> TaskList:
    """Tasks in one status (open by default) matching the filters, that this person may see
    (policy.visible_tasks), by window: the soonest next shift first, then those with none to
    come (ongoing tasks among them), by id. The figures come from the task's row
    (coprod.services.task_figures); the few rows whose kept next shift has started since
    (stale until the job keeps them again) are read afresh, in their true place."""
    errs = FieldErrors()
    q = errs.check(lambda: clean_text(q, "q", _("The search"), max_len=SEARCH_MAX, required=False))
    words = errs.check(lambda: search.search_words(q or ""))
    prog_id = errs.check(lambda: _parse_id(programme_id, "programme_id"))
    start = errs.check(lambda: parse_date(date_from, "date_from"))
    end = errs.check(lambda: parse_date(date_to, "date_to"))
    if start and end and end < start:
        errs.add("date_to", _("The end date must be on or after the start date."))
    wanted = errs.check(lambda: _parse_status(status))
    errs.raise_if_any()
    conds: list[ColumnElement[bool]] = [
        Task.status == wanted,
        policy.visible_tasks(actor),
    ]
    if words:
        conds.append(search.matching(session, words))
    if prog_id is not None:
        conds.append(Task.programme_id == prog_id)
    if start or end:  # dates are each programme's local dates
        days = localtime.on_local_days(session, Shift.starts_at, Task.programme_id, start, end)
        # An ongoing task can be done on any day.
        conds.append(
            or_(Task.ongoing, exists().where(Shift.task_id == Task.id, days, live_shift()))
        )
    keys = [Key(Task.__table__.c.list_sort_at, datetime), Key(Task.__table__.c.id, int)]
    # The rows kept current: one index range in the list's order, read alone. Their programmes
    # come by a query of their own: joined in, PostgreSQL (which expects one row past a cursor
    # among the tasks without shifts to come, all sharing one sort key) joined and sorted every
    # row after the cursor, 15-70 ms a window at the large world instead of 0.1.
    current = keyset.window(
        session,
        select(Task).where(*conds, Task.list_sort_at > now),
        keys,
        after=after,
        before=before,
        per_page=per_page,
    )
    window = _merge_stale(session, current, _stale(session, conds, now), keys, after, before)
    _load_programmes(session, [s.task for s in window.items])
    count = None
    if counted and not words:
        count = capped_count(session, select(Task.id).where(*conds))
    elif counted and window.first and not window.has_next:  # a search shown whole: no query
        count = Count(n=len(window.items), more=False)
    # A search that goes on past its first window shows no count: counting its matches tests
    # every candidate row's text (876 tasks match "garden" at the large world: 1.3 ms, a third
    # of the page's database time, whatever the cap), and "Next" says there are more.
    return TaskList(window=window, count=count)


MAX_STALE = 500  # rows read afresh per window: the job keeps the rest (it runs every 2 min)


def _stale(
    session: Session, conds: list[ColumnElement[bool]], now: datetime
) -> list[tuple[datetime, int, TaskSummary]]:
    """The matching rows whose kept next shift has started (few: the job keeps them again
    every few minutes), each with its true sort key and figures, read from the shifts."""
    rows = session.execute(
        select(Task, *figures.columns_at_run_time())
        .where(*conds, Task.list_sort_at <= now)
        .order_by(Task.id)
        .limit(MAX_STALE),
        {figures.NOW_KEY: now},
    ).all()
    return [
        (_aware(k) or NEVER, t.id, TaskSummary(t, _aware(n), int(u), int(f)))
        for t, k, n, u, f in rows
    ]


def _load_programmes(session: Session, shown: list[Task]) -> None:
    """The programmes of the tasks shown, in one query, set on each task as loaded. Loading them
    with each of the list's two queries (selectinload) cost a query for up to MAX_STALE rows
    that are not shown, and about 1 ms of CPU a page more than this."""
    if not shown:
        return
    ids = sorted({t.programme_id for t in shown})
    by_id = {p.id: p for p in session.scalars(select(Programme).where(Programme.id.in_(ids)))}
    for task in shown:
        set_committed_value(task, "programme", by_id[task.programme_id])


def _merge_stale(
    session: Session,
    current: Window[Task],
    stale: list[tuple[datetime, int, TaskSummary]],
    keys: list[Key],
    after: str | None,
    before: str | None,
) -> Window[TaskSummary]:
    """The window of the current rows with the stale rows that belong in it, in their true
    place (a stale row's next shift is later than the one its row still says)."""
    start = keyset.decode(after, keys, "after")
    end = keyset.decode(before, keys, "before")
    candidates = [
        (k, i, s)
        for k, i, s in stale
        if (start is None or (k, i) > tuple(start)) and (end is None or (k, i) < tuple(end))
    ]
    rows = [
        (
            t.list_sort_at,
            t.id,
            TaskSummary(t, t.next_shift_starts_at, t.upcoming_shifts, t.free_places),
        )
        for t in current.items
    ]
    merged = sorted(rows + candidates, key=lambda r: (r[0], r[1]))
    per_page = current.per_page
    backwards = end is not None
    more = len(merged) > per_page
    taken = merged[-per_page:] if backwards else merged[:per_page]
    if not taken:
        return Window(items=[], per_page=per_page, next=None, prev=None, first=current.first)

    def cursor(row: tuple[datetime, int, TaskSummary]) -> str:
        return keyset.encode((row[0], row[1]))

    nxt: str | None
    if backwards:
        before_more = current.has_prev or more
        nxt = cursor(taken[-1])
        prev = cursor(taken[0]) if before_more else None
    else:
        before_more = start is not None
        nxt = cursor(taken[-1]) if (current.has_next or more) else None
        prev = cursor(taken[0]) if before_more else None
    return Window(
        items=[r[2] for r in taken], per_page=per_page, next=nxt, prev=prev, first=not before_more
    )


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the UTC column type: SQLite gives back naive text or datetimes."""
    if value is None:
        return None
    parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ProgrammeChoice(NamedTuple):
    id: int
    name: str


def list_programmes_with_open_tasks(session: Session, actor: Actor) -> list[ProgrammeChoice]:
    """The programmes that have at least one open task, by name (for the list's filter): their
    ids and names as plain rows, since the filter offers every one of them (100 at 10x medium,
    where whole Programme objects were a tenth of the task list's time)."""
    has_open = exists().where(
        Task.programme_id == Programme.id,
        Task.status == TaskStatus.OPEN,
        policy.visible_tasks(actor),
    )
    stmt = select(Programme.id, Programme.name).where(has_open, policy.visible_programmes(actor))
    return [ProgrammeChoice(i, n) for i, n in session.execute(stmt.order_by(Programme.name))]


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
