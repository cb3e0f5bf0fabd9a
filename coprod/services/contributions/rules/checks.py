"""The checks of a log's shift, outcomes, in-kind items and task, and every rule at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid
from coprod.i18n import _
from coprod.models import ContributionLog, Shift, Signup, Task, TaskStatus
from coprod.services.contributions.rules._common import _two_places
from coprod.services.contributions.rules.days import check_day_total, check_hours, check_log_date
from coprod.services.contributions.rules.inputs import (
    HELD,
    HOLDS_SHIFT,
    MAX_DESCRIPTION,
    MAX_NOTES,
    MAX_QUANTITY,
    MAX_VALUE,
    InKind,
    LogInput,
    Outcomes,
)
from coprod.services.shift_state import has_started
from coprod.services.text import has_control, storable


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
