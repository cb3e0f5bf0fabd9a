"""Changing shifts after they are made: cancel one (bad weather) with a notice to everyone on
it, remove one date from a weekly series, copy a task's shifts to another task, move a task's
future shifts by a number of weeks.

Nothing here deletes a shift someone is or was on: a cancelled shift keeps its sign-ups, ended
with the status `shift_cancelled` (the reason is the shift's `cancel_reason`), so My schedule,
the roster and the calendar feed can say what happened. Whether a shift is live is said in one
place: `Shift.is_cancelled` and `coprod.services.shift_state.live_shift()`.

Lock order as in coprod/services/signups/booking.py: the shift's row, then its sign-ups'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.i18n import _, _l
from coprod.models import Shift, Signup, SignupStatus, Task, User
from coprod.services import audit, localtime, notifications
from coprod.services import task_figures as figures
from coprod.services.bounds import MAX_ID, parse_day
from coprod.services.shift_state import has_started, live_shift, not_started_shift
from coprod.services.shifts import (
    MAX_CAPACITY,
    SHIFT_FIELDS,
    _refuse_finished,
    add_shift,
    delete_shift,
    deletion_blocker,
    update_shift,
)
from coprod.services.signups import lock_shifts
from coprod.services.tasks import get_task_to_manage
from coprod.services.text import clean_text

Actor = User | None

MAX_REASON = 300
MAX_WEEKS = 52
MAX_COPIED = 200
MAX_SKIPPED = 104
NO_SUCH_TARGET = _l(
    "No such task in this programme that you manage: choose one of the programme's."
)
# Sign-ups that a shift's cancellation ends (and tells): those holding or waiting for a place.
ENDED_BY_CANCELLING = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


# --- cancelling one shift -----------------------------------------------------------------


def check_reason(raw: str | None) -> str:
    """The optional reason for cancelling: one line of at most 300 characters."""
    return clean_text(raw, "reason", _("The reason"), max_len=MAX_REASON, required=False)


def cancel_shift(
    session: Session, actor: Actor, shift: Shift, *, reason: str = "", now: datetime
) -> list[Signup]:
    """Cancel a shift that has not started: its confirmed and waitlisted sign-ups end (status
    `shift_cancelled`) and each person is emailed the shift's local time and the reason; the
    shift stays, marked cancelled. Returns the sign-ups it ended."""
    policy.require(actor, "task.manage", shift.task)
    text = check_reason(reason)
    if has_started(shift, now):
        raise Conflict(_("This shift has already started, so it can no longer be cancelled."))
    lock_shifts(session, shift)  # first in the lock order; re-reads cancelled_at
    if shift.is_cancelled:
        raise Conflict(_("This shift is already cancelled: nothing changed."))
    ended = list(
        session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status.in_(ENDED_BY_CANCELLING))
            .order_by(Signup.id)
            .with_for_update(of=Signup, key_share=True)
            .execution_options(populate_existing=True)
        )
    )
    before = audit.snapshot(shift, SHIFT_FIELDS)
    for signup in ended:
        was = signup.status.value
        signup.status = SignupStatus.SHIFT_CANCELLED
        audit.record(
            session,
            actor,
            "signup.cancelled_with_shift",
            signup,
            before={"status": was},
            after={"status": SignupStatus.SHIFT_CANCELLED.value, "shift_id": shift.id},
        )
    # Every seat is given back in one statement (the rows above hold them all: not started).
    session.execute(
        update(Shift)
        .where(Shift.id == shift.id)
        .values(confirmed=0, cancelled_at=now, cancel_reason=text, cancelled_by_id=_id(actor)),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    session.expire(shift)
    audit.record(
        session,
        actor,
        "shift.cancelled",
        shift,
        before=before,
        after={"reason": text, "signups_ended": len(ended)},
    )
    notifications.shift_cancelled(session, shift, ended, now=now)
    figures.refresh(session, [shift.task_id], now)
    return ended


def _id(actor: Actor) -> int | None:
    return actor.id if actor is not None else None


# --- weekly series ------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s,;]+")


def parse_day_list(raw: str | None, field: str = "skip_dates") -> list[date]:
    """Dates typed in one field (YYYY-MM-DD, separated by commas, spaces or lines)."""
    words = [w for w in _SEPARATORS.split(raw or "") if w]
    if len(words) > MAX_SKIPPED:
        raise Invalid(field, _("List at most %(max)s dates.", max=MAX_SKIPPED))
    days: list[date] = []
    for word in words:
        if len(word) > 10:
            raise Invalid(field, _("Each date must be a real date, like 2026-12-26."))
        try:
            day = parse_day(word, field, label=_("Each date"), example="2026-12-26")
        except Invalid:
            raise Invalid(
                field, _("“%(word)s” is not a date like 2026-12-26.", word=word)
            ) from None
        if day is not None:
            days.append(day)
    return days


RemoveOutcome = Literal["deleted", "cancelled"]


def remove_from_series(
    session: Session, actor: Actor, shift: Shift, *, reason: str = "", now: datetime
) -> RemoveOutcome:
    """Take one date out of its weekly series: delete the shift when nobody is or was on it,
    otherwise cancel it (its people are told). The rest of the series is unchanged."""
    policy.require(actor, "task.manage", shift.task)
    if shift.series_id is None:
        raise Conflict(_("This shift is not part of a weekly series."))
    if shift.is_cancelled:
        raise Conflict(_("This date is already cancelled: nothing changed."))
    if has_started(shift, now):
        raise Conflict(_("This shift has already started, so it can no longer be removed."))
    series_id = shift.series_id
    if deletion_blocker(session, shift) is None:
        audit.record(
            session,
            actor,
            "shift.removed_from_series",
            shift,
            before=audit.snapshot(shift, SHIFT_FIELDS) | {"series_id": series_id},
            after={"outcome": "deleted"},
        )
        delete_shift(session, actor, shift, now=now)
        return "deleted"
    cancel_shift(session, actor, shift, reason=reason, now=now)
    audit.record(
        session,
        actor,
        "shift.removed_from_series",
        shift,
        after={"outcome": "cancelled", "series_id": series_id},
    )
    return "cancelled"


def series_shifts(session: Session, shift: Shift) -> list[Shift]:
    """The shifts of the shift's series (itself alone when it has none), soonest first."""
    if shift.series_id is None:
        return [shift]
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.series_id == shift.series_id, Shift.task_id == shift.task_id)
            .order_by(Shift.starts_at, Shift.id)
        )
    )


# --- copying and moving ---------------------------------------------------------------------


def check_weeks(weeks: int | None, *, allow_zero: bool) -> int:
    """A number of weeks to shift by, -52 to 52 (not 0 when moving)."""
    if weeks is None:
        raise Invalid("weeks", _("Enter a number of weeks."))
    if not -MAX_WEEKS <= weeks <= MAX_WEEKS:
        raise Invalid(
            "weeks", _("Enter a number of weeks from -%(max)s to %(max)s.", max=MAX_WEEKS)
        )
    if weeks == 0 and not allow_zero:
        raise Invalid("weeks", _("Enter a number of weeks other than 0 (negative moves earlier)."))
    return weeks


def _shifted(shift: Shift, weeks: int) -> tuple[datetime, datetime]:
    """The shift's times `weeks` later (or earlier), at the same local wall-clock time."""
    tz = localtime.shift_zone(shift)
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    delta = timedelta(weeks=weeks)
    return (
        localtime.from_local(start.date() + delta, start.time(), tz, "weeks"),
        localtime.from_local(end.date() + delta, end.time(), tz, "weeks"),
    )


def future_shifts(session: Session, task: Task, now: datetime) -> list[Shift]:
    """The task's live shifts that have not started, soonest first."""
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.task_id == task.id, not_started_shift(now), live_shift())
            .order_by(Shift.starts_at, Shift.id)
        )
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


__all__ = [
    "MAX_COPIED",
    "MAX_REASON",
    "MAX_SKIPPED",
    "MAX_WEEKS",
    "cancel_shift",
    "check_reason",
    "check_weeks",
    "copy_shifts",
    "copy_targets",
    "copyable_shifts",
    "future_shifts",
    "move_shifts",
    "parse_day_list",
    "remove_from_series",
    "series_shifts",
]
