"""Service hours by organisation and by task, with distinct and new contributors."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import String, and_, case, false, func, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import ContributionLog, LogStatus, Organisation, PeriodKind, Task
from coprod.services.reports.dialect import bucket, grouped_two_ways, is_postgres, sum_cents
from coprod.services.reports.queries.scope import (
    L,
    OrganisationHours,
    Scope,
    ServiceHours,
    TaskHours,
    _training_tasks,
    bound_parameters,
    rows_of,
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
