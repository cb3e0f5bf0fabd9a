"""The emails about a person's place on a shift: booked, promoted, skipped on the waiting list,
cancelled, moved, and the reminder before it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.i18n import _
from coprod.models import OutboxMessage, Qualification, Shift, Signup, SignupStatus, Task, User
from coprod.services import capacity
from coprod.services.localtime import format_day
from coprod.services.notifications._common import _shift_context, _stamp
from coprod.services.notifications.emails import Later, describe_time, queue
from coprod.services.notifications.preferences import Kind


def signup_booked(
    session: Session, signup: Signup, *, assigned: bool, now: datetime
) -> OutboxMessage | None:
    """Tell the volunteer they are confirmed or waitlisted (or that a coordinator assigned
    them)."""
    shift = signup.shift
    title = shift.task.title
    waitlisted = signup.status == SignupStatus.WAITLISTED
    kind = Kind.ASSIGNED if assigned else Kind.SIGNUP
    if assigned:
        subject = Later(lambda: _("You have been assigned to “%(title)s”", title=title))
    elif waitlisted:
        subject = Later(lambda: _("You are on the waiting list for “%(title)s”", title=title))
    else:
        subject = Later(lambda: _("You are signed up for “%(title)s”", title=title))
    occasion = f"signup{signup.id}:{signup.status.value}:{_stamp(signup.queued_at)}"
    ctx = _shift_context(shift) | {"waitlisted": waitlisted, "signup": signup}
    return queue(session, signup.volunteer, kind, occasion, subject, ctx, now=now)


def promoted(session: Session, signup: Signup, *, now: datetime) -> OutboxMessage | None:
    """Tell a waitlisted volunteer that a place opened and it is theirs."""
    shift = signup.shift
    title = shift.task.title
    subject = Later(lambda: _("A place opened up: you are confirmed for “%(title)s”", title=title))
    occasion = f"signup{signup.id}:{_stamp(signup.queued_at)}"
    return queue(
        session, signup.volunteer, Kind.PROMOTED, occasion, subject, _shift_context(shift), now=now
    )


def waitlist_skipped(
    session: Session, signup: Signup, qualification: Qualification, *, now: datetime
) -> OutboxMessage | None:
    """Tell a waitlisted volunteer that a place went to the next person because they will not
    hold the qualification on the shift's day, and how to get it (once per sign-up and
    qualification)."""
    shift = signup.shift
    title = shift.task.title
    name = qualification.name
    subject = Later(
        lambda: _("A place on “%(title)s” went to the next person on the waiting list", title=title)
    )
    occasion = f"signup{signup.id}:qualification{qualification.id}"
    ctx = _shift_context(shift) | {
        "qualification": name,
        "day": Later(lambda: format_day(capacity.shift_day(shift))),
        "how_to_get": Later(lambda: capacity.how_to_get(qualification)),
    }
    return queue(session, signup.volunteer, Kind.WAITLIST_SKIPPED, occasion, subject, ctx, now=now)


def task_cancelled(
    session: Session, task: Task, cancelled: Iterable[Signup], *, now: datetime
) -> int:
    """Tell everyone whose sign-up was cancelled with the task."""
    n = 0
    title = task.title
    subject = Later(lambda: _("Cancelled: “%(title)s”", title=title))
    for signup in cancelled:
        ctx = _shift_context(signup.shift) | {"cancelled": True, "by_coordinator": False}
        occasion = f"signup{signup.id}:task-cancelled"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)
            is not None
        )
    return n


def shift_cancelled(
    session: Session, shift: Shift, ended: Iterable[Signup], *, now: datetime
) -> int:
    """Tell everyone whose place (or waitlist place) ended because the shift was cancelled:
    its local time and the reason."""
    ctx = _shift_context(shift) | {
        "cancelled": True,
        "by_coordinator": False,
        "shift_cancelled": True,
        "reason": shift.cancel_reason,
    }
    title = shift.task.title
    subject = Later(
        lambda: _("Cancelled: “%(title)s” on %(when)s", title=title, when=describe_time(shift))
    )
    n = 0
    for signup in ended:
        occasion = f"signup{signup.id}:shift-cancelled"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)
            is not None
        )
    return n


def place_cancelled(
    session: Session, actor: User, signup: Signup, *, now: datetime
) -> OutboxMessage | None:
    """Tell a volunteer whose place a coordinator cancelled (their own cancellation needs no
    email)."""
    if actor.id == signup.user_id:
        return None
    ctx = _shift_context(signup.shift) | {"cancelled": True, "by_coordinator": True}
    title = signup.shift.task.title
    subject = Later(lambda: _("Your place on “%(title)s” was cancelled", title=title))
    occasion = f"signup{signup.id}:cancelled:{_stamp(signup.updated_at or now)}"
    return queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)


def shift_changed(
    session: Session, shift: Shift, *, old_starts_at: datetime, old_ends_at: datetime, now: datetime
) -> int:
    """Tell everyone on a shift (confirmed or waiting) that its time changed."""
    if (old_starts_at, old_ends_at) == (shift.starts_at, shift.ends_at):
        return 0
    people = session.scalars(
        select(Signup).where(
            Signup.shift_id == shift.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
        )
    )
    title = shift.task.title
    subject = Later(lambda: _("Time changed: “%(title)s”", title=title))
    occasion = f"{_stamp(shift.starts_at)}-{_stamp(shift.ends_at)}"
    ctx = _shift_context(shift) | {"cancelled": False, "by_coordinator": False}
    n = 0
    for signup in people:
        key = f"signup{signup.id}:moved:{occasion}"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, key, subject, ctx, now=now)
            is not None
        )
    return n


def reminder_occasion(signup: Signup) -> str:
    return f"signup{signup.id}:{_stamp(signup.shift.starts_at)}"


def reminder(session: Session, signup: Signup, *, now: datetime) -> OutboxMessage | None:
    """Remind a confirmed volunteer of their shift (once per sign-up and start time)."""
    shift = signup.shift
    title = shift.task.title
    subject = Later(
        lambda: _("Reminder: “%(title)s” on %(when)s", title=title, when=describe_time(shift))
    )
    return queue(
        session,
        signup.volunteer,
        Kind.REMINDER,
        reminder_occasion(signup),
        subject,
        _shift_context(shift),
        now=now,
    )
