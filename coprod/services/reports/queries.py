"""The report's service figures as named queries: one function per family of figures of one
programme over a run of periods (a Scope), each aggregated in the database (no log row reaches
Python), returning typed rows keyed by period start; amounts in integer cents. Capacity
building's figures are in training.py.

What counts (see figures.py): approved logs only; training hours (logs on a task that trains a
qualification) count in no service figure; outcome and in-kind rows count with their log.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    ContributionLog,
    Feedback,
    InKindItem,
    LogStatus,
    Organisation,
    OutcomeQuantity,
    PeriodKind,
    Task,
    task_qualification,
)
from coprod.services.reports.dialect import (
    bucket,
    cents,
    grouped_two_ways,
    is_postgres,
    sum_cents,
)

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
    result = session.execute(statement, scope.params)
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


def service_hours(session: Session, scope: Scope) -> ServiceHours:
    """Service hours of each period by organisation and by task, and its distinct and new
    contributors (on the task rows), from one pass over the approved logs of the scope."""
    pg = is_postgres(session)
    by_org: list[OrganisationHours] = []
    by_task: list[TaskHours] = []
    for by_task_row, start, key, sector, name, total, people, new in rows_of(
        session, _service_statement(pg, scope.kind, scope.earlier_logs), scope
    ):
        if start is None:
            continue
        if by_task_row:
            by_task.append(TaskHours(start, key, name or "", total, people, new))
        else:
            by_org.append(OrganisationHours(start, key, name, sector, total))
    return ServiceHours(by_org, by_task)


@functools.cache
def _service_statement(pg: bool, kind: PeriodKind, earlier_logs: bool) -> Any:
    """The statement of service_hours, built once per database, period kind and variant.

    The approved logs of the scope are read in (person, date) order (on a full history, from
    one covering index, without a sort); a window over that order marks each person's first log
    of a period (distinct contributors) and of the scope. That log is their first ever unless
    they logged before the scope: with `earlier_logs`, one index probe per person asks. A sweep
    that rebuilds last month therefore reads last month's logs (and the one before, for the
    change), not the programme's whole history. Then one pass groups them two ways."""
    programme_id, lo, hi = bound_parameters()
    counted = (
        L.programme_id == programme_id,
        L.status == LogStatus.APPROVED,
        L.task_id.not_in(_training_tasks(programme_id)),
    )
    logs = select(L.date, bucket(pg, kind, L.date).label("b"), L.user_id)
    logs = logs.add_columns(L.organisation_id, L.task_id, L.hours)
    logs = logs.where(*counted, L.date <= hi)
    if earlier_logs:
        # Without earlier logs the bound would exclude nothing, and a plan PostgreSQL makes
        # for any dates (a prepared statement's) would read by date and sort by person.
        logs = logs.where(L.date >= lo)
    c = logs.subquery("c")
    person: dict[str, Any] = {"partition_by": c.c.user_id, "order_by": c.c.date}
    lag = func.lag(c.c.b).over(**person).label("pb")  # NULL only on a person's first log
    m = select(c, lag).subquery("m").c
    first_here = and_(m.user_id.is_not(None), m.pb.is_(None))
    first_ever: ColumnElement[bool] = first_here
    if earlier_logs:
        before = aliased(ContributionLog)
        logged_before = (
            select(before.id)
            .where(
                before.programme_id == programme_id,
                before.status == LogStatus.APPROVED,
                before.user_id == m.user_id,
                before.date < lo,
                before.task_id.not_in(_training_tasks(programme_id)),
            )
            .exists()
        )
        # CASE: the probe runs only on a person's first log of the scope.
        first_ever = case((first_here, ~logged_before), else_=false())
    flagged = select(
        m.b,
        m.organisation_id.label("o"),
        m.task_id.label("t"),
        m.hours,
        and_(m.user_id.is_not(None), m.pb.is_distinct_from(m.b)).label("first_in_period"),
        first_ever.label("first_ever"),
    )

    def measures(f: Any) -> list[ColumnElement[Any]]:
        return [
            sum_cents(pg, f.hours).label("cents"),
            func.count().filter(f.first_in_period).label("people"),
            func.count().filter(f.first_ever).label("new"),
        ]

    g = grouped_two_ways(pg, flagged, "fl", "b", "o", "t", measures).subquery("g").c
    org = aliased(Organisation)
    return (
        select(g.by_second, g.b, g.key, type_coerce(org.kind, String))  # the kind as text
        .add_columns(func.coalesce(org.name, Task.title), g.cents, g.people, g.new)
        .outerjoin(org, and_(~g.by_second, org.id == g.key))
        .outerjoin(Task, and_(g.by_second, Task.id == g.key))
    )


def _counts(programme_id: Any, log_id: Any) -> ColumnElement[bool]:
    """The row's log counts: outcome and in-kind rows carry their log's programme and date, so
    they are read through the programme's own rows, less those of its logs that do not count
    (few; none need the approved ones)."""
    not_counted = select(L.id).where(
        L.programme_id == programme_id, L.status.in_(NOT_COUNTED), L.id == log_id
    )
    return ~not_counted.exists()


def outcome_totals(session: Session, scope: Scope) -> list[OutcomeTotal]:
    """Each metric's quantity per period of the scope, and its total before the scope (the
    start of its cumulative figures)."""
    statement = _outcome_statement(is_postgres(session), scope.kind)
    return [OutcomeTotal(*row) for row in rows_of(session, statement, scope)]


@functools.cache
def _outcome_statement(pg: bool, kind: PeriodKind) -> Any:
    programme_id, lo, hi = bound_parameters()
    q = OutcomeQuantity
    per_row = (
        select(case((q.date >= lo, bucket(pg, kind, q.date))).label("b"), q.metric_id)
        .add_columns(q.quantity)
        .where(q.programme_id == programme_id, q.date <= hi, _counts(programme_id, q.log_id))
        .subquery("q")
    )
    oq = per_row.c
    return select(oq.b, oq.metric_id, cents(func.sum(oq.quantity))).group_by(oq.b, oq.metric_id)


def in_kind_totals(session: Session, scope: Scope) -> list[InKindTotal]:
    """The value of the in-kind contributions of each period."""
    statement = _in_kind_statement(is_postgres(session), scope.kind)
    return [InKindTotal(*row) for row in rows_of(session, statement, scope)]


@functools.cache
def _in_kind_statement(pg: bool, kind: PeriodKind) -> Any:
    programme_id, lo, hi = bound_parameters()
    item = InKindItem
    b = bucket(pg, kind, item.date)
    return (
        select(b, cents(func.sum(item.value)))
        .where(
            item.programme_id == programme_id,
            item.date.between(lo, hi),
            _counts(programme_id, item.log_id),
        )
        .group_by(b)
    )


def task_ratings(session: Session, scope: Scope) -> list[TaskRatings]:
    """The ratings given in each period, per task (a rating hidden by moderation counts
    nowhere)."""
    statement = _ratings_statement(is_postgres(session), scope.kind)
    return [TaskRatings(*row) for row in rows_of(session, statement, scope)]


@functools.cache
def _ratings_statement(pg: bool, kind: PeriodKind) -> Any:
    programme_id, lo, hi = bound_parameters()
    fb = Feedback
    b = bucket(pg, kind, fb.date)
    return (
        select(b, fb.task_id, Task.title, func.sum(fb.rating), func.count())
        .join(Task, Task.id == fb.task_id)
        .where(fb.programme_id == programme_id, fb.date.between(lo, hi), fb.hidden_at.is_(None))
        .group_by(b, fb.task_id, Task.title)
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
