"""Contribution logs: logging hours and outcomes, resubmitting, correcting, reading them."""

from coprod.services.contributions.attendance import (
    log_from_attendance,
    shift_log_of,
    withdraw_for_no_show,
)
from coprod.services.contributions.changes import correct_log, resubmit_log, submit_log
from coprod.services.contributions.flags import LogFlags, log_flags
from coprod.services.contributions.pending import edit_log, withdraw_log
from coprod.services.contributions.reading import (
    MyLogs,
    get_corrections,
    get_log,
    get_log_history,
    get_log_to_change,
    get_task_for_logging,
    list_my_logs,
    my_shift_logs,
    organisations_to_log_for,
)
from coprod.services.contributions.rules import (
    EARLIEST_LOG_DATE,
    MAX_NOTES,
    LogInput,
    check_log_date,
    log_state,
    shift_day,
    shift_hours,
    today_for,
)

__all__ = [
    "EARLIEST_LOG_DATE",
    "MAX_NOTES",
    "LogFlags",
    "LogInput",
    "MyLogs",
    "check_log_date",
    "correct_log",
    "edit_log",
    "get_corrections",
    "get_log",
    "get_log_history",
    "get_log_to_change",
    "get_task_for_logging",
    "list_my_logs",
    "log_flags",
    "log_from_attendance",
    "log_state",
    "my_shift_logs",
    "organisations_to_log_for",
    "resubmit_log",
    "shift_day",
    "shift_hours",
    "shift_log_of",
    "submit_log",
    "today_for",
    "withdraw_for_no_show",
    "withdraw_log",
]
