"""Before review: the contributor changes a submitted log or withdraws it (after review, the
correction flow in changes.py applies)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.models import ContributionLog, LogStatus, Shift, User
from coprod.services.contributions.changes import lock_log, refill_log
from coprod.services.contributions.rules import (
    PENDING,
    InKind,
    LogInput,
    Outcomes,
    log_state,
    record_change,
)

REVIEWED = "This log has been reviewed: an approved log is corrected, not edited."


def edit_log(
    session: Session,
    actor: User,
    log: ContributionLog,
    *,
    on: date | None,
    hours: Decimal | None,
    outcomes: Outcomes = (),
    notes: str = "",
    in_kind: InKind = (),
    shift: Shift | None = None,
    now: datetime,
) -> ContributionLog:
    """The contributor changes a log still waiting for review (the same rules as a new log;
    audited with before and after); it stays submitted."""
    data = LogInput(on, hours, outcomes, notes, in_kind, shift)
    policy.require(actor, "log.edit", log)
    lock_log(session, log)
    if log.status == LogStatus.CHANGES_REQUESTED:
        raise Conflict("A reviewer sent this log back: change it with “Change and resubmit”.")
    if log.status != LogStatus.SUBMITTED:
        raise Conflict(REVIEWED if log.status == LogStatus.APPROVED else _not_pending(log))
    return refill_log(session, actor, log, data, now, "log.edited")


def withdraw_log(
    session: Session, actor: User, log: ContributionLog, *, now: datetime
) -> ContributionLog:
    """The contributor withdraws a log not yet approved or rejected (submitted, or sent back
    for changes): it is counted nowhere from then on (audited)."""
    policy.require(actor, "log.edit", log)
    return _withdraw(session, actor, log, now, "log.withdrawn")


def _withdraw(
    session: Session, actor: User, log: ContributionLog, now: datetime, action: str
) -> ContributionLog:
    lock_log(session, log)
    if log.status not in PENDING:
        raise Conflict(REVIEWED if log.status == LogStatus.APPROVED else _not_pending(log))
    before = log_state(log)
    log.status = LogStatus.WITHDRAWN
    log.updated_at = now
    session.flush()
    record_change(session, actor, action, log, now, before=before, after=log_state(log))
    return log


def _not_pending(log: ContributionLog) -> str:
    return f"This log is {log.status.value.replace('_', ' ')}: it can no longer be changed."
