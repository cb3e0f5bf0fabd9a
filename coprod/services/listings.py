"""Read-only lists the API offers beyond the web pages' own (tasks in any status, logs across
organisations, stored report snapshots); visibility comes from coprod.policy's role helpers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, false, or_, select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.models import (
    ContributionLog,
    LogStatus,
    PeriodKind,
    Programme,
    ReportSnapshot,
    Role,
    Shift,
    Task,
    TaskStatus,
    User,
)
from coprod.services import localtime
from coprod.services.pagination import Page, paginate
from coprod.services.tasks import text_match


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
    """Tasks in one status that this person may see (as coprod.policy's task.view: public
    statuses for everyone, the rest for lead staff and the task's coordinators), newest first."""
    stmt = select(Task).where(Task.status == status).options(selectinload(Task.programme))
    if status not in policy.PUBLIC_TASK_STATUSES:
        staff_of = policy.org_ids_with_role(actor, Role.STAFF)
        coordinates = policy.org_ids_with_role(actor, Role.COORDINATOR)
        lead_ids = select(Programme.id).where(Programme.lead_organisation_id.in_(staff_of))
        stmt = stmt.where(
            or_(
                Task.programme_id.in_(lead_ids) if staff_of else false(),
                Task.coordinating_organisation_id.in_(coordinates) if coordinates else false(),
            )
        )
    if programme_id is not None:
        stmt = stmt.where(Task.programme_id == programme_id)
    for word in q.split()[:10]:
        stmt = stmt.where(text_match(word))
    if date_from or date_to:  # dates are each programme's local dates
        days = localtime.on_local_days(
            session, Shift.starts_at, Task.programme_id, date_from, date_to
        )
        stmt = stmt.where(exists().where(Shift.task_id == Task.id, days))
    stmt = stmt.order_by(Task.created_at.desc(), Task.id.desc())
    return paginate(session, stmt, page, per_page)


def list_logs(
    session: Session,
    actor: User,
    *,
    status: LogStatus | None,
    programme_id: int | None,
    task_id: int | None,
    user_id: int | None,
    mine: bool,
    page: int,
    per_page: int,
) -> Page[ContributionLog]:
    """The logs this person may see (as coprod.policy's log.view: their own, their
    organisations' as coordinator, their agencies' programmes' as reviewer), newest first."""
    L = ContributionLog
    own = or_(L.user_id == actor.id, L.created_by_id == actor.id)
    if mine:
        stmt = select(L).where(own)
    elif policy.is_site_admin(actor):
        stmt = select(L)
    else:
        coordinates = policy.org_ids_with_role(actor, Role.COORDINATOR)
        reviews = policy.org_ids_with_role(actor, Role.REVIEWER)
        reviewed = select(Programme.id).where(Programme.lead_organisation_id.in_(reviews))
        stmt = select(L).where(
            or_(
                own,
                L.organisation_id.in_(coordinates) if coordinates else false(),
                L.programme_id.in_(reviewed) if reviews else false(),
            )
        )
    if status is not None:
        stmt = stmt.where(L.status == status)
    if programme_id is not None:
        stmt = stmt.where(L.programme_id == programme_id)
    if task_id is not None:
        stmt = stmt.where(L.task_id == task_id)
    if user_id is not None:
        stmt = stmt.where(L.user_id == user_id)
    stmt = stmt.options(selectinload(L.outcomes), selectinload(L.in_kind))
    return paginate(session, stmt.order_by(L.date.desc(), L.id.desc()), page, per_page)


def list_snapshots(
    session: Session,
    programme_id: int,
    *,
    period: PeriodKind | None,
    date_from: date | None,
    date_to: date | None,
    page: int,
    per_page: int,
) -> Page[ReportSnapshot]:
    """A programme's stored report snapshots, latest period first (the caller checks that the
    person may read the programme's reports)."""
    stmt = select(ReportSnapshot).where(ReportSnapshot.programme_id == programme_id)
    if period is not None:
        stmt = stmt.where(ReportSnapshot.period == period)
    if date_from is not None:
        stmt = stmt.where(ReportSnapshot.end >= date_from)
    if date_to is not None:
        stmt = stmt.where(ReportSnapshot.start <= date_to)
    stmt = stmt.order_by(ReportSnapshot.start.desc(), ReportSnapshot.period)
    return paginate(session, stmt, page, per_page)
