"""Changing shifts after they are made: cancel one (bad weather) with a notice to everyone on
it, remove one date from a weekly series, copy a task's shifts to another task, move a task's
future shifts by a number of weeks.

Nothing here deletes a shift someone is or was on: a cancelled shift keeps its sign-ups, ended
with the status `shift_cancelled` (the reason is the shift's `cancel_reason`), so My schedule,
the roster and the calendar feed can say what happened. Whether a shift is live is said in one
place: `Shift.is_cancelled` and `coprod.services.shift_state.live_shift()`.

Lock order as in coprod/services/signups/booking/__init__.py: the shift's row, then its sign-ups'.
"""

from coprod.services.shift_changes._common import MAX_WEEKS, Actor, check_weeks, future_shifts
from coprod.services.shift_changes.cancelling import (
    ENDED_BY_CANCELLING,
    MAX_REASON,
    cancel_shift,
    check_reason,
)
from coprod.services.shift_changes.copying import (
    MAX_COPIED,
    NO_SUCH_TARGET,
    copy_shifts,
    copy_targets,
    copyable_shifts,
)
from coprod.services.shift_changes.moving import move_shifts
from coprod.services.shift_changes.series import (
    MAX_SKIPPED,
    RemoveOutcome,
    parse_day_list,
    remove_from_series,
    series_shifts,
)

__all__ = [
    "ENDED_BY_CANCELLING",
    "MAX_COPIED",
    "MAX_REASON",
    "MAX_SKIPPED",
    "MAX_WEEKS",
    "NO_SUCH_TARGET",
    "Actor",
    "RemoveOutcome",
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
