"""Copying a task's shifts to another task of the programme, weeks later or earlier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.i18n import _, _l
from coprod.models import Shift, Task
from coprod.services import audit, localtime
from coprod.services.bounds import MAX_ID
from coprod.services.shift_changes._common import Actor, _shifted, check_weeks, future_shifts
from coprod.services.shifts import MAX_CAPACITY, add_shift
from coprod.services.shifts._common import _refuse_finished
from coprod.services.tasks import get_task_to_manage

MAX_COPIED = 200
NO_SUCH_TARGET = _l(
    "No such task in this programme that you manage: choose one of the programme's."
)


def copyable_shifts(session: Session, task: Task, limit: int = MAX_COPIED) -> list[Shift]:
    """The task's shifts one may tick to copy (cancelled ones too: a copy is a new live
    shift), the latest `limit`, soonest first."""
    latest = session.scalars(
        select(Shift)
        .where(Shift.task_id == task.id)
        .order_by(Shift.starts_at.desc(), Shift.id.desc())
        .limit(limit)
    )
    return sorted(latest, key=lambda s: (s.starts_at, s.id))


def copy_targets(session: Session, actor: Actor, task: Task) -> list[Task]:
    """The other tasks of the programme this person may add shifts to."""
    candidates = session.scalars(
        select(Task)
        .where(Task.programme_id == task.programme_id, Task.id != task.id)
        .order_by(Task.title, Task.id)
    )
    return [
        t
        for t in candidates
        if policy.can(actor, "task.manage", t) and t.status.value not in ("completed", "cancelled")
    ]


def copy_shifts(
    session: Session,
    actor: Actor,
    source: Task,
    *,
    target_task_id: int | None,
    shift_ids: Sequence[int] | None,
    weeks: int | None,
    now: datetime,
) -> list[Shift]:
    """Copy shifts of one task to another task of the same programme (times and places, no
    sign-ups), `weeks` later or earlier at the same local time. `shift_ids` None copies every
    future live shift; each copy must start in the future."""
    policy.require(actor, "task.manage", source)
    shift_by = check_weeks(weeks, allow_zero=True)
    if target_task_id is None:
        raise Invalid("target_task_id", _("Choose the task to copy the shifts to."))
    if target_task_id == source.id:
        raise Invalid(
            "target_task_id", _("A task cannot copy shifts to itself: choose another task.")
        )
    if not 1 <= target_task_id <= MAX_ID:  # a number typed in the form: no overflow in a query
        raise Invalid("target_task_id", str(NO_SUCH_TARGET))
    try:
        target = get_task_to_manage(session, actor, target_task_id)
    except (NotFound, NotAllowed):
        raise Invalid("target_task_id", str(NO_SUCH_TARGET)) from None
    if target.programme_id != source.programme_id:
        raise Invalid("target_task_id", str(NO_SUCH_TARGET))
    _refuse_finished(target)
    if shift_ids is None:
        chosen = future_shifts(session, source, now)
    elif not shift_ids:
        raise Invalid("shift_ids", _("Tick at least one shift to copy."))
    else:
        wanted = sorted(set(shift_ids))
        if not all(1 <= i <= MAX_ID for i in wanted):
            raise Invalid("shift_ids", _("No such shift in this task: choose only its shifts."))
        chosen = list(
            session.scalars(
                select(Shift)
                .where(Shift.id.in_(wanted), Shift.task_id == source.id)
                .order_by(Shift.starts_at, Shift.id)
            )
        )
        if len(chosen) != len(wanted):
            raise Invalid("shift_ids", _("No such shift in this task: choose only its shifts."))
    if not chosen:
        raise Conflict(_("This task has no future shifts to copy: tick the shifts to copy."))
    if len(chosen) > MAX_COPIED:
        raise Invalid("shift_ids", _("Copy at most %(max)s shifts at once.", max=MAX_COPIED))
    times = [_shifted(s, shift_by) for s in chosen]
    late = [s for s, (start, _end) in zip(chosen, times, strict=True) if start <= now]
    if late:
        raise Invalid(
            "weeks",
            _(
                "The copy of the shift of %(when)s would start in the past: copy later shifts, "
                "or shift them by more weeks.",
                when=localtime.describe_shift(late[0]),
            ),
        )
    made = [
        add_shift(
            session,
            actor,
            target,
            starts_at=start,
            ends_at=end,
            capacity=min(shift.capacity, MAX_CAPACITY),
            now=now,
        )
        for shift, (start, end) in zip(chosen, times, strict=True)
    ]
    audit.record(
        session,
        actor,
        "shift.copied",
        target,
        after={
            "from_task_id": source.id,
            "shift_ids": [s.id for s in chosen],
            "weeks": shift_by,
            "count": len(made),
        },
    )
    return made
