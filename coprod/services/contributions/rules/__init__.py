"""The rules on what a person logs: hours (0 < h ≤ 24, two decimals), the date (from 1 January
2000 to today in the programme's time zone; a shift's own local day for a log of a shift, not
before the programme's start or the task's creation otherwise), a shift only if the person held
it and it has started, one log per person and shift, at most 24 hours a day, outcomes only for
the task's metrics, in-kind items; and the helpers that apply a checked log to its row."""

from coprod.services.contributions.rules.applying import (
    fill_log,
    lock_person,
    log_state,
    record_change,
)
from coprod.services.contributions.rules.checks import (
    check_in_kind,
    check_one_log_per_shift,
    check_outcomes,
    check_shift_held,
    check_task_open_for_logs,
    existing_shift_log,
    validate_log,
)
from coprod.services.contributions.rules.days import (
    check_day_total,
    check_hours,
    check_log_date,
    shift_day,
    shift_hours,
    today_for,
)
from coprod.services.contributions.rules.inputs import (
    AUDITED,
    DAY_COUNTED,
    EARLIEST_LOG_DATE,
    HELD,
    HOLDS_SHIFT,
    MAX_DESCRIPTION,
    MAX_HOURS_PER_DAY,
    MAX_NOTES,
    MAX_QUANTITY,
    MAX_VALUE,
    PENDING,
    InKind,
    LogInput,
    Outcomes,
)

__all__ = [
    "AUDITED",
    "DAY_COUNTED",
    "EARLIEST_LOG_DATE",
    "HELD",
    "HOLDS_SHIFT",
    "MAX_DESCRIPTION",
    "MAX_HOURS_PER_DAY",
    "MAX_NOTES",
    "MAX_QUANTITY",
    "MAX_VALUE",
    "PENDING",
    "InKind",
    "LogInput",
    "Outcomes",
    "check_day_total",
    "check_hours",
    "check_in_kind",
    "check_log_date",
    "check_one_log_per_shift",
    "check_outcomes",
    "check_shift_held",
    "check_task_open_for_logs",
    "existing_shift_log",
    "fill_log",
    "lock_person",
    "log_state",
    "record_change",
    "shift_day",
    "shift_hours",
    "today_for",
    "validate_log",
]
