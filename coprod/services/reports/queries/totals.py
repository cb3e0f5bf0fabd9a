"""Outcome, in-kind and rating totals per period, each counted with its approved log."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from coprod.models import Feedback, InKindItem, OutcomeQuantity, PeriodKind, Task
from coprod.services.reports.dialect import bucket, cents, is_postgres
from coprod.services.reports.queries.scope import (
    NOT_COUNTED,
    InKindTotal,
    L,
    OutcomeTotal,
    Scope,
    TaskRatings,
    bound_parameters,
    rows_of,
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
    """Each metric's quantity per period of the scope, and (scope.outcomes_before) its total
    before the scope (the start of its cumulative figures): reading that total reads every
    earlier row of the programme, so it is left out where it is known otherwise."""
    statement = _outcome_statement(is_postgres(session), scope.kind, scope.outcomes_before)
    return [OutcomeTotal(*row) for row in rows_of(session, statement, scope)]


@functools.cache
def _outcome_statement(pg: bool, kind: PeriodKind, before: bool) -> Any:
    programme_id, lo, hi = bound_parameters()
    q = OutcomeQuantity
    b = case((q.date >= lo, bucket(pg, kind, q.date))) if before else bucket(pg, kind, q.date)
    days = q.date <= hi if before else q.date.between(lo, hi)
    per_row = (
        select(b.label("b"), q.metric_id)
        .add_columns(q.quantity)
        .where(q.programme_id == programme_id, days, _counts(programme_id, q.log_id))
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
