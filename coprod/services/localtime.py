"""Local time: every organisation has an IANA time zone, a programme takes its lead agency's
zone unless it sets its own, and everything about a shift is shown and typed in its
programme's zone. Instants are stored in UTC; this module is the one place that converts and
formats them.

Clock changes: a local time that does not exist (the hour skipped when clocks go forward) is
refused with a field message; a local time that happens twice (the hour repeated when clocks
go back) is taken as its first occurrence, still on summer time, and every page shows the
zone's abbreviation next to it, so the choice is visible.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date, format_skeleton

from coprod.errors import Invalid
from coprod.i18n import SOURCE, _, current_language

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import ColumnElement

    from coprod.models import Organisation, Programme, Shift, Task

FALLBACK_ZONE = "UTC"
MAX_ZONE_NAME = 64
DASH = "\u2013"  # an en dash between two times, as in print


def default_zone_name() -> str:
    """The zone new organisations get: DEFAULT_TIMEZONE from config.py."""
    from config import Config  # the settings module; read here so services stay Flask-free

    name = getattr(Config, "DEFAULT_TIMEZONE", FALLBACK_ZONE)
    return name if is_zone(name) else FALLBACK_ZONE


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for a select)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_zone(name: str | None) -> bool:
    if not name or len(name) > MAX_ZONE_NAME or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones()


def check_zone(raw: str | None, field: str = "timezone", *, required: bool = True) -> str | None:
    """An IANA time zone name like Europe/London; None when empty and optional."""
    name = (raw or "").strip()
    if not name:
        if required:
            raise Invalid(field, _("Choose a time zone, like Europe/London."))
        return None
    if not is_zone(name):
        raise Invalid(
            field,
            _(
                "“%(name)s” is not a time zone: use an IANA name like Europe/London or "
                "America/New_York.",
                name=name[:MAX_ZONE_NAME],
            ),
        )
    return name


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# --- whose zone ---------------------------------------------------------------------------


def organisation_zone_name(org: Organisation) -> str:
    return org.timezone or default_zone_name()


def programme_zone_name(programme: Programme) -> str:
    """The programme's own zone, else its lead agency's."""
    return programme.timezone or organisation_zone_name(programme.lead_organisation)


def programme_zone(programme: Programme) -> ZoneInfo:
    return zone(programme_zone_name(programme))


def task_zone(task: Task) -> ZoneInfo:
    return programme_zone(task.programme)


def shift_zone(shift: Shift) -> ZoneInfo:
    return task_zone(shift.task)


# --- converting ---------------------------------------------------------------------------


def local_today(programme: Programme, now: datetime) -> date:
    """The programme's calendar date at this instant (its "today")."""
    return now.astimezone(programme_zone(programme)).date()


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def from_local(day: date, at: time, tz: ZoneInfo, field: str = "starts_at") -> datetime:
    """The UTC instant of a wall-clock date and time in a zone; a time skipped by a clock
    change is refused, a repeated one is its first occurrence."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    local = wall.replace(tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        raise Invalid(
            field,
            _(
                "%(time)s does not exist on %(day)s in %(zone)s: the clocks go forward then. "
                "Choose a time after the change.",
                time=at.strftime("%H:%M"),
                day=format_day(day),
                zone=tz.key,
            ),
        )
    return instant


def local_dates(start: date, until: date, step: timedelta = timedelta(weeks=1)) -> list[date]:
    """Every date from start to until (inclusive), a step apart."""
    out, cur = [], start
    while cur <= until:
        out.append(cur)
        cur += step
    return out


# --- formatting ---------------------------------------------------------------------------


def abbreviation(instant: datetime, tz: ZoneInfo) -> str:
    """The zone's short name at that instant: GMT, BST, EST, EDT, NZDT, or +03 and the like."""
    return instant.astimezone(tz).tzname() or tz.key


def format_weekday_date(day: date | datetime, *, year: bool = True) -> str:
    """ "Sat 28 Mar 2026" in English, "sáb, 28 mar 2026" in Spanish: a date with its weekday,
    in the reader's language."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")
    return str(format_skeleton("yMMMEd" if year else "MMMEd", day, locale=lang))


def format_day(day: date | datetime) -> str:
    """ "28 March 2026" in English, "28 de marzo de 2026" in Spanish (in sentences)."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day.day} {day:%B %Y}"
    return str(format_date(day, "long", locale=lang))


def format_short_day(day: date | datetime) -> str:
    """ "28 Mar 2026" in English, "28 mar 2026" in Spanish (in lists and tables)."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day:%d %b %Y}"
    return str(format_date(day, "medium", locale=lang))


def format_month(day: date | datetime) -> str:
    """ "March 2026" in English, "marzo de 2026" in Spanish."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day:%B %Y}"
    return str(format_skeleton("yMMMM", day, locale=lang))


def format_day_month(day: date | datetime) -> str:
    """ "28 Mar" in English, "28 mar" in Spanish (a chart's axis)."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day.day} {day:%b}"
    return str(format_skeleton("MMMd", day, locale=lang))


def format_short_month(day: date | datetime) -> str:
    """ "Mar 26" in English, "mar 2026" in Spanish (a chart's axis)."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day:%b %y}"
    return str(format_skeleton("yMMM", day, locale=lang))


def format_instant(instant: datetime, tz: ZoneInfo, *, year: bool = True) -> str:
    """ "Sat 28 Mar 2026, 09:00 GMT" (the date in the reader's language)."""
    local = instant.astimezone(tz)
    return f"{format_weekday_date(local, year=year)}, {local:%H:%M} {abbreviation(instant, tz)}"


def format_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo, *, year: bool = True) -> str:
    """ "Sat 28 Mar 2026, 09:00-12:00 GMT"; the end's date is named when it is another day,
    and each end has its own abbreviation when a clock change falls in between."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = format_weekday_date(start, year=year)
    a, b = abbreviation(starts_at, tz), abbreviation(ends_at, tz)
    if end.date() != start.date():
        return f"{day}, {start:%H:%M} {a} {DASH} {format_instant(ends_at, tz, year=year)}"
    if a != b:
        return f"{day}, {start:%H:%M} {a} {DASH} {end:%H:%M} {b}"
    return f"{day}, {start:%H:%M}{DASH}{end:%H:%M} {a}"


def describe_shift(shift: Shift, *, year: bool = True) -> str:
    """A shift's time in its programme's zone, for pages and emails."""
    return format_span(shift.starts_at, shift.ends_at, shift_zone(shift), year=year)


# --- in SQL -------------------------------------------------------------------------------
# (models are imported inside: the organisation model takes its default zone from here)


def programme_zone_sql() -> ColumnElement[str]:
    """SQL for a programme's time zone: its own, else its lead agency's."""
    from sqlalchemy import func, select

    from coprod.models import Organisation, Programme

    lead_zone = (
        select(Organisation.timezone)
        .where(Organisation.id == Programme.lead_organisation_id)
        .scalar_subquery()
    )
    return func.coalesce(Programme.timezone, lead_zone)


def on_local_days(
    session: Session,
    instant: Any,
    programme_id: Any,
    first: date | None,
    last: date | None,
) -> ColumnElement[bool]:
    """SQL: the instant falls on a local date from `first` to `last` (either may be open) in
    the zone of the programme; one query finds the zones in use."""
    from sqlalchemy import and_, false, or_, select

    from coprod.models import Programme

    zone_sql = programme_zone_sql()
    clauses = []
    for name in session.scalars(select(zone_sql).distinct()):
        tz = zone(name)
        parts = [programme_id.in_(select(Programme.id).where(zone_sql == name))]
        if first is not None:
            parts.append(instant >= datetime.combine(first, time(), tz).astimezone(UTC))
        if last is not None:
            end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
            parts.append(instant < end)
        clauses.append(and_(*parts))
    return or_(*clauses) if clauses else false()
