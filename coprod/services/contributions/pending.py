"""Before review: the contributor changes a submitted log or withdraws it (after review, the
correction flow in changes.py applies)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _, _l
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

REVIEWED = _l("This log has been reviewed: an approved log is corrected, not edited.")
NOT_PENDING = {
    LogStatus.REJECTED: _l("This log is rejected: it can no longer be changed."),
    LogStatus.SUPERSEDED: _l("This log is superseded: it can no longer be changed."),
    LogStatus.WITHDRAWN: _l("This log is withdrawn: it can no longer be changed."),
}


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
        raise Conflict(_("A reviewer sent this log back: change it with “Change and resubmit”."))
    if log.status != LogStatus.SUBMITTED:
        raise Conflict(_not_pending(log))
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
        raise Conflict(_not_pending(log))
    before = log_state(log)
    log.status = LogStatus.WITHDRAWN
    log.updated_at = now
    session.flush()
    record_change(session, actor, action, log, now, before=before, after=log_state(log))
    return log


def _not_pending(log: ContributionLog) -> str:
    """Why a log that is no longer pending cannot be changed (an approved one is corrected)."""
    if log.status == LogStatus.APPROVED:
        return str(REVIEWED)
    return str(NOT_PENDING.get(log.status) or _("This log can no longer be changed."))
