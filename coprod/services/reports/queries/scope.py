"""A Scope (periods of one programme), its facts, the typed rows of the queries, their helpers."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from coprod.models import ContributionLog, LogStatus, PeriodKind, Task, task_qualification

L = ContributionLog
NOT_COUNTED = [s for s in LogStatus if s != LogStatus.APPROVED]
# ~8,000 grouped rows per batch at most, taken a thousand at a time.
CHUNK = 1000


class Scope(NamedTuple):
    """The periods of one kind of one programme from the one starting on `lo` to the one
    ending on `hi`. `earlier_logs`: the programme may have approved logs before `lo`, so
    whether a contributor is new is asked of their earlier logs (see service_hours)."""

    programme_id: int
    kind: PeriodKind
    lo: date
    hi: date
    earlier_logs: bool = True
    # Whether the programme has training tasks, and qualifications its tasks require or train:
    # without them its capacity-building figures are empty, and not asked of the database.
    training: bool = True
    qualifications: bool = True
    # Whether the outcome totals before `lo` (the start of the cumulative figures) are read
    # from the rows: not when no log before `lo` counts, nor when a stored snapshot gives them.
    outcomes_before: bool = True

    @property
    def params(self) -> dict[str, Any]:
        return {"programme_id": self.programme_id, "lo": self.lo, "hi": self.hi}


class OrganisationHours(NamedTuple):
    """Service hours of a period credited to an organisation (`organisation_id` None: citizens;
    `sector` None then too)."""

    start: date
    organisation_id: int | None
    name: str | None
    sector: str | None
    cents: int


class TaskHours(NamedTuple):
    """Service hours of a period on a task, with the contributors whose first log of the period
    (`contributors`) and first log ever (`new_contributors`) is on it: summed over a period's
    tasks, its distinct and new contributors."""

    start: date
    task_id: int
    title: str
    cents: int
    contributors: int
    new_contributors: int


class ServiceHours(NamedTuple):
    by_organisation: list[OrganisationHours]
    by_task: list[TaskHours]


class OutcomeTotal(NamedTuple):
    """An outcome's quantity in a period, in cents (`start` None: before the scope, the start
    of its cumulative total)."""

    start: date | None
    metric_id: int
    cents: int


class InKindTotal(NamedTuple):
    start: date
    cents: int


class TaskRatings(NamedTuple):
    """Volunteers' ratings of a task given in a period (not hidden): their sum and number."""

    start: date
    task_id: int
    title: str
    rating_sum: int
    responses: int


def rows_of(session: Session, statement: Any, scope: Scope) -> Any:
    """The statement's rows for the scope, a chunk at a time. Executed on the session's
    connection, as SQL: the rows are plain tuples, without the ORM's per-row processing."""
    result = session.connection().execute(statement, scope.params)
    return (row for part in result.partitions(CHUNK) for row in part)


def bound_parameters() -> tuple[ColumnElement[int], ColumnElement[date], ColumnElement[date]]:
    return (
        bindparam("programme_id", type_=Integer),
        bindparam("lo", type_=Date),
        bindparam("hi", type_=Date),
    )


def _training_tasks(programme_id: Any) -> Any:
    """The programme's training tasks (those that train a qualification): a handful."""
    return select(Task.id).where(
        Task.programme_id == programme_id, Task.trains_qualification_id.is_not(None)
    )


class ProgrammeFacts(NamedTuple):
    """What decides which queries a programme's batch needs: its first approved log's date,
    whether it has training tasks, and whether its tasks require or train a qualification."""

    first_counted_day: date | None
    trains: bool
    qualifies: bool


def programme_facts(session: Session, programme_id: int) -> ProgrammeFacts:
    """The programme's facts, in one statement of index probes."""
    first = select(func.min(L.date)).where(
        L.programme_id == programme_id, L.status == LogStatus.APPROVED
    )
    trains = _training_tasks(programme_id).exists()
    required = (
        select(task_qualification.c.task_id)
        .join(Task, Task.id == task_qualification.c.task_id)
        .where(Task.programme_id == programme_id)
        .exists()
    )
    day, has_training, has_required = session.execute(
        select(first.scalar_subquery(), trains, required)
    ).one()
    return ProgrammeFacts(day, bool(has_training), bool(has_training or has_required))
