"""Tasks: the agency posts them, the public finds them (their shifts: coprod/services/shifts.py).

Times are stored as UTC instants and shown in the programme's time zone
(coprod/services/localtime.py).
"""

from coprod.services.tasks.lifecycle import (
    FINISHED,
    KEEP,
    TRANSITIONS,
    create_task,
    transition_task,
    update_task,
)
from coprod.services.tasks.reading import (
    TaskSummary,
    get_task,
    get_task_to_manage,
    list_open_tasks,
    list_programme_tasks,
    list_programmes_with_open_tasks,
    live_signup_count,
    parse_date,
    text_match,
)

__all__ = [
    "FINISHED",
    "KEEP",
    "TRANSITIONS",
    "TaskSummary",
    "create_task",
    "get_task",
    "get_task_to_manage",
    "list_open_tasks",
    "list_programme_tasks",
    "list_programmes_with_open_tasks",
    "live_signup_count",
    "parse_date",
    "text_match",
    "transition_task",
    "update_task",
]
