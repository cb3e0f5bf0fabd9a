"""Whether a shift is live, and whether it has started: the one place that says so, for every
shift rule and query.

A cancelled shift (bad weather) stays in the database with its sign-ups, ended, but it cannot
be signed up for or assigned to, is not reminded, counts as no free places and never as
understaffed. In Python: `Shift.is_cancelled`; in SQL: `live_shift()`.

A shift has started from its start time on (a shift starting this very minute has started):
from then sign-ups, cancelling, removing and invitations are closed, and attendance and logs
open. In Python: `has_started(shift, now)`; in SQL: `started_shift(now)` and its negation
`not_started_shift(now)` (the shifts still to come).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement

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


__all__ = [
    "cancelled_shift",
    "has_started",
    "live_shift",
    "not_started_shift",
    "started_shift",
]
