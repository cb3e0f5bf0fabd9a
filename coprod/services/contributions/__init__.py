"""Contribution logs: logging hours and outcomes, resubmitting, correcting, reading them."""

from coprod.services.contributions.changes import correct_log, resubmit_log, submit_log
from coprod.services.contributions.reading import (
    MyLogs,
    get_corrections,
    get_log,
    get_log_history,
    get_log_to_change,
    get_task_for_logging,
    list_my_logs,
    organisations_to_log_for,
)
from coprod.services.contributions.rules import (
    EARLIEST_LOG_DATE,
    MAX_NOTES,
    LogInput,
    check_log_date,
    log_state,
    today_for,
)

__all__ = [
    "EARLIEST_LOG_DATE",
    "MAX_NOTES",
    "LogInput",
    "MyLogs",
    "check_log_date",
    "correct_log",
    "get_corrections",
    "get_log",
    "get_log_history",
    "get_log_to_change",
    "get_task_for_logging",
    "list_my_logs",
    "log_state",
    "organisations_to_log_for",
    "resubmit_log",
    "submit_log",
    "today_for",
]
