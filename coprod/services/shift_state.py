"""Whether a shift is live, and whether it has started: the one place that says so, for every
shift rule and query.

A cancelled shift (bad weather) stays in the database with its sign-ups, ended, but it cannot
be signed up for or assigned to, is not reminded, counts as no free places and never as
understaffed. In Python: `Shift.is_cancelled`; in SQL: `live_shift()`.

A shift has started from its start time on (a shift starting this very minute has started):
from then sign-ups, cancelling, removing and invitations are closed, and attendance and logs
open. In Python: `has_started(shift, now)`; in SQL: `started_shift(now)` and its negation
`not_started_shift(now)` (the shifts still to come).

A shift is not over until its end. In SQL: `not_over_shift(session, now)`, which also bounds the
start by the longest shift there is, so that a database walks its start index from there and not
from the oldest shift (no product rule limits a shift's length).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, select
from sqlalchemy.orm import Session

from coprod.db import is_postgres
from coprod.models import Shift


def live_shift() -> ColumnElement[bool]:
    """The SQL condition "this shift is not cancelled" (use it in every query of shifts that
    counts, lists places, reminds or offers shifts)."""
    return Shift.cancelled_at.is_(None)


def cancelled_shift() -> ColumnElement[bool]:
    """The SQL condition "this shift was cancelled"."""
    return Shift.cancelled_at.is_not(None)


def has_started(shift: Shift, now: datetime) -> bool:
    """True once the shift's start time has come."""
    return shift.starts_at <= now


def started_shift(now: datetime) -> ColumnElement[bool]:
    """The SQL condition "this shift has started" (`has_started` in SQL)."""
    return Shift.starts_at <= now


def not_started_shift(now: datetime) -> ColumnElement[bool]:
    """The SQL condition "this shift has not started yet": the shifts still to come."""
    return Shift.starts_at > now


# SQLite's lengths come from julianday() as fractions of a day: a second of margin covers
# their rounding.
_MARGIN = timedelta(seconds=1)


def longest_shift(session: Session) -> timedelta | None:
    """The length of the longest shift there is, cancelled or not (None: there are no shifts).
    PostgreSQL reads it as the last entry of the index on the length (revision 0023); SQLite,
    whose datetimes are text, computes it from julianday()."""
    if is_postgres(session):
        return session.scalar(select(func.max(Shift.ends_at - Shift.starts_at)))
    days = session.scalar(
        select(func.max(func.julianday(Shift.ends_at) - func.julianday(Shift.starts_at)))
    )
    return None if days is None else timedelta(days=float(days))


def not_over_shift(session: Session, now: datetime) -> ColumnElement[bool]:
    """The SQL condition "this shift has not ended yet" (under way or to come). A shift under
    way started less than the longest shift's length ago, so the start is bounded below too:
    without that bound PostgreSQL walked every past shift by start (50,000 at the 10x medium
    benchmark world, 22 ms of the staff home page) to find the few that end after now."""
    longest = longest_shift(session)
    if longest is None:
        return false()
    try:
        earliest = now - longest - _MARGIN
    except OverflowError:  # a shift longer than the calendar's past: no bound to give
        return Shift.ends_at > now
    return and_(Shift.ends_at > now, Shift.starts_at > earliest)


__all__ = [
    "cancelled_shift",
    "has_started",
    "live_shift",
    "longest_shift",
    "not_over_shift",
    "not_started_shift",
    "started_shift",
]
