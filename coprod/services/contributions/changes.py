"""Logging hours, resubmitting a log sent back, and correcting an approved one (a new,
linked log)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import (
    ContributionLog,
    LogStatus,
    Organisation,
    Shift,
    Task,
    User,
)
from coprod.services.accounts import require_confirmed
from coprod.services.contributions.rules import (
    PENDING,
    InKind,
    LogInput,
    Outcomes,
    check_task_open_for_logs,
    fill_log,
    lock_person,
    log_state,
    record_change,
    validate_log,
)


def lock_log(session: Session, log: ContributionLog) -> None:
    """Lock the log's row (before its person's) and re-read it: the checks that follow decide on
    what another transaction committed meanwhile, not on what was loaded."""
    # Its own statement, not session.refresh: a refresh repeats the eager joins the log was
    # loaded with, and PostgreSQL cannot lock the nullable side of an outer join.
    session.scalars(
        select(ContributionLog)
        .where(ContributionLog.id == log.id)
        .with_for_update(of=ContributionLog, key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def submit_log(
    session: Session,
    actor: User,
    task: Task,
    *,
    on: date | None,
    hours: Decimal | None,
    outcomes: Outcomes = (),
    notes: str = "",
    in_kind: InKind = (),
    organisation: Organisation | None = None,
    shift: Shift | None = None,
    now: datetime,
) -> ContributionLog:
    """Log one's own hours (or, as its coordinator, an organisation's) for an active task."""
    data = LogInput(on, hours, outcomes, notes, in_kind, shift)
    policy.require(actor, "log.create", task)
    require_confirmed(actor)
    if organisation is not None:
        policy.require(actor, "log.create_for_org", organisation)
    check_task_open_for_logs(task)
    lock_person(session, actor.id)
    outs, items, text = validate_log(session, task, actor.id, data, now)
    log = ContributionLog(
        user_id=actor.id,
        created_by_id=actor.id,
        organisation_id=organisation.id if organisation is not None else None,
        task=task,
        programme_id=task.programme_id,
        status=LogStatus.SUBMITTED,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    fill_log(log, data, outs, items, text)
    session.add(log)
    session.flush()
    record_change(session, actor, "log.submitted", log, now, after=log_state(log))
    return log


def resubmit_log(
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
    """The contributor changes a log a reviewer sent back and submits it again."""
    data = LogInput(on, hours, outcomes, notes, in_kind, shift)
    policy.require(actor, "log.resubmit", log)
    lock_log(session, log)
    if log.status == LogStatus.APPROVED:
        raise Conflict(_("An approved log is never edited: submit a correction instead."))
    if log.status != LogStatus.CHANGES_REQUESTED:
        raise Conflict(_("Only a log a reviewer sent back for changes can be resubmitted."))
    return refill_log(session, actor, log, data, now, "log.resubmitted", resubmit=True)


def refill_log(
    session: Session,
    actor: User,
    log: ContributionLog,
    data: LogInput,
    now: datetime,
    action: str,
    *,
    resubmit: bool = False,
) -> ContributionLog:
    """A locked log, not yet reviewed, takes new values under the rules of a new log (its
    contributor locked, the log itself left out of the day's total); audited before/after.
    Resubmitted, it is submitted again now."""
    assert log.user_id is not None
    lock_person(session, log.user_id)
    outs, items, text = validate_log(session, log.task, log.user_id, data, now, [log.id])
    before = log_state(log)
    fill_log(log, data, outs, items, text)
    if resubmit:
        log.status, log.submitted_at = LogStatus.SUBMITTED, now
    log.updated_at = now
    session.flush()
    record_change(session, actor, action, log, now, before=before, after=log_state(log))
    return log


def correct_log(
    session: Session,
    actor: User,
    original: ContributionLog,
    *,
    on: date | None,
    hours: Decimal | None,
    outcomes: Outcomes = (),
    notes: str = "",
    in_kind: InKind = (),
    shift: Shift | None = None,
    now: datetime,
) -> ContributionLog:
    """An approved log is never edited: its correction is a new log, linked to it, for review."""
    data = LogInput(on, hours, outcomes, notes, in_kind, shift)
    policy.require(actor, "log.correct", original)
    # Two corrections at once: the second waits here, then sees the first one pending.
    lock_log(session, original)
    if original.status != LogStatus.APPROVED:
        raise Conflict(_("Only an approved log can be corrected."))
    pending = session.scalar(
        select(ContributionLog.id).where(
            ContributionLog.corrects_id == original.id, ContributionLog.status.in_(PENDING)
        )
    )
    if pending is not None:
        raise Conflict(_("A correction of this log is already waiting for review."))
    assert original.user_id is not None
    lock_person(session, original.user_id)
    # The correction replaces the original once approved: its hours do not add to the day.
    outs, items, text = validate_log(
        session, original.task, original.user_id, data, now, [original.id]
    )
    log = ContributionLog(
        user_id=original.user_id,
        created_by_id=actor.id,
        organisation_id=original.organisation_id,
        task_id=original.task_id,
        programme_id=original.programme_id,
        corrects_id=original.id,
        status=LogStatus.SUBMITTED,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    fill_log(log, data, outs, items, text)
    session.add(log)
    session.flush()
    record_change(session, actor, "log.correction_submitted", log, now, after=log_state(log))
    return log
