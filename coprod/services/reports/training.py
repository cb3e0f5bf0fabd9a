"""Capacity building's figures as named queries (see figures.py for what they mean): training
hours received and delivered, and qualifications awarded and expiring unrenewed, per period of
a Scope, with typed rows."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import String, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    ContributionLog,
    LogStatus,
    Organisation,
    PeriodKind,
    Programme,
    Qualification,
    QualificationAward,
    Task,
    task_qualification,
)
from coprod.services.reports.dialect import bucket, grouped_two_ways, is_postgres, sum_cents
from coprod.services.reports.queries import Scope, bound_parameters, rows_of

L = ContributionLog


class TrainingHours(NamedTuple):
    """Training hours of a period by the organisation that received them (`delivered` false;
    None: citizens) or the one that ran the training (`delivered` true)."""

    start: date
    delivered: bool
    organisation_id: int | None
    name: str | None
    sector: str | None
    cents: int


class AwardCount(NamedTuple):
    """Awards of a qualification made (`expiring` false) or expiring unrenewed in a period."""

    start: date
    expiring: bool
    qualification_id: int
    name: str
    awards: int


def training_hours(session: Session, scope: Scope) -> list[TrainingHours]:
    """Approved training hours of each period by the organisation that received them (the
    log's, None for a citizen) and by the one that delivered them (the task's coordinating
    organisation, else the programme's lead agency). Read from the training tasks' logs only
    (the (status, task) index)."""
    statement = _training_statement(is_postgres(session), scope.kind)
    return [TrainingHours(*row) for row in rows_of(session, statement, scope) if row[0] is not None]


@functools.cache
def _training_statement(pg: bool, kind: PeriodKind) -> Any:
    programme_id, lo, hi = bound_parameters()
    delivering = func.coalesce(Task.coordinating_organisation_id, Programme.lead_organisation_id)
    rows = (
        select(bucket(pg, kind, L.date).label("b"), L.organisation_id.label("o"))
        .add_columns(delivering.label("d"), L.hours)
        .join(Task, Task.id == L.task_id)
        .join(Programme, Programme.id == Task.programme_id)
        .where(
            Task.programme_id == programme_id,
            Task.trains_qualification_id.is_not(None),
            L.programme_id == programme_id,
            L.status == LogStatus.APPROVED,
            L.date.between(lo, hi),
        )
    )

    def measures(f: Any) -> list[ColumnElement[Any]]:
        return [sum_cents(pg, f.hours).label("cents")]

    g = grouped_two_ways(pg, rows, "tr", "b", "o", "d", measures).subquery("g").c
    org = aliased(Organisation)
    return select(
        g.b, g.by_second, g.key, org.name, type_coerce(org.kind, String), g.cents
    ).outerjoin(org, org.id == g.key)


def award_counts(session: Session, scope: Scope) -> list[AwardCount]:
    """Per period and qualification the programme's tasks require or train: the awards made
    (not revoked), and the awards expiring unrenewed (see figures.py)."""
    awarded, expiring = _award_statements(is_postgres(session), scope.kind)
    rows = [AwardCount(s, False, *rest) for s, *rest in rows_of(session, awarded, scope)]
    return rows + [AwardCount(s, True, *rest) for s, *rest in rows_of(session, expiring, scope)]


def _programme_qualifications(programme_id: Any) -> Any:
    required = (
        select(task_qualification.c.qualification_id)
        .join(Task, Task.id == task_qualification.c.task_id)
        .where(Task.programme_id == programme_id)
    )
    trained = select(Task.trains_qualification_id).where(
        Task.programme_id == programme_id, Task.trains_qualification_id.is_not(None)
    )
    return required.union_all(trained)


@functools.cache
def _award_statements(pg: bool, kind: PeriodKind) -> tuple[Any, Any]:
    programme_id, lo, hi = bound_parameters()
    a, q = QualificationAward, Qualification
    ours = (a.qualification_id.in_(_programme_qualifications(programme_id)), a.revoked_at.is_(None))
    awarded_b = bucket(pg, kind, a.awarded_on)
    awarded = (
        select(awarded_b, a.qualification_id, q.name, func.count())
        .join(q, q.id == a.qualification_id)
        .where(*ours, a.awarded_on.between(lo, hi))
        .group_by(awarded_b, a.qualification_id, q.name)
    )
    other = aliased(QualificationAward)
    renewed = (
        select(other.id)
        .where(
            other.user_id == a.user_id,
            other.qualification_id == a.qualification_id,
            other.id != a.id,
            other.revoked_at.is_(None),
            other.awarded_on <= a.expires_on,
            or_(other.expires_on.is_(None), other.expires_on > a.expires_on),
        )
        .exists()
    )
    expiring_b = bucket(pg, kind, a.expires_on)
    expiring = (
        select(expiring_b, a.qualification_id, q.name, func.count())
        .join(q, q.id == a.qualification_id)
        .where(*ours, a.expires_on.between(lo, hi), ~renewed)
        .group_by(expiring_b, a.qualification_id, q.name)
    )
    return awarded, expiring
