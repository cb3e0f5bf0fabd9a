"""Shared by the shift modules: who acts, a shift's limits and audited fields, and their checks."""

from __future__ import annotations

from datetime import datetime

from coprod.errors import Conflict, FieldErrors
from coprod.i18n import _
from coprod.models import Task, User
from coprod.services.bounds import check_instant
from coprod.services.tasks import FINISHED, refuse_shifts_if_ongoing, status_word

Actor = User | None
MAX_CAPACITY = 1000
SHIFT_FIELDS = ["starts_at", "ends_at", "capacity"]


def _check_shift(
    errs: FieldErrors,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
    *,
    check_past: bool = True,
) -> None:
    errs.check(lambda: check_instant(starts_at, "starts_at"))
    errs.check(lambda: check_instant(ends_at, "ends_at"))
    if check_past and starts_at < now:
        errs.add("starts_at", _("A shift cannot start in the past."))
    if ends_at <= starts_at:
        errs.add("ends_at", _("The shift must end after it starts."))
    if not 1 <= capacity <= MAX_CAPACITY:
        errs.add(
            "capacity",
            _("The number of places must be between 1 and %(max)s.", max=MAX_CAPACITY),
        )


def _refuse_finished(task: Task) -> None:
    if task.status in FINISHED:
        raise Conflict(
            _("A task that is %(status)s cannot get new shifts.", status=status_word(task.status))
        )
    refuse_shifts_if_ongoing(task)
