"""Reading logs: one log (for those who may see it), its history and corrections, the task
to log for, the organisations one may log for, and a person's own logs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import (
    AuditEntry,
    ContributionLog,
    LogStatus,
    Organisation,
    OutcomeQuantity,
    Task,
    User,
)
from coprod.services.contributions.rules import HOLDS_SHIFT, PENDING, check_task_open_for_logs
from coprod.services.keyset import Count, Key, Window, capped_count, window
from coprod.services.pagination import clamp


def get_task_for_logging(session: Session, actor: User, task_id: int) -> Task:
    """The task with its metrics and shifts, if the actor may log hours for it now."""
    task = session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(
            selectinload(Task.metrics), selectinload(Task.shifts), selectinload(Task.programme)
        )
    )
    if task is None:
        raise NotFound(_("No such task."))
    policy.require(actor, "log.create", task)
    check_task_open_for_logs(task)
    return task


def organisations_to_log_for(session: Session, actor: User) -> list[Organisation]:
    """The organisations the actor coordinates, so may log hours on behalf of."""
    condition = policy.organisations_to_log_for(actor)
    if condition is false():  # no coordinator role: no query
        return []
    stmt = select(Organisation).where(condition).order_by(Organisation.name)
    return list(session.scalars(stmt))


def get_log(session: Session, actor: User | None, log_id: int) -> ContributionLog:
    """A log with everything its page shows, for those who may view it; NotFound otherwise."""
    log = session.scalar(
        select(ContributionLog)
        .where(ContributionLog.id == log_id)
        .options(
            selectinload(ContributionLog.task).selectinload(Task.programme),
            selectinload(ContributionLog.task).selectinload(Task.metrics),
            selectinload(ContributionLog.outcomes).selectinload(OutcomeQuantity.metric),
            selectinload(ContributionLog.in_kind),
            selectinload(ContributionLog.contributor),
            selectinload(ContributionLog.organisation),
            selectinload(ContributionLog.shift),
            selectinload(ContributionLog.corrects),
            selectinload(ContributionLog.reviewed_by),
        )
    )
    if log is None or not policy.can(actor, "log.view", log):
        raise NotFound(_("No such log."))
    return log


def get_log_to_change(session: Session, actor: User, log_id: int, action: str) -> ContributionLog:
    """A log its contributor may resubmit ("log.resubmit"), correct ("log.correct"), edit
    ("log.edit") or withdraw ("log.withdraw") now, or its reviewer may review ("log.review")."""
    log = get_log(session, actor, log_id)
    policy.require(actor, "log.edit" if action == "log.withdraw" else action, log)
    if log.status == LogStatus.WITHDRAWN:  # nothing can be done with it any more
        raise Conflict(
            _("Log #%(id)s is withdrawn: it is counted nowhere and cannot be changed.", id=log.id)
        )
    if action == "log.edit" and log.status != LogStatus.SUBMITTED:
        raise Conflict(
            _(
                "Only a log waiting for review can be edited: after review, correct it or, when "
                "it was sent back, change and resubmit it."
            )
        )
    if action == "log.withdraw" and log.status not in PENDING:
        raise Conflict(_("Only a log not yet approved or rejected can be withdrawn."))
    if action == "log.resubmit" and log.status != LogStatus.CHANGES_REQUESTED:
        raise Conflict(_("Only a log a reviewer sent back for changes can be resubmitted."))
    if action == "log.correct" and log.status != LogStatus.APPROVED:
        raise Conflict(_("Only an approved log can be corrected."))
    return log


def get_log_history(session: Session, actor: User, log: ContributionLog) -> list[AuditEntry]:
    """The log's audit trail, oldest first: who changed what, when."""
    policy.require(actor, "log.view", log)
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "ContributionLog", AuditEntry.object_id == log.id)
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )


def get_corrections(session: Session, actor: User, log: ContributionLog) -> list[ContributionLog]:
    """The corrections submitted for a log, newest first."""
    policy.require(actor, "log.view", log)
    return list(
        session.scalars(
            select(ContributionLog)
            .where(ContributionLog.corrects_id == log.id)
            .order_by(ContributionLog.id.desc())
        )
    )


# My logs: newest date first, the id breaking ties (index ix_contribution_log_user_date_id).
MY_LOG_KEYS = (
    Key(ContributionLog.date.expression, date, descending=True),
    Key(ContributionLog.id.expression, descending=True),
)


@dataclass(frozen=True)
class MyLogs:
    window: Window[ContributionLog]
    count: Count  # the logs with this filter, counted up to a cap
    approved_hours: Decimal


def list_my_logs(
    session: Session,
    actor: User,
    status: LogStatus | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: Any = 20,
) -> MyLogs:
    """The actor's own logs, newest first (the window after or before a cursor), how many
    there are (counted up to a cap), and their total approved hours."""
    _, pp = clamp(1, per_page)
    stmt = select(ContributionLog).where(
        ContributionLog.user_id == actor.id, policy.visible_logs(actor)
    )
    if status is not None:
        stmt = stmt.where(ContributionLog.status == status)
    found = window(
        session,
        stmt.options(
            selectinload(ContributionLog.task),
            selectinload(ContributionLog.organisation),
        ),
        MY_LOG_KEYS,
        after=after,
        before=before,
        per_page=pp,
    )
    if found.first and not found.has_next:  # every log is on this window
        count = Count(n=len(found.items), more=False)
    else:
        count = capped_count(session, stmt.with_only_columns(ContributionLog.id))
    total = session.scalar(
        select(func.coalesce(func.sum(ContributionLog.hours), 0)).where(
            ContributionLog.user_id == actor.id,
            policy.visible_logs(actor),
            ContributionLog.status == LogStatus.APPROVED,
        )
    )
    return MyLogs(window=found, count=count, approved_hours=Decimal(str(total or 0)))


def my_shift_logs(session: Session, actor: User, shift_ids: Iterable[int]) -> dict[int, int]:
    """The actor's log of each of these shifts (submitted, approved or sent back), by shift id:
    My schedule offers "View your log" for them and "Log hours" for the others."""
    ids = set(shift_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ContributionLog.shift_id, ContributionLog.id)
        .where(
            ContributionLog.user_id == actor.id,
            ContributionLog.shift_id.in_(ids),
            ContributionLog.status.in_(HOLDS_SHIFT),
        )
        .order_by(ContributionLog.id)
    )
    return {shift_id: log_id for shift_id, log_id in rows if shift_id is not None}
