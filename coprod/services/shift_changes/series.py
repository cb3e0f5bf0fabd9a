"""Weekly series: taking one date out of a series, and the shifts of a series."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _
from coprod.models import Shift
from coprod.services import audit
from coprod.services.bounds import parse_day
from coprod.services.shift_changes._common import Actor
from coprod.services.shift_changes.cancelling import cancel_shift
from coprod.services.shift_state import has_started
from coprod.services.shifts import SHIFT_FIELDS, delete_shift, deletion_blocker

MAX_SKIPPED = 104


_SEPARATORS = re.compile(r"[\s,;]+")


def parse_day_list(raw: str | None, field: str = "skip_dates") -> list[date]:
    """Dates typed in one field (YYYY-MM-DD, separated by commas, spaces or lines)."""
    words = [w for w in _SEPARATORS.split(raw or "") if w]
    if len(words) > MAX_SKIPPED:
        raise Invalid(field, _("List at most %(max)s dates.", max=MAX_SKIPPED))
    days: list[date] = []
    for word in words:
        if len(word) > 10:
            raise Invalid(field, _("Each date must be a real date, like 2026-12-26."))
        try:
            day = parse_day(word, field, label=_("Each date"), example="2026-12-26")
        except Invalid:
            raise Invalid(
                field, _("“%(word)s” is not a date like 2026-12-26.", word=word)
            ) from None
        if day is not None:
            days.append(day)
    return days


RemoveOutcome = Literal["deleted", "cancelled"]


def remove_from_series(
    session: Session, actor: Actor, shift: Shift, *, reason: str = "", now: datetime
) -> RemoveOutcome:
    """Take one date out of its weekly series: delete the shift when nobody is or was on it,
    otherwise cancel it (its people are told). The rest of the series is unchanged."""
    policy.require(actor, "task.manage", shift.task)
    if shift.series_id is None:
        raise Conflict(_("This shift is not part of a weekly series."))
    if shift.is_cancelled:
        raise Conflict(_("This date is already cancelled: nothing changed."))
    if has_started(shift, now):
        raise Conflict(_("This shift has already started, so it can no longer be removed."))
    series_id = shift.series_id
    if deletion_blocker(session, shift) is None:
        audit.record(
            session,
            actor,
            "shift.removed_from_series",
            shift,
            before=audit.snapshot(shift, SHIFT_FIELDS) | {"series_id": series_id},
            after={"outcome": "deleted"},
        )
        delete_shift(session, actor, shift, now=now)
        return "deleted"
    cancel_shift(session, actor, shift, reason=reason, now=now)
    audit.record(
        session,
        actor,
        "shift.removed_from_series",
        shift,
        after={"outcome": "cancelled", "series_id": series_id},
    )
    return "cancelled"


def series_shifts(session: Session, shift: Shift) -> list[Shift]:
    """The shifts of the shift's series (itself alone when it has none), soonest first."""
    if shift.series_id is None:
        return [shift]
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.series_id == shift.series_id, Shift.task_id == shift.task_id)
            .order_by(Shift.starts_at, Shift.id)
        )
    )
