"""Shared by copying and moving shifts: who acts, a number of weeks, times moved by weeks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import Shift, Task, User
from coprod.services import localtime
from coprod.services.shift_state import live_shift, not_started_shift

Actor = User | None
MAX_WEEKS = 52


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
