"""Moving a task's future shifts by a number of weeks, all or nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _
from coprod.models import Shift, Task
from coprod.services import audit, localtime
from coprod.services.shift_changes._common import Actor, _shifted, check_weeks, future_shifts
from coprod.services.shifts import update_shift
from coprod.services.signups import lock_shifts


def move_shifts(
    session: Session, actor: Actor, task: Task, *, weeks: int | None, now: datetime
) -> list[Shift]:
    """Move every future live shift of the task `weeks` later (or earlier), at the same local
    time, through `update_shift`: its people are told, nobody ends up on two overlapping
    shifts (refused, naming the shift and the people), no shift lands in the past. All or
    nothing: the caller's transaction rolls back on a refusal."""
    policy.require(actor, "task.manage", task)
    shift_by = check_weeks(weeks, allow_zero=False)
    chosen = future_shifts(session, task, now)
    if not chosen:
        raise Conflict(_("This task has no future shifts to move."))
    # Later shifts move first when moving later (earlier first when moving earlier), so a
    # shift never lands on one of its own task's shifts that has yet to move.
    # Every shift's row first (the lock order: shifts, then the task's row, which each move
    # keeps up to date and so holds from the first move on).
    lock_shifts(session, *chosen)
    order = sorted(chosen, key=lambda s: s.starts_at, reverse=shift_by > 0)
    planned = [(s, _shifted(s, shift_by)) for s in order]
    for shift, (start, _end) in planned:
        if start <= now:
            raise Invalid(
                "weeks",
                _(
                    "The shift of %(when)s would start in the past: choose fewer weeks.",
                    when=localtime.describe_shift(shift),
                ),
            )
    for shift, (start, end) in planned:
        when = localtime.describe_shift(shift)
        try:
            update_shift(
                session,
                actor,
                shift,
                starts_at=start,
                ends_at=end,
                capacity=shift.capacity,
                now=now,
            )
        except Conflict as err:
            raise Conflict(
                _("The shift of %(when)s cannot move: %(reason)s", when=when, reason=err.message)
            ) from None
    audit.record(
        session, actor, "shift.moved_by_weeks", task, after={"weeks": shift_by, "count": len(order)}
    )
    return sorted(chosen, key=lambda s: s.starts_at)
