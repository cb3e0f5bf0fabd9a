"""Shifts: the time slots of a task, each with a number of places (adding one or a weekly
series, moving, resizing, deleting), and reading them.

Times are stored as UTC instants; forms take them in the programme's local time
(coprod/services/localtime.py converts), and a weekly series keeps its local wall-clock time
when the clocks change.
"""

from coprod.services.shifts._common import MAX_CAPACITY, SHIFT_FIELDS, Actor
from coprod.services.shifts.editing import add_shift, delete_shift, deletion_blocker, update_shift
from coprod.services.shifts.reading import (
    PAST_SHIFT_KEYS,
    UPCOMING_SHIFT_KEYS,
    get_shift_to_manage,
    list_task_shifts,
    waitlist_counts,
)
from coprod.services.shifts.weekly import MAX_WEEKLY_SHIFTS, add_weekly_shifts

__all__ = [
    "MAX_CAPACITY",
    "MAX_WEEKLY_SHIFTS",
    "PAST_SHIFT_KEYS",
    "SHIFT_FIELDS",
    "UPCOMING_SHIFT_KEYS",
    "Actor",
    "add_shift",
    "add_weekly_shifts",
    "delete_shift",
    "deletion_blocker",
    "get_shift_to_manage",
    "list_task_shifts",
    "update_shift",
    "waitlist_counts",
]
