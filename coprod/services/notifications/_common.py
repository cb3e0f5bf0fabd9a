"""What the emails about a shift share: its time in the reader's language, the shared shift
block, and the stamps that make an occasion."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from coprod.models import Shift
from coprod.services.notifications.emails import Later, base_url, describe_time


def when(shift: Shift) -> Later:
    """The shift's local time, in the language of the email it is shown in."""
    return Later(lambda: describe_time(shift))


def _shift_context(shift: Shift) -> dict[str, Any]:
    base = base_url()
    return {
        "shift": shift,
        "task": shift.task,
        "when": when(shift),
        "task_url": f"{base}/tasks/{shift.task_id}",
        "schedule_url": f"{base}/my/schedule",
        "shift_cancelled": False,
        "reason": "",
    }


def shift_context(shift: Shift) -> dict[str, Any]:
    """What the shared shift block of an email (_shift.txt, _shift.html) shows."""
    return _shift_context(shift)


def _stamp(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""
