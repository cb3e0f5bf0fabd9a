"""The rules of a booking: not after the start, not on a cancelled shift, no overlap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, aliased, contains_eager

from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import ACTIVE, Shift, Signup, User
from coprod.services.shift_state import has_started
from coprod.services.signups.reading import describe_time


def _refuse_started(shift: Shift, now: datetime, message: str) -> None:
    if has_started(shift, now):
        raise Conflict(message)


def _overlapping(starts_at: datetime, ends_at: datetime) -> ColumnElement[bool]:
    """The shifts that overlap this time (touching at an end is not overlapping)."""
    return and_(Shift.starts_at < ends_at, Shift.ends_at > starts_at)


def refuse_cancelled(shift: Shift, message: str = "") -> None:
    """Nobody joins a cancelled shift (checked again under the shift's lock)."""
    if message and shift.is_cancelled:
        raise Conflict(message)
    if shift.is_cancelled and shift.cancel_reason:
        raise Conflict(
            _(
                "This shift was cancelled (%(reason)s), so nobody can join it.",
                reason=shift.cancel_reason,
            )
        )
    if shift.is_cancelled:
        raise Conflict(_("This shift was cancelled, so nobody can join it."))


def _refuse_overlap(session: Session, volunteer: User, shift: Shift, yourself: bool) -> None:
    """Nobody holds two overlapping shifts (confirmed, waitlisted or attended)."""
    other = session.scalar(
        select(Signup)
        .join(Signup.shift)
        .options(contains_eager(Signup.shift).joinedload(Shift.task))
        .where(
            Signup.user_id == volunteer.id,
            Signup.status.in_(ACTIVE),
            Signup.shift_id != shift.id,
            _overlapping(shift.starts_at, shift.ends_at),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if other is None:
        return
    task, when = other.shift.task.title, describe_time(other.shift)
    if yourself:
        raise Conflict(
            _(
                "You are already signed up for “%(task)s” on %(when)s, which overlaps this shift.",
                task=task,
                when=when,
            )
        )
    raise Conflict(
        _(
            "%(name)s is already signed up for “%(task)s” on %(when)s, which overlaps this shift.",
            name=volunteer.display_name,
            task=task,
            when=when,
        )
    )


def holders_of_overlapping_shifts(
    session: Session, shift: Shift, starts_at: datetime, ends_at: datetime
) -> list[str]:
    """The names of the people on the shift who hold another shift overlapping these times
    (moving the shift there would give them two at once)."""
    mine, theirs = aliased(Signup), aliased(Signup)
    rows = session.scalars(
        select(User.display_name)
        .join(mine, mine.user_id == User.id)
        .join(theirs, theirs.user_id == User.id)
        .join(Shift, theirs.shift_id == Shift.id)
        .where(
            mine.shift_id == shift.id,
            mine.status.in_(ACTIVE),
            theirs.status.in_(ACTIVE),
            theirs.shift_id != shift.id,
            _overlapping(starts_at, ends_at),
        )
        .distinct()
        .order_by(User.display_name)
    )
    return list(rows)
