"""What a reviewer should look at twice: hours over the shift's length, a log made long after
its date, many hours on one day. Computed for a page of logs in two queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from coprod.i18n import _, ngettext
from coprod.models import ContributionLog, Shift
from coprod.services import localtime
from coprod.services.contributions.rules import DAY_COUNTED, shift_hours
from coprod.services.money import format_number

LATE_DAYS = 30
DAY_HOURS = 12


@dataclass
class LogFlags:
    """The flags of each log on a page, by log id, as sentences a reviewer reads."""

    by_log: dict[int, list[str]] = field(default_factory=dict)

    def of(self, log: ContributionLog) -> list[str]:
        return self.by_log.get(log.id, [])


def _hours(value: Decimal) -> str:
    return format_number(value)  # "2.5", "2,5" in Spanish


def log_flags(
    session: Session,
    logs: Sequence[ContributionLog],
    *,
    late_days: int = LATE_DAYS,
    day_hours: int = DAY_HOURS,
) -> LogFlags:
    """Flag each log whose hours exceed its shift's length, that was logged more than
    `late_days` days after its date (the programme's local day it was made), or whose person's
    approved and waiting hours that day add up to more than `day_hours`. The logs' tasks and
    programmes are expected loaded (the queue joins them); at most two queries."""
    flags = LogFlags()
    if not logs:
        return flags
    # The shifts the logs were loaded with (the queue joins them), the others in one query.
    loaded = [log.__dict__.get("shift") for log in logs]
    shifts: dict[int, Shift] = {s.id: s for s in loaded if s is not None}
    missing = {log.shift_id for log in logs if log.shift_id is not None} - set(shifts)
    if missing:
        shifts.update(
            {s.id: s for s in session.scalars(select(Shift).where(Shift.id.in_(missing)))}
        )
    pairs = {(log.user_id, log.date) for log in logs if log.user_id is not None}
    totals: dict[tuple[int | None, date], Decimal] = {}
    if pairs:
        rows = session.execute(
            select(ContributionLog.user_id, ContributionLog.date, func.sum(ContributionLog.hours))
            .where(
                tuple_(ContributionLog.user_id, ContributionLog.date).in_(list(pairs)),
                ContributionLog.status.in_(DAY_COUNTED),
            )
            .group_by(ContributionLog.user_id, ContributionLog.date)
        )
        totals = {(u, d): Decimal(str(h or 0)) for u, d, h in rows}
    for log in logs:
        found: list[str] = []
        shift = shifts.get(log.shift_id) if log.shift_id is not None else None
        if shift is not None and log.hours > shift_hours(shift):
            found.append(
                _(
                    "%(hours)s h is more than the shift's length (%(length)s h).",
                    hours=_hours(log.hours),
                    length=_hours(shift_hours(shift)),
                )
            )
        zone = localtime.programme_zone(log.task.programme)
        made = localtime.to_local(log.created_at, zone).date()
        late = (made - log.date).days
        if late > late_days:
            found.append(
                ngettext(
                    "Logged %(num)d day after the date.",
                    "Logged %(num)d days after the date.",
                    late,
                )
            )
        total = totals.get((log.user_id, log.date)) if log.user_id is not None else None
        if total is not None and total > day_hours:
            found.append(
                _("%(hours)s h logged by this person on that day in all.", hours=_hours(total))
            )
        if found:
            flags.by_log[log.id] = found
    return flags
