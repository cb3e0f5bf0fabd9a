"""The rules on what a person logs: hours (0 < h ≤ 24, two decimals), the date (from 1 January
2000 to today in the programme's time zone; a shift's own local day for a log of a shift, not
before the programme's start or the task's creation otherwise), a shift only if the person held
it and it has started, one log per person and shift, at most 24 hours a day, outcomes only for
the task's metrics, in-kind items; and the helpers that apply a checked log to its row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid
from coprod.i18n import _
from coprod.models import (
    ContributionLog,
    InKindItem,
    LogStatus,
    OutcomeQuantity,
    Programme,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
)
from coprod.services import audit, localtime
from coprod.services.bounds import two_places
from coprod.services.money import format_number
from coprod.services.shift_state import has_started
from coprod.services.text import has_control, storable

MAX_HOURS_PER_DAY = Decimal("24")
# The earliest day a log can be for: older dates are typing mistakes (0001-01-01 once stopped
# every report from building).
EARLIEST_LOG_DATE = date(2000, 1, 1)
MAX_NOTES = 2000
MAX_DESCRIPTION = 300
MAX_QUANTITY = Decimal("999999999999.99")
MAX_VALUE = Decimal("9999999999.99")
# Logs that hold part of a person's 24 hours of a day (rejected and superseded ones do not).
DAY_COUNTED = (LogStatus.SUBMITTED, LogStatus.APPROVED, LogStatus.CHANGES_REQUESTED)
PENDING = (LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED)
# A person has one log per shift: one of these (withdrawn and rejected logs free the shift; a
# correction of an approved log replaces it, so it is not a second log).
HOLDS_SHIFT = (LogStatus.SUBMITTED, LogStatus.APPROVED, LogStatus.CHANGES_REQUESTED)
# The sign-ups that let a person log a shift: they held it.
HELD = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED)
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


def _two_places(value: Decimal) -> bool:
    return two_places(value)


def check_hours(hours: Decimal | None) -> Decimal:
    """Hours are more than 0 and at most 24, in hundredths."""
    if hours is None or not hours.is_finite():
        raise Invalid("hours", _("Enter the hours you gave, like 2.5."))
    if not Decimal("0") < hours <= MAX_HOURS_PER_DAY:
        raise Invalid("hours", _("Hours must be more than 0 and at most 24."))
    if not _two_places(hours):
        raise Invalid("hours", _("Hours can have at most 2 decimal places."))
    return hours


def today_for(task: Task, now: datetime) -> date:
    """Today in the task's programme's time zone (the date a log form starts with)."""
    return localtime.local_today(task.programme, now)


def shift_day(shift: Shift) -> date:
    """The shift's date in its programme's time zone (the date of every log of it)."""
    return localtime.to_local(shift.starts_at, localtime.shift_zone(shift)).date()


def shift_hours(shift: Shift) -> Decimal:
    """The shift's length in hours (two places, at most 24): the hours a log of it starts with."""
    seconds = Decimal((shift.ends_at - shift.starts_at).total_seconds())
    return min((seconds / 3600).quantize(Decimal("0.01")), MAX_HOURS_PER_DAY)


def check_log_date(
    on: date | None,
    programme: Programme,
    now: datetime,
    *,
    task: Task | None = None,
    shift: Shift | None = None,
) -> date:
    """The one rule on a log's date, for every door (web, API, jobs): a day from 1 January
    2000 up to today in the programme's time zone (never a future date there); a log of a
    shift is dated the shift's local day; a log of a task without a shift is not dated before
    the programme's start or the day the task was created (local days)."""
    if on is None:
        raise Invalid("date", _("Enter the date you did the work."))
    if shift is not None:
        day = shift_day(shift)
        if on != day:
            raise Invalid(
                "date",
                _(
                    "A log of this shift is dated %(day)s, the shift's day in %(zone)s: "
                    "use that date.",
                    day=localtime.format_day(day),
                    zone=localtime.programme_zone_name(programme),
                ),
            )
    today = localtime.local_today(programme, now)
    if on > today:
        raise Invalid(
            "date",
            _(
                "The date cannot be in the future: today is %(today)s in %(zone)s, the "
                "programme's time zone.",
                today=localtime.format_day(today),
                zone=localtime.programme_zone_name(programme),
            ),
        )
    if on < EARLIEST_LOG_DATE:
        raise Invalid(
            "date",
            _(
                "The date must be on or after %(day)s: check the year you typed.",
                day=localtime.format_day(EARLIEST_LOG_DATE),
            ),
        )
    if shift is None and task is not None:
        created = localtime.to_local(task.created_at, localtime.programme_zone(programme)).date()
        first = max(programme.starts_on, created)
        if on < first:
            if first == programme.starts_on:
                message = _(
                    "The date cannot be before %(day)s, when the programme started.",
                    day=localtime.format_day(first),
                )
            else:
                message = _(
                    "The date cannot be before %(day)s, when the task was created.",
                    day=localtime.format_day(first),
                )
            raise Invalid("date", message)
    return on


def check_shift_held(session: Session, user_id: int, shift: Shift, now: datetime) -> None:
    """A log of a shift is for a shift that has started and that the person held (confirmed or
    attended)."""
    if not has_started(shift, now):
        raise Invalid("shift", _("This shift has not started yet: log its hours once it has."))
    held = session.scalar(
        select(Signup.id).where(
            Signup.shift_id == shift.id, Signup.user_id == user_id, Signup.status.in_(HELD)
        )
    )
    if held is None:
        raise Invalid(
            "shift",
            _("Only someone who held this shift (confirmed or attended) can log hours for it."),
        )


def existing_shift_log(
    session: Session, user_id: int, shift_id: int, exclude: Sequence[int] = ()
) -> int | None:
    """The id of the person's log of the shift (submitted, approved or sent back), if any; the
    logs in `exclude` and the logs they correct do not count."""
    stmt = select(ContributionLog.id).where(
        ContributionLog.user_id == user_id,
        ContributionLog.shift_id == shift_id,
        ContributionLog.status.in_(HOLDS_SHIFT),
    )
    ids = [i for i in exclude if i is not None]
    if ids:
        # A correction (in `exclude` when it is changed) is not a second log of the log it
        # corrects.
        fixing = aliased(ContributionLog)
        corrected = select(fixing.corrects_id).where(
            fixing.id.in_(ids), fixing.corrects_id.is_not(None)
        )
        stmt = stmt.where(ContributionLog.id.not_in(ids), ContributionLog.id.not_in(corrected))
    return session.scalar(stmt.order_by(ContributionLog.id).limit(1))


def check_one_log_per_shift(
    session: Session, user_id: int, shift: Shift, exclude: Sequence[int] = ()
) -> None:
    """One log per person and shift (the caller holds the person's lock: lock_person)."""
    found = existing_shift_log(session, user_id, shift.id, exclude)
    if found is not None:
        raise Invalid(
            "shift",
            _(
                "Hours for this shift are already logged in log #%(id)s: change that log (or "
                "correct it, once it is approved) instead of adding another.",
                id=found,
            ),
        )


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
            _(
                "You have already logged %(logged)s hours on %(day)s; at most %(left)s more "
                "hours can be logged for that day.",
                logged=format_number(logged),
                day=localtime.format_day(on),
                left=format_number(left),
            ),
        )


def check_outcomes(task: Task, outcomes: Outcomes, errs: FieldErrors) -> list[tuple[int, Decimal]]:
    """Outcomes are for the task's own metrics, once each, with quantities of 0 or more."""
    allowed = {m.id for m in task.metrics}
    seen: set[int] = set()
    clean = []
    for metric_id, quantity in outcomes:
        field = f"outcome_{metric_id}"
        if metric_id not in allowed:
            errs.add("outcomes", _("An outcome was given for a metric this task does not measure."))
        elif metric_id in seen:
            errs.add(field, _("This outcome was given twice."))
        elif quantity is None or not quantity.is_finite() or quantity < 0:
            errs.add(field, _("Enter a quantity of 0 or more."))
        elif quantity > MAX_QUANTITY or not _two_places(quantity):
            errs.add(field, _("Enter a quantity with at most 2 decimal places, below a trillion."))
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
            errs.add(f"in_kind_{i}_description", _("Describe the item or service you gave."))
            ok = False
        elif len(description) > MAX_DESCRIPTION or not storable(description):
            errs.add(f"in_kind_{i}_description", _("Use at most 300 plain characters."))
            ok = False
        elif has_control(description):
            errs.add(f"in_kind_{i}_description", _("Describe it on one line, without line breaks."))
            ok = False
        if value is None or not value.is_finite() or value < 0:
            errs.add(f"in_kind_{i}_value", _("Enter a value of 0 or more (0 if you do not know)."))
            ok = False
        elif value > MAX_VALUE or not _two_places(value):
            errs.add(f"in_kind_{i}_value", _("Enter an amount with at most 2 decimal places."))
            ok = False
        if ok and value is not None:
            clean.append((description, value))
    return clean


def check_task_open_for_logs(task: Task) -> None:
    """Hours are logged only for open, closed or completed tasks (not draft or cancelled)."""
    if task.status not in policy.LOGGABLE_TASK_STATUSES:
        if task.status == TaskStatus.DRAFT:
            raise Conflict(_("Hours cannot be logged for a draft task."))
        if task.status == TaskStatus.CANCELLED:
            raise Conflict(_("Hours cannot be logged for a cancelled task."))
        raise Conflict(_("Hours cannot be logged for this task now."))


def validate_log(
    session: Session,
    task: Task,
    user_id: int,
    data: LogInput,
    now: datetime,
    exclude: Sequence[int] = (),
) -> tuple[list[tuple[int, Decimal]], list[tuple[str, Decimal]], str]:
    """Every rule on what was typed; all wrong fields are reported at once."""
    errs = FieldErrors()
    shift = data.shift
    if shift is not None and shift.task_id != task.id:
        errs.add("shift", _("Choose one of this task's shifts."))
        shift = None
    elif shift is not None:
        errs.check(lambda: check_shift_held(session, user_id, shift, now))
        errs.check(lambda: check_one_log_per_shift(session, user_id, shift, exclude))
    on = errs.check(lambda: check_log_date(data.on, task.programme, now, task=task, shift=shift))
    hours = errs.check(lambda: check_hours(data.hours))
    if on is not None and hours is not None:
        errs.check(lambda: check_day_total(session, user_id, on, hours, exclude=exclude))
    outcomes = check_outcomes(task, data.outcomes, errs)
    in_kind = check_in_kind(data.in_kind, errs)
    notes = (data.notes or "").strip()
    if len(notes) > MAX_NOTES or not storable(notes):
        errs.add("notes", _("Notes must be at most %(max)s plain characters.", max=MAX_NOTES))
    errs.raise_if_any()
    return outcomes, in_kind, notes


def lock_person(session: Session, user_id: int) -> None:
    # Two logs of one person for one day must not both pass the 24 h check: serialise a
    # person's submissions on their user row (PostgreSQL; SQLite serialises all writers).
    # FOR NO KEY UPDATE: rows inserted meanwhile that refer to the person are not blocked.
    session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def fill_log(log: ContributionLog, data: LogInput, outcomes: Any, in_kind: Any, notes: str) -> None:
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
    return audit.jsonable(state)  # type: ignore[no-any-return]


def record_change(
    session: Session, actor: User, action: str, log: ContributionLog, now: datetime, **kw: Any
) -> None:
    audit.record(session, actor, action, log, **kw, at=now)
