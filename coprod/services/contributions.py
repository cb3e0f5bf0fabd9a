"""Contribution logs: logging hours and outcomes, resubmitting, correcting, reading them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.models import (
    AuditEntry,
    ContributionLog,
    InKindItem,
    LogStatus,
    Organisation,
    OutcomeQuantity,
    Role,
    Shift,
    Task,
    User,
)
from coprod.services import audit
from coprod.services.pagination import Page, clamp, paginate

MAX_HOURS_PER_DAY = Decimal("24")
MAX_NOTES = 2000
MAX_DESCRIPTION = 300
MAX_QUANTITY = Decimal("999999999999.99")
MAX_VALUE = Decimal("9999999999.99")
# Logs that hold part of a person's 24 hours of a day (rejected and superseded ones do not).
DAY_COUNTED = (LogStatus.SUBMITTED, LogStatus.APPROVED, LogStatus.CHANGES_REQUESTED)
PENDING = (LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED)
AUDITED = ["status", "date", "hours", "notes", "shift_id", "organisation_id", "corrects_id"]

Outcomes = Sequence[tuple[int, Decimal]]
InKind = Sequence[tuple[str, Decimal | None]]


@dataclass(frozen=True)
class LogInput:
    """What a person typed for a log (the same for a new log, a resubmission, a correction)."""

    on: date | None
    hours: Decimal | None
    outcomes: Outcomes = ()
    notes: str = ""
    in_kind: InKind = ()
    shift: Shift | None = None


# --- checks, one per rule ---------------------------------------------------------------------


def _two_places(value: Decimal) -> bool:
    return value == value.quantize(Decimal("0.01"))


def check_hours(hours: Decimal | None) -> Decimal:
    """Hours are more than 0 and at most 24, in hundredths."""
    if hours is None or not hours.is_finite():
        raise Invalid("hours", "Enter the hours you gave, like 2.5.")
    if not Decimal("0") < hours <= MAX_HOURS_PER_DAY:
        raise Invalid("hours", "Hours must be more than 0 and at most 24.")
    if not _two_places(hours):
        raise Invalid("hours", "Hours can have at most 2 decimal places.")
    return hours


def check_date(on: date | None, now: datetime) -> date:
    """A log is for a day that has begun: never a future date."""
    if on is None:
        raise Invalid("date", "Enter the date you did the work.")
    if on > now.date():
        raise Invalid("date", "The date cannot be in the future.")
    return on


def check_day_total(
    session: Session, user_id: int, on: date, hours: Decimal, *, exclude: Sequence[int] = ()
) -> None:
    """At most 24 h per person per day, counting submitted, approved and changes-requested logs."""
    stmt = select(func.coalesce(func.sum(ContributionLog.hours), 0)).where(
        ContributionLog.user_id == user_id,
        ContributionLog.date == on,
        ContributionLog.status.in_(DAY_COUNTED),
    )
    ids = [i for i in exclude if i is not None]
    if ids:
        stmt = stmt.where(ContributionLog.id.not_in(ids))
    logged = Decimal(str(session.scalar(stmt) or 0))
    if logged + hours > MAX_HOURS_PER_DAY:
        left = max(MAX_HOURS_PER_DAY - logged, Decimal("0")).normalize()
        raise Invalid(
            "hours",
            f"You have already logged {logged.normalize():f} hours on {on:%d %B %Y}; "
            f"at most {left:f} more hours can be logged for that day.",
        )


def check_outcomes(task: Task, outcomes: Outcomes, errs: FieldErrors) -> list[tuple[int, Decimal]]:
    """Outcomes are for the task's own metrics, once each, with quantities of 0 or more."""
    allowed = {m.id for m in task.metrics}
    seen: set[int] = set()
    clean = []
    for metric_id, quantity in outcomes:
        field = f"outcome_{metric_id}"
        if metric_id not in allowed:
            errs.add("outcomes", "An outcome was given for a metric this task does not measure.")
        elif metric_id in seen:
            errs.add(field, "This outcome was given twice.")
        elif quantity is None or not quantity.is_finite() or quantity < 0:
            errs.add(field, "Enter a quantity of 0 or more.")
        elif quantity > MAX_QUANTITY or not _two_places(quantity):
            errs.add(field, "Enter a quantity with at most 2 decimal places, below a trillion.")
        else:
            clean.append((metric_id, quantity))
        seen.add(metric_id)
    return clean


def check_in_kind(in_kind: InKind, errs: FieldErrors) -> list[tuple[str, Decimal]]:
    """In-kind items have a description and a value of 0 or more; blank rows are ignored."""
    clean = []
    for i, (raw_description, value) in enumerate(in_kind):
        description = (raw_description or "").strip()
        if not description and value is None:
            continue
        ok = True
        if not description:
            errs.add(f"in_kind_{i}_description", "Describe the item or service you gave.")
            ok = False
        elif len(description) > MAX_DESCRIPTION or "\x00" in description:
            errs.add(f"in_kind_{i}_description", "Use at most 300 plain characters.")
            ok = False
        if value is None or not value.is_finite() or value < 0:
            errs.add(f"in_kind_{i}_value", "Enter a value of 0 or more (0 if you do not know).")
            ok = False
        elif value > MAX_VALUE or not _two_places(value):
            errs.add(f"in_kind_{i}_value", "Enter an amount with at most 2 decimal places.")
            ok = False
        if ok and value is not None:
            clean.append((description, value))
    return clean


def check_task_open_for_logs(task: Task) -> None:
    """Hours are logged only for open, closed or completed tasks (not draft or cancelled)."""
    if task.status not in policy.LOGGABLE_TASK_STATUSES:
        raise Conflict(f"Hours cannot be logged for a {task.status.value} task.")


def _validate(
    session: Session,
    task: Task,
    user_id: int,
    data: LogInput,
    now: datetime,
    exclude: Sequence[int] = (),
) -> tuple[list[tuple[int, Decimal]], list[tuple[str, Decimal]], str]:
    """Every rule on what was typed; all wrong fields are reported at once."""
    errs = FieldErrors()
    on = errs.check(lambda: check_date(data.on, now))
    hours = errs.check(lambda: check_hours(data.hours))
    if on is not None and hours is not None:
        errs.check(lambda: check_day_total(session, user_id, on, hours, exclude=exclude))
    outcomes = check_outcomes(task, data.outcomes, errs)
    in_kind = check_in_kind(data.in_kind, errs)
    notes = (data.notes or "").strip()
    if len(notes) > MAX_NOTES or "\x00" in notes:
        errs.add("notes", f"Notes must be at most {MAX_NOTES} plain characters.")
    if data.shift is not None and data.shift.task_id != task.id:
        errs.add("shift", "Choose one of this task's shifts.")
    errs.raise_if_any()
    return outcomes, in_kind, notes


def _lock_person(session: Session, user_id: int) -> None:
    # Two logs of one person for one day must not both pass the 24 h check: serialise a
    # person's submissions on their user row (PostgreSQL; SQLite serialises all writers).
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _fill(log: ContributionLog, data: LogInput, outcomes: Any, in_kind: Any, notes: str) -> None:
    log.date = data.on  # type: ignore[assignment]
    log.hours = data.hours  # type: ignore[assignment]
    log.notes = notes
    log.shift_id = data.shift.id if data.shift is not None else None
    # Keep the row of a metric given again: replacing it would insert the new row before the
    # old one is deleted and break the (log, metric) unique key.
    kept = {o.metric_id: o for o in log.outcomes}
    log.outcomes = [_outcome(kept.get(m) or OutcomeQuantity(metric_id=m), q) for m, q in outcomes]
    log.in_kind = [InKindItem(description=d, value=v) for d, v in in_kind]


def _outcome(row: OutcomeQuantity, quantity: Decimal) -> OutcomeQuantity:
    row.quantity = quantity
    return row


def log_state(log: ContributionLog) -> dict[str, Any]:
    """A log's audited fields, outcomes and in-kind items, for a before/after record."""
    state = audit.snapshot(log, AUDITED)
    state["outcomes"] = [[o.metric_id, o.quantity] for o in log.outcomes]
    state["in_kind"] = [[i.description, i.value] for i in log.in_kind]
    return audit._jsonable(state)  # type: ignore[no-any-return]


def _record(
    session: Session, actor: User, action: str, log: ContributionLog, now: datetime, **kw: Any
) -> None:
    audit.record(session, actor, action, log, **kw, at=now)


# --- state changes ----------------------------------------------------------------------------


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
    if organisation is not None:
        policy.require(actor, "log.create_for_org", organisation)
    check_task_open_for_logs(task)
    _lock_person(session, actor.id)
    outs, items, text = _validate(session, task, actor.id, data, now)
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
    _fill(log, data, outs, items, text)
    session.add(log)
    session.flush()
    _record(session, actor, "log.submitted", log, now, after=log_state(log))
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
    if log.status == LogStatus.APPROVED:
        raise Conflict("An approved log is never edited: submit a correction instead.")
    if log.status != LogStatus.CHANGES_REQUESTED:
        raise Conflict("Only a log a reviewer sent back for changes can be resubmitted.")
    assert log.user_id is not None
    _lock_person(session, log.user_id)
    outs, items, text = _validate(session, log.task, log.user_id, data, now, [log.id])
    before = log_state(log)
    _fill(log, data, outs, items, text)
    log.status = LogStatus.SUBMITTED
    log.submitted_at = now
    log.updated_at = now
    session.flush()
    _record(session, actor, "log.resubmitted", log, now, before=before, after=log_state(log))
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
    if original.status != LogStatus.APPROVED:
        raise Conflict("Only an approved log can be corrected.")
    pending = session.scalar(
        select(ContributionLog.id).where(
            ContributionLog.corrects_id == original.id, ContributionLog.status.in_(PENDING)
        )
    )
    if pending is not None:
        raise Conflict("A correction of this log is already waiting for review.")
    assert original.user_id is not None
    _lock_person(session, original.user_id)
    # The correction replaces the original once approved: its hours do not add to the day.
    outs, items, text = _validate(
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
    _fill(log, data, outs, items, text)
    session.add(log)
    session.flush()
    _record(session, actor, "log.correction_submitted", log, now, after=log_state(log))
    return log


# --- reading ----------------------------------------------------------------------------------


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
        raise NotFound("No such task.")
    policy.require(actor, "log.create", task)
    check_task_open_for_logs(task)
    return task


def organisations_to_log_for(session: Session, actor: User) -> list[Organisation]:
    """The organisations the actor coordinates, so may log hours on behalf of."""
    ids = policy.org_ids_with_role(actor, Role.COORDINATOR)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


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
        raise NotFound("No such log.")
    return log


def get_log_to_change(session: Session, actor: User, log_id: int, action: str) -> ContributionLog:
    """A log its contributor may resubmit ("log.resubmit") or correct ("log.correct") now."""
    log = get_log(session, actor, log_id)
    policy.require(actor, action, log)
    if action == "log.resubmit" and log.status != LogStatus.CHANGES_REQUESTED:
        raise Conflict("Only a log a reviewer sent back for changes can be resubmitted.")
    if action == "log.correct" and log.status != LogStatus.APPROVED:
        raise Conflict("Only an approved log can be corrected.")
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


@dataclass(frozen=True)
class MyLogs:
    page: Page[ContributionLog]
    approved_hours: Decimal


def list_my_logs(
    session: Session,
    actor: User,
    status: LogStatus | None = None,
    page: Any = 1,
    per_page: Any = 20,
) -> MyLogs:
    """The actor's own logs, newest first, and their total approved hours."""
    p, pp = clamp(page, per_page)
    stmt = (
        select(ContributionLog)
        .where(ContributionLog.user_id == actor.id)
        .options(
            selectinload(ContributionLog.task),
            selectinload(ContributionLog.organisation),
        )
        .order_by(ContributionLog.date.desc(), ContributionLog.id.desc())
    )
    if status is not None:
        stmt = stmt.where(ContributionLog.status == status)
    total = session.scalar(
        select(func.coalesce(func.sum(ContributionLog.hours), 0)).where(
            ContributionLog.user_id == actor.id, ContributionLog.status == LogStatus.APPROVED
        )
    )
    return MyLogs(page=paginate(session, stmt, p, pp), approved_hours=Decimal(str(total or 0)))
