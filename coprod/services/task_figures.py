"""The figures the task list shows, kept on the task's row: the start of its next live shift,
how many live shifts are still to come, and their free places (`Task.next_shift_starts_at`,
`upcoming_shifts`, `free_places`, and `list_sort_at`, the list's order).

Kept in the same transaction as every change that moves them: a shift added, moved, resized,
cancelled or deleted, a seat taken or given back (sign-up, cancellation, waitlist promotion,
the task cancelled), a task's status changed. Each of those calls `refresh` once its own
changes are flushed.

Concurrency (PostgreSQL, READ COMMITTED): `refresh` first locks the task rows (in id order,
FOR NO KEY UPDATE), then recomputes them from the shifts in a second statement. The second
statement reads with a snapshot taken after the lock was granted, so it sees every change
committed by a transaction that held the lock before: two sign-ups on two shifts of one task
both count. (One UPDATE with the subqueries alone would not: waiting for the row, it keeps
the snapshot it started with and writes figures that miss the other's seat.) The task row is
last in the lock order, after the shift, the sign-up and the person (booking.py): whoever
holds a task's row takes no other lock after it, so it adds no deadlock.

Time moves the figures too: a shift that starts is no longer upcoming. The figures are exact
as long as `list_sort_at` is in the future (no kept shift has started since); a row whose
`list_sort_at` has passed is stale. The list reads those few rows afresh (coprod.services.
tasks.reading) and the job `tasks.figures` (coprod/jobs/task_figures.py) keeps them again
every few minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    ScalarSelect,
    bindparam,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from coprod.models import Shift, Task, TaskStatus
from coprod.models.tasks import NEVER
from coprod.services.shift_state import live_shift

BATCH = 500  # task rows kept again per statement by the job and the backfill


# "Now" as a parameter given when the statement runs (`{NOW_KEY: now}`): the figures' columns
# are then built once per process (see `columns_at_run_time`) instead of on every request.
NOW_KEY = "figures_now"
Now = datetime | BindParameter[datetime]


def _upcoming(now: Now) -> ColumnElement[bool]:
    return (Shift.task_id == Task.id) & (Shift.starts_at > now) & live_shift()


def next_start(now: Now) -> ScalarSelect[Any]:
    """The start of the task's next live shift after `now` (correlated to Task; NULL: none)."""
    return select(func.min(Shift.starts_at)).where(_upcoming(now)).correlate(Task).scalar_subquery()


def upcoming_count(now: Now) -> ColumnElement[int]:
    """How many live shifts of the task start after `now` (correlated to Task)."""
    count = select(func.count()).where(_upcoming(now)).correlate(Task).scalar_subquery()
    return cast(count, Integer)


def free_count(now: Now) -> ColumnElement[int]:
    """The free places on those shifts (correlated to Task)."""
    places = func.coalesce(func.sum(Shift.capacity - Shift.confirmed), 0)
    return cast(select(places).where(_upcoming(now)).correlate(Task).scalar_subquery(), Integer)


def sort_key(now: Now) -> ColumnElement[datetime]:
    """The list's order for the task as it is at `now`: its next start, or NEVER."""
    return func.coalesce(next_start(now), literal(NEVER, type_=Task.list_sort_at.type))


@cache
def columns_at_run_time() -> tuple[ColumnElement[Any], ...]:
    """sort_key, next_start, upcoming_count and free_count of a task at the `NOW_KEY`
    parameter, built once (0.4 ms a request when built for each)."""
    now = bindparam(NOW_KEY, type_=Shift.starts_at.type)
    return (sort_key(now), next_start(now), upcoming_count(now), free_count(now))


def _lock(session: Session, ids: list[int]) -> None:
    """Lock the task rows, by id (last in the lock order)."""
    session.execute(
        select(Task.id).where(Task.id.in_(ids)).order_by(Task.id).with_for_update(key_share=True)
    ).all()


def refresh(session: Session, task_ids: Iterable[int], now: datetime) -> None:
    """Compute the tasks' figures again from their shifts as they are in this transaction,
    under the tasks' row locks (see the module's docstring for why the lock comes first)."""
    ids = sorted(set(task_ids))
    if not ids:
        return
    session.flush()
    _lock(session, ids)
    session.execute(
        update(Task)
        .where(Task.id.in_(ids))
        .values(
            next_shift_starts_at=next_start(now),
            upcoming_shifts=upcoming_count(now),
            free_places=free_count(now),
            list_sort_at=sort_key(now),
        ),
        execution_options={"synchronize_session": False},
    )
    for obj in session.identity_map.values():
        if isinstance(obj, Task) and obj.id in ids:
            session.expire(obj, FIGURES)


FIGURES = ["next_shift_starts_at", "upcoming_shifts", "free_places", "list_sort_at"]


def refresh_stale(session: Session, now: datetime, limit: int = BATCH) -> int:
    """Keep again the figures of the tasks whose next kept shift has started (at most `limit`
    of them, oldest first: the job comes back for the rest); how many."""
    ids = list(
        session.scalars(
            select(Task.id)
            .where(Task.status.in_(list(TaskStatus)), Task.list_sort_at <= now)
            .order_by(Task.list_sort_at, Task.id)
            .limit(limit)
        )
    )
    refresh(session, ids, now)
    return len(ids)


def refresh_all(session: Session, now: datetime) -> int:
    """Keep again every task's figures, in batches (a world loaded without the services: the
    demo, a generated benchmark world); how many."""
    done, last = 0, 0
    while True:
        ids = list(
            session.scalars(select(Task.id).where(Task.id > last).order_by(Task.id).limit(BATCH))
        )
        if not ids:
            return done
        refresh(session, ids, now)
        done, last = done + len(ids), ids[-1]
