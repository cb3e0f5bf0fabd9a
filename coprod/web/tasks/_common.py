"""What the tasks views share: the signed-in person, task statuses in words, local times."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_login import current_user

from coprod.i18n import _, _l
from coprod.models import Task, TaskStatus, User
from coprod.services import localtime

STATUS_BUTTONS = {
    TaskStatus.OPEN: _l("Publish"),
    TaskStatus.CLOSED: _l("Close sign-ups"),
    TaskStatus.COMPLETED: _l("Mark completed"),
    TaskStatus.CANCELLED: _l("Cancel task"),
}
# A task's status as people read it (the tag on its page, the lists of tasks).
STATUS_LABELS = {
    TaskStatus.DRAFT: _l("Draft"),
    TaskStatus.OPEN: _l("Open"),
    TaskStatus.CLOSED: _l("Closed"),
    TaskStatus.COMPLETED: _l("Completed"),
    TaskStatus.CANCELLED: _l("Cancelled"),
}
# What the task page says once a task has moved to a status.
STATUS_DONE = {
    TaskStatus.OPEN: _l("The task is now open."),
    TaskStatus.CLOSED: _l("The task is now closed."),
    TaskStatus.COMPLETED: _l("The task is now completed."),
    TaskStatus.CANCELLED: _l("The task is now cancelled."),
}


def task_status_label(status: TaskStatus) -> str:
    """The status in the reader's language ("Open", "Abierta")."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(status)


def _actor() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _at(task: Task, day: date | None, at: time | None, field: str = "starts_at") -> datetime:
    """The UTC instant of a date and time typed in the programme's local time."""
    assert day is not None and at is not None  # the forms require both
    return localtime.from_local(day, at, localtime.task_zone(task), field)


def _zone_hint(task: Task) -> dict[str, str]:
    name = localtime.programme_zone_name(task.programme)
    return {
        "zone": name,
        "hint": _(
            "Dates and times are local time in %(zone)s, the programme's time zone, "
            "and change with its summer time.",
            zone=name,
        ),
    }
