"""Tasks and shifts: the public list and task page, and the agency's management pages.

Times in the shift forms are the programme's local time (coprod/services/localtime.py).
The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("tasks", __name__)

# The views register their routes on `bp` when imported, after it exists.
from coprod.web.tasks import browse, manage, shift_edits, shift_series, template_helpers  # noqa: E402
from coprod.web.tasks._common import (  # noqa: E402
    STATUS_BUTTONS,
    STATUS_DONE,
    STATUS_LABELS,
    task_status_label,
)
from coprod.web.tasks.forms import (  # noqa: E402
    CancelShiftForm,
    CopyShiftsForm,
    DescriptionForm,
    FilterForm,
    MoveShiftsForm,
    ShiftForm,
    TaskForm,
    TransitionForm,
    WeeklyShiftsForm,
)
from coprod.web.tasks.template_helpers import ZoneOwner  # noqa: E402

__all__ = [
    "STATUS_BUTTONS",
    "STATUS_DONE",
    "STATUS_LABELS",
    "CancelShiftForm",
    "CopyShiftsForm",
    "DescriptionForm",
    "FilterForm",
    "MoveShiftsForm",
    "ShiftForm",
    "TaskForm",
    "TransitionForm",
    "WeeklyShiftsForm",
    "ZoneOwner",
    "bp",
    "browse",
    "manage",
    "shift_edits",
    "shift_series",
    "task_status_label",
    "template_helpers",
]
