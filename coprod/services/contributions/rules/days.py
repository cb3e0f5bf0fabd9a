"""A log's day and hours: the programme's local day, the date rule, at most 24 hours a day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import ContributionLog, Programme, Shift, Task
from coprod.services import localtime
from coprod.services.contributions.rules._common import _two_places
from coprod.services.contributions.rules.inputs import (
    DAY_COUNTED,
    EARLIEST_LOG_DATE,
    MAX_HOURS_PER_DAY,
)
from coprod.services.money import format_number


def check_hours(hours: Decimal | None) -> Decimal:
    """Hours are more than 0 and at most 24, in hundredths."""
    if hours is None or not hours.is_finite():
        raise Invalid("hours", _("Enter the hours you gave, like 2.5."))
    if not Decimal("0") < hours <= MAX_HOURS_PER_DAY:
        raise Invalid("hours", _("Hours must be more than 0 and at most 24."))
    if not _two_places(hours):
        raise Invalid("hours", _("Hours can have at most 2 decimal places."))
    return hours


def today_for(task: Task, now: datetime) -> date:
    """Today in the task's programme's time zone (the date a log form starts with)."""
    return localtime.local_today(task.programme, now)


def shift_day(shift: Shift) -> date:
    """The shift's date in its programme's time zone (the date of every log of it)."""
    return localtime.to_local(shift.starts_at, localtime.shift_zone(shift)).date()


def shift_hours(shift: Shift) -> Decimal:
    """The shift's length in hours (two places, at most 24): the hours a log of it starts with."""
    seconds = Decimal((shift.ends_at - shift.starts_at).total_seconds())
    return min((seconds / 3600).quantize(Decimal("0.01")), MAX_HOURS_PER_DAY)


def check_log_date(
    on: date | None,
    programme: Programme,
    now: datetime,
    *,
    task: Task | None = None,
    shift: Shift | None = None,
) -> date:
    """The one rule on a log's date, for every door (web, API, jobs): a day from 1 January
    2000 up to today in the programme's time zone (never a future date there); a log of a
    shift is dated the shift's local day; a log of a task without a shift is not dated before
    the programme's start or the day the task was created (local days)."""
    if on is None:
        raise Invalid("date", _("Enter the date you did the work."))
    if shift is not None:
        day = shift_day(shift)
        if on != day:
            raise Invalid(
                "date",
                _(
                    "A log of this shift is dated %(day)s, the shift's day in %(zone)s: "
                    "use that date.",
                    day=localtime.format_day(day),
                    zone=localtime.programme_zone_name(programme),
                ),
            )
    today = localtime.local_today(programme, now)
    if on > today:
        raise Invalid(
            "date",
            _(
                "The date cannot be in the future: today is %(today)s in %(zone)s, the "
                "programme's time zone.",
                today=localtime.format_day(today),
                zone=localtime.programme_zone_name(programme),
            ),
        )
    if on < EARLIEST_LOG_DATE:
        raise Invalid(
            "date",
            _(
                "The date must be on or after %(day)s: check the year you typed.",
                day=localtime.format_day(EARLIEST_LOG_DATE),
            ),
        )
    if shift is None and task is not None:
        created = localtime.to_local(task.created_at, localtime.programme_zone(programme)).date()
        first = max(programme.starts_on, created)
        if on < first:
            if first == programme.starts_on:
                message = _(
                    "The date cannot be before %(day)s, when the programme started.",
                    day=localtime.format_day(first),
                )
            else:
                message = _(
                    "The date cannot be before %(day)s, when the task was created.",
                    day=localtime.format_day(first),
                )
            raise Invalid("date", message)
    return on


def check_day_total(
    session: Session, user_id: int, on: date, hours: Decimal, *, exclude: Sequence[int] = ()
) -> None:
    """At most 24 h per person per day, counting submitted, approved and changes-requested logs."""
    stmt = select(func.coalesce(func.sum(ContributionLog.hours), 0)).where(
        ContributionLog.user_id == user_id,
        ContributionLog.date == on,
        ContributionLog.status.in_(DAY_COUNTED),
    )
    ids = [i for i in exclude if i is not None]
    if ids:
        stmt = stmt.where(ContributionLog.id.not_in(ids))
    logged = Decimal(str(session.scalar(stmt) or 0))
    if logged + hours > MAX_HOURS_PER_DAY:
        left = max(MAX_HOURS_PER_DAY - logged, Decimal("0")).normalize()
        raise Invalid(
            "hours",
            _(
                "You have already logged %(logged)s hours on %(day)s; at most %(left)s more "
                "hours can be logged for that day.",
                logged=format_number(logged),
                day=localtime.format_day(on),
                left=format_number(left),
            ),
        )
