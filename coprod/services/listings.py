"""Read-only lists the API offers beyond the web pages' own (tasks in any status, logs across
organisations, stored report snapshots); who sees what is coprod.policy's query twins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import FieldErrors
from coprod.i18n import _
from coprod.models import (
    ContributionLog,
    LogStatus,
    PeriodKind,
    ReportSnapshot,
    Shift,
    Task,
    TaskStatus,
    User,
)
from coprod.services import localtime
from coprod.services.keyset import Key, Window, window
from coprod.services.pagination import Page, paginate
from coprod.services.programmes import get_programme
from coprod.services.shift_state import live_shift
from coprod.services.tasks import text_match
from coprod.services.text import SEARCH_MAX, clean_text


def list_tasks(
    session: Session,
    actor: User | None,
    *,
    status: TaskStatus,
    programme_id: int | None,
    q: str,
    date_from: date | None,
    date_to: date | None,
    page: int,
    per_page: int,
) -> Page[Task]:
    """Tasks in one status that this person may see (policy.visible_tasks: public statuses
    for everyone, the rest for lead staff and the task's coordinators), newest first.
    The search and the dates filter as on the open task list (tasks.list_open_tasks): the
    search text as typed, in the title, description or location; a task with a live shift on
    a local day in the range, or ongoing."""
    errs = FieldErrors()
    q = errs.check(lambda: clean_text(q, "q", _("The search"), max_len=SEARCH_MAX, required=False))
    if date_from and date_to and date_to < date_from:
        errs.add("date_to", _("The end date must be on or after the start date."))
    errs.raise_if_any()
    stmt = (
        select(Task)
        .where(Task.status == status, policy.visible_tasks(actor))
        .options(selectinload(Task.programme))
    )
    if programme_id is not None:
        stmt = stmt.where(Task.programme_id == programme_id)
    if q:
        stmt = stmt.where(text_match(q))
    if date_from or date_to:  # dates are each programme's local dates
        days = localtime.on_local_days(
            session, Shift.starts_at, Task.programme_id, date_from, date_to
        )
        # An ongoing task can be done on any day.
        stmt = stmt.where(
            or_(Task.ongoing, exists().where(Shift.task_id == Task.id, days, live_shift()))
        )
    stmt = stmt.order_by(Task.created_at.desc(), Task.id.desc())
    return paginate(session, stmt, page, per_page)


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
