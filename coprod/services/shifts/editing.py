"""One shift: adding it, changing its times or places, and deleting it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.i18n import _, ngettext
from coprod.models import Shift, Signup, SignupStatus, Task
from coprod.services import audit, notifications
from coprod.services import task_figures as figures
from coprod.services.shift_state import live_shift
from coprod.services.shifts._common import SHIFT_FIELDS, Actor, _check_shift, _refuse_finished
from coprod.services.signups import fill_from_waitlist, holders_of_overlapping_shifts


def add_shift(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
) -> Shift:
    """Add one future shift (ending after it starts, 1 to 1000 places) to a task."""
    policy.require(actor, "task.manage", task)
    _refuse_finished(task)
    errs = FieldErrors()
    _check_shift(errs, starts_at, ends_at, capacity, now)
    errs.raise_if_any()
    shift = Shift(starts_at=starts_at, ends_at=ends_at, capacity=capacity, confirmed=0)
    task.shifts.append(shift)
    session.flush()
    audit.record(session, actor, "shift.created", shift, after=audit.snapshot(shift, SHIFT_FIELDS))
    figures.refresh(session, [task.id], now)
    return shift


def update_shift(
    session: Session,
    actor: Actor,
    shift: Shift,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
) -> Shift:
    """Change a shift's times or places; never fewer places than already taken, never moved
    into the past."""
    policy.require(actor, "task.manage", shift.task)
    if shift.is_cancelled:
        raise Conflict(_("This shift is cancelled, so it cannot be changed."))
    errs = FieldErrors()
    _check_shift(errs, starts_at, ends_at, capacity, now, check_past=starts_at != shift.starts_at)
    errs.raise_if_any()
    if (starts_at, ends_at) != (shift.starts_at, shift.ends_at):
        _refuse_double_booking(session, shift, starts_at, ends_at)
    before = audit.snapshot(shift, SHIFT_FIELDS)
    old_times = {"old_starts_at": shift.starts_at, "old_ends_at": shift.ends_at}
    # One guarded statement, so a sign-up landing meanwhile cannot leave more seats taken
    # than places.
    changed = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.confirmed <= capacity, live_shift())
        .values(starts_at=starts_at, ends_at=ends_at, capacity=capacity),
        execution_options={"synchronize_session": False},
    )
    session.expire(shift)
    if cast(CursorResult[Any], changed).rowcount != 1:
        if shift.is_cancelled:  # cancelled meanwhile (re-read after the expire)
            raise Conflict(_("This shift is cancelled, so it cannot be changed."))
        raise Conflict(
            ngettext(
                "%(num)d place is already taken, so the shift needs at least %(num)d place.",
                "%(num)d places are already taken, so the shift needs at least %(num)d places.",
                shift.confirmed,
            )
        )
    audit.record(
        session,
        actor,
        "shift.updated",
        shift,
        before=before,
        after=audit.snapshot(shift, SHIFT_FIELDS),
    )
    notifications.shift_changed(session, shift, **old_times, now=now)
    if capacity > before["capacity"] and actor is not None:
        fill_from_waitlist(session, actor, shift, now)  # new places go to those waiting
    figures.refresh(session, [shift.task_id], now)
    return shift


def _refuse_double_booking(
    session: Session, shift: Shift, starts_at: datetime, ends_at: datetime
) -> None:
    """Nobody holds two overlapping shifts: not after a shift is moved either."""
    names = holders_of_overlapping_shifts(session, shift, starts_at, ends_at)
    if names:
        shown = ", ".join(names[:5])
        if len(names) > 5:
            shown = _("%(names)s and %(num)s more", names=shown, num=len(names) - 5)
        raise Conflict(
            ngettext(
                "At these times %(num)d person on this shift would hold two shifts at once "
                "(%(names)s): they are signed up for another shift then. Choose other times, "
                "or ask them to cancel one of the two first.",
                "At these times %(num)d people on this shift would hold two shifts at once "
                "(%(names)s): they are signed up for another shift then. Choose other times, "
                "or ask them to cancel one of the two first.",
                len(names),
                names=shown,
            )
        )


def deletion_blocker(session: Session, shift: Shift) -> str | None:
    """Why the shift cannot be deleted (people are or were on it: their record stays), or None
    when it can. The delete page asks this before it offers the button."""
    taken = session.scalar(
        select(func.count()).where(
            Signup.shift_id == shift.id, Signup.status != SignupStatus.CANCELLED
        )
    )
    if not taken:
        return None
    if shift.is_cancelled:
        return ngettext(
            "The shift is cancelled and %(num)d person is on its record, so it stays: "
            "nothing is deleted.",
            "The shift is cancelled and %(num)d people are on its record, so it stays: "
            "nothing is deleted.",
            taken,
        )
    return ngettext(
        "%(num)d person is signed up for this shift, so it cannot be deleted. Cancel the "
        "shift instead: they are told, and their sign-ups end.",
        "%(num)d people are signed up for this shift, so it cannot be deleted. Cancel the "
        "shift instead: they are told, and their sign-ups end.",
        taken,
    )


def delete_shift(session: Session, actor: Actor, shift: Shift, *, now: datetime) -> None:
    """Delete a shift nobody is signed up for (cancelled sign-ups go with it)."""
    task = shift.task
    policy.require(actor, "task.manage", task)
    blocker = deletion_blocker(session, shift)
    if blocker:
        raise Conflict(blocker)
    audit.record(session, actor, "shift.deleted", shift, before=audit.snapshot(shift, SHIFT_FIELDS))
    session.execute(delete(Signup).where(Signup.shift_id == shift.id))
    task.shifts.remove(shift)
    session.flush()
    figures.refresh(session, [task.id], now)
