"""Report periods: weeks (from Monday), months and quarters."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import PeriodKind, Programme
from coprod.services import bounds
from coprod.services.localtime import local_today, programme_zone_sql

# The period of a date in SQL, for governance.figures too.
from coprod.services.reports.dialect import bucket as bucket


def local_todays(session: Session, now: datetime) -> list[tuple[date, ColumnElement[bool]]]:
    """The programmes' "today" at this instant, each with the SQL condition that picks the
    programmes whose zone is on that date (a handful of dates at most: zones differ by hours)."""
    zones: dict[date, list[str]] = defaultdict(list)
    for name in session.scalars(select(programme_zone_sql()).distinct()):
        zones[now.astimezone(ZoneInfo(name)).date()].append(name)
    return [(day, programme_zone_sql().in_(names)) for day, names in sorted(zones.items())]


def period_start(kind: PeriodKind, day: date) -> date:
    """The first day of the period containing the day: weeks start on Monday."""
    if kind == PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_start(kind: PeriodKind, start: date) -> date:
    if kind == PeriodKind.WEEK:
        return start + timedelta(days=7)
    years, month0 = divmod(start.month - 1 + (1 if kind == PeriodKind.MONTH else 3), 12)
    return date(start.year + years, month0 + 1, 1)


def period_end(kind: PeriodKind, start: date) -> date:
    """The last day of the period (inclusive)."""
    return next_start(kind, start) - timedelta(days=1)


def previous_start(kind: PeriodKind, start: date) -> date:
    return period_start(kind, start - timedelta(days=1))


def last_complete_start(kind: PeriodKind, today: date) -> date:
    """The start of the last period that has ended by `today` (a local date): the one before
    the period containing today, which is still in progress."""
    return previous_start(kind, period_start(kind, today))


def in_progress(kind: PeriodKind, start: date, today: date) -> bool:
    """True while the period starting on `start` has not ended by `today` (a local date): its
    figures are still growing, so a change on the period before means nothing yet."""
    return period_end(kind, start) >= today


def default_start(programme: Programme, kind: PeriodKind, now: datetime) -> date:
    """The period a report opens on: the last complete one in the programme's local calendar
    (at 00:30 on 1 July in London, June; the current period stays one click away), but none
    before the programme began: a programme in its first period opens on that one."""
    today = local_today(programme, now)
    began = period_start(kind, programme.starts_on)
    return min(period_start(kind, today), max(last_complete_start(kind, today), began))


def starts_between(kind: PeriodKind, first: date, last: date) -> list[date]:
    """Every period start from the period containing `first` to the one containing `last`."""
    out, cur, stop = [], period_start(kind, first), period_start(kind, last)
    while cur <= stop:
        out.append(cur)
        cur = next_start(kind, cur)
    return out


def parse_period(raw: str | None) -> PeriodKind:
    try:
        return PeriodKind(raw or PeriodKind.MONTH.value)
    except ValueError:
        raise Invalid("period", _("Choose week, month or quarter.")) from None


def parse_day(raw: str | None, field_name: str = "start") -> date | None:
    """The day a report period is asked for (YYYY-MM-DD, within the years reports cover)."""
    return bounds.parse_day(raw, field_name, label=_("The start"), example="2026-06-01")
