"""Read-only lists the API offers beyond the web pages' own (tasks in any status, logs across
organisations, stored report snapshots); who sees what is coprod.policy's query twins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.models import (
    ContributionLog,
    LogStatus,
    PeriodKind,
    ReportSnapshot,
    User,
)
from coprod.services.keyset import Key, Window, window
from coprod.services.programmes import get_programme

# Newest date first, the id breaking ties: ix_contribution_log_date_id (and with `mine`,
# ix_contribution_log_user_date_id).
LOG_KEYS = (
    Key(ContributionLog.date.expression, date, descending=True),
    Key(ContributionLog.id.expression, descending=True),
)


def list_logs(
    session: Session,
    actor: User,
    *,
    status: LogStatus | None,
    programme_id: int | None,
    task_id: int | None,
    user_id: int | None,
    mine: bool,
    after: str | None = None,
    per_page: int = 20,
) -> Window[ContributionLog]:
    """The logs this person may see (policy.visible_logs: their own, their organisations' as
    coordinator, their agencies' programmes' as reviewer, all for a site admin), newest first,
    the window after a cursor; only those made by or for them with `mine`."""
    L = ContributionLog
    stmt = select(L).where(policy.visible_logs(actor))
    if mine:
        stmt = stmt.where((L.user_id == actor.id) | (L.created_by_id == actor.id))
    if status is not None:
        stmt = stmt.where(L.status == status)
    if programme_id is not None:
        stmt = stmt.where(L.programme_id == programme_id)
    if task_id is not None:
        stmt = stmt.where(L.task_id == task_id)
    if user_id is not None:
        stmt = stmt.where(L.user_id == user_id)
    stmt = stmt.options(selectinload(L.outcomes), selectinload(L.in_kind))
    return window(session, stmt, LOG_KEYS, after=after, per_page=per_page)


# Latest period first, the id breaking ties between periods starting the same day. A
# programme has a few dozen snapshots a year: its unique index (programme_id, period, start)
# finds them, and they sort in memory.
SNAPSHOT_KEYS = (
    Key(ReportSnapshot.start.expression, date, descending=True),
    Key(ReportSnapshot.id.expression, descending=True),
)


def list_snapshots(
    session: Session,
    actor: User | None,
    programme_id: int,
    *,
    period: PeriodKind | None,
    date_from: date | None,
    date_to: date | None,
    after: str | None = None,
    per_page: int = 20,
) -> Window[ReportSnapshot]:
    """A programme's stored report snapshots, latest period first (the window after a
    cursor), for those who may read its reports (policy.visible_reports)."""
    programme = get_programme(session, actor, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    stmt = select(ReportSnapshot).where(
        ReportSnapshot.programme_id == programme.id, policy.visible_reports(actor)
    )
    if period is not None:
        stmt = stmt.where(ReportSnapshot.period == period)
    if date_from is not None:
        stmt = stmt.where(ReportSnapshot.end >= date_from)
    if date_to is not None:
        stmt = stmt.where(ReportSnapshot.start <= date_to)
    return window(session, stmt, SNAPSHOT_KEYS, after=after, per_page=per_page)
