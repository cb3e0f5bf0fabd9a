"""Posting and running tasks: create, edit, and move a task through its lifecycle (cancelling a
task cancels its sign-ups, with an email to each person)."""

from coprod.services.tasks.lifecycle._common import Actor
from coprod.services.tasks.lifecycle.editing import (
    HAS_SHIFTS,
    KEEP,
    STAYS_ONGOING,
    create_task,
    update_task,
)
from coprod.services.tasks.lifecycle.fields import (
    MAX_DESCRIPTION,
    MAX_LOCATION,
    MAX_TITLE,
    NOT_OFFERED,
    TASK_FIELDS,
)
from coprod.services.tasks.lifecycle.transitions import (
    FINISHED,
    LIVE_SIGNUPS,
    ONGOING_HAS_NO_SHIFTS,
    STATUS_WORDS,
    TRANSITIONS,
    ready_to_publish,
    refuse_shifts_if_ongoing,
    status_word,
    transition_task,
)

__all__ = [
    "FINISHED",
    "HAS_SHIFTS",
    "KEEP",
    "LIVE_SIGNUPS",
    "MAX_DESCRIPTION",
    "MAX_LOCATION",
    "MAX_TITLE",
    "NOT_OFFERED",
    "ONGOING_HAS_NO_SHIFTS",
    "STATUS_WORDS",
    "STAYS_ONGOING",
    "TASK_FIELDS",
    "TRANSITIONS",
    "Actor",
    "create_task",
    "ready_to_publish",
    "refuse_shifts_if_ongoing",
    "status_word",
    "transition_task",
    "update_task",
]
