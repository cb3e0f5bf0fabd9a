"""Whether a shift is live: the one place that says so, for every shift query.

A cancelled shift (bad weather) stays in the database with its sign-ups, ended, but it cannot
be signed up for or assigned to, is not reminded, counts as no free places and never as
understaffed. In Python: `Shift.is_cancelled`; in SQL: `live_shift()`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from coprod.models import Shift


def live_shift() -> ColumnElement[bool]:
    """The SQL condition "this shift is not cancelled" (use it in every query of shifts that
    counts, lists places, reminds or offers shifts)."""
    return Shift.cancelled_at.is_(None)


def cancelled_shift() -> ColumnElement[bool]:
    """The SQL condition "this shift was cancelled"."""
    return Shift.cancelled_at.is_not(None)


__all__ = ["cancelled_shift", "live_shift"]
