"""Tasks: the agency posts them, the public finds them (their shifts: coprod/services/shifts/).

Times are stored as UTC instants and shown in the programme's time zone
(coprod/services/localtime.py).
"""

from coprod.services.tasks.interest import (
    express_interest,
    get_interest,
    list_interested,
    withdraw_interest,
)
from coprod.services.tasks.lifecycle import (
    FINISHED,
    KEEP,
    TRANSITIONS,
    create_task,
    ready_to_publish,
    refuse_shifts_if_ongoing,
    status_word,
    transition_task,
    update_task,
)
from coprod.services.tasks.reading import (
    TaskList,
    TaskSummary,
    get_task,
    get_task_to_manage,
    list_programme_tasks,
    list_programmes_with_open_tasks,
    list_tasks,
    live_signup_count,
    parse_date,
    text_match,
)

__all__ = [
    "FINISHED",
    "KEEP",
    "TRANSITIONS",
    "TaskList",
    "TaskSummary",
    "create_task",
    "express_interest",
    "get_interest",
    "get_task",
    "get_task_to_manage",
    "list_interested",
    "list_programme_tasks",
    "list_programmes_with_open_tasks",
    "list_tasks",
    "live_signup_count",
    "parse_date",
    "ready_to_publish",
    "refuse_shifts_if_ongoing",
    "status_word",
    "text_match",
    "transition_task",
    "update_task",
    "withdraw_interest",
]
