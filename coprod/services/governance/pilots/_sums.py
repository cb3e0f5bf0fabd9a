"""Which logs each group of a pilot evaluation counts, and each contributor's sums over them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, cast, func, or_, select
from sqlalchemy.orm import Session

from coprod.models import (
    ComparisonKind,
    ContributionLog,
    OutcomeQuantity,
    PilotControl,
    Programme,
    Task,
)
from coprod.models import LogStatus as _LogStatus

L = ContributionLog


def _not_training() -> ColumnElement[bool]:
    training = select(Task.id).where(Task.trains_qualification_id.is_not(None))
    return L.task_id.not_in(training)


def _sources(
    programme: Programme, controls: list[PilotControl], *, comparison: bool
) -> ColumnElement[bool]:
    """Which logs a group reads: the pilot's own (and its baseline's), or its controls'."""
    if not comparison or programme.comparison != ComparisonKind.CONTROL:
        return L.programme_id == programme.id
    task_ids = [c.task_id for c in controls if c.task_id is not None]
    programme_ids = [c.control_programme_id for c in controls if c.control_programme_id]
    return or_(L.task_id.in_(task_ids), L.programme_id.in_(programme_ids))


def _counted(source: ColumnElement[bool], span: tuple[date, date]) -> list[ColumnElement[bool]]:
    return [source, L.status == _LogStatus.APPROVED, L.date.between(*span), _not_training()]


def _cents(total: Any) -> Any:
    return cast(func.round(total * 100), BigInteger)


@dataclass
class Unit:
    """One contributor's sums over a group's period (user_id None: deleted accounts)."""

    user_id: int | None
    hours: int  # cents of an hour
    days: int
    outcome: dict[int, int]  # metric id -> cents of quantity


def contributor_sums(session: Session, where: list[ColumnElement[bool]]) -> list[Unit]:
    """Each contributor's hours, days and outcome per metric, summed by the database."""
    hours: Select[Any] = (
        select(L.user_id, _cents(func.sum(L.hours)), func.count(func.distinct(L.date)))
        .where(*where)
        .group_by(L.user_id)
    )
    units = {
        uid: Unit(uid, int(cents or 0), int(days), {})
        for uid, cents, days in session.execute(hours)
    }
    q = OutcomeQuantity
    outcome = (
        select(L.user_id, q.metric_id, _cents(func.sum(q.quantity)))
        .join(L, L.id == q.log_id)
        .where(*where)
        .group_by(L.user_id, q.metric_id)
    )
    for uid, metric_id, cents in session.execute(outcome):
        if uid in units:
            units[uid].outcome[metric_id] = int(cents or 0)
    return sorted(units.values(), key=lambda u: (u.user_id is None, u.user_id or 0))
