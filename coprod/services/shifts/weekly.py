"""A weekly series of shifts: one a week at the same local time, some dates skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors
from coprod.i18n import SOURCE, _, current_language
from coprod.models import Shift, Task
from coprod.services import audit, localtime
from coprod.services import task_figures as figures
from coprod.services.shifts._common import Actor, _check_shift, _refuse_finished

MAX_WEEKLY_SHIFTS = 104


def add_weekly_shifts(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    first_starts_at: datetime,
    duration: timedelta,
    until: date,
    capacity: int,
    now: datetime,
    skip: Sequence[date] = (),
) -> list[Shift]:
    """Add one shift a week from the first start up to and including `until` (at most 104),
    each at the same wall-clock time in the programme's zone, across clock changes too,
    except on the local dates in `skip` (each must be a date of the series). The shifts share
    a `series_id` (the first one's id)."""
    policy.require(actor, "task.manage", task)
    _refuse_finished(task)
    errs = FieldErrors()
    _check_shift(errs, first_starts_at, first_starts_at + duration, capacity, now)
    tz = localtime.task_zone(task)
    start = first_starts_at.astimezone(tz).replace(tzinfo=None)
    end = (first_starts_at + duration).astimezone(tz).replace(tzinfo=None)
    days = localtime.local_dates(start.date(), until)
    if until < start.date():
        errs.add("until", _("The last date must be on or after the first date."))
    elif len(days) > MAX_WEEKLY_SHIFTS:
        errs.add(
            "until",
            _(
                "A weekly series can have at most %(max)s shifts "
                "(this one would have %(num)s); choose an earlier last date.",
                max=MAX_WEEKLY_SHIFTS,
                num=len(days),
            ),
        )
    else:
        days = _skip_days(errs, days, skip, start.date(), until)
    errs.raise_if_any()
    # Every week's instants first, so a week whose time the clocks skip refuses the series.
    times = [
        (
            localtime.from_local(day, start.time(), tz, "starts_at"),
            localtime.from_local(day + (end.date() - start.date()), end.time(), tz, "ends_at"),
        )
        for day in days
    ]
    shifts = [Shift(starts_at=a, ends_at=b, capacity=capacity, confirmed=0) for a, b in times]
    task.shifts.extend(shifts)
    session.flush()
    for shift in shifts:
        shift.series_id = shifts[0].id
    session.flush()
    audit.record(
        session,
        actor,
        "shift.series_created",
        task,
        after={
            "series_id": shifts[0].id,
            "skipped": sorted(set(skip)),
            "count": len(shifts),
            "first": first_starts_at,
            "until": until,
            "capacity": capacity,
            "timezone": tz.key,
        },
    )
    figures.refresh(session, [task.id], now)
    return shifts


def _weekday_date(day: date) -> str:
    """ "Sat 26 Dec 2026" in English as before; the reader's form in another language."""
    if current_language() == SOURCE:
        return f"{day:%a %d %b %Y}"
    return localtime.format_weekday_date(day)


def _short_date(day: date) -> str:
    """ "26 Dec 2026" in English as before; the reader's form in another language."""
    if current_language() == SOURCE:
        return f"{day:%d %b %Y}"
    return localtime.format_short_day(day)


def _weekday(day: date) -> str:
    """The weekday's name ("Saturday", "sábado") in the reader's language."""
    lang = current_language()
    if lang == SOURCE:
        return f"{day:%A}"
    return str(format_date(day, "EEEE", locale=lang))


def _skip_days(
    errs: FieldErrors, days: list[date], skip: Sequence[date], first: date, until: date
) -> list[date]:
    """The series' dates without the skipped ones; a skipped date that is not one of them (another
    weekday, or outside the series) is refused on `skip_dates`, naming it."""
    wanted = set(skip)
    series = set(days)
    for day in sorted(wanted - series):
        if not first <= day <= until:
            errs.add(
                "skip_dates",
                _(
                    "%(day)s is outside the series (%(first)s to %(until)s).",
                    day=_weekday_date(day),
                    first=_short_date(first),
                    until=_short_date(until),
                ),
            )
        else:
            errs.add(
                "skip_dates",
                _(
                    "%(day)s is not a date of the series: its shifts are on %(weekday)ss.",
                    day=_weekday_date(day),
                    weekday=_weekday(first),
                ),
            )
    kept = [d for d in days if d not in wanted]
    if days and not kept and not errs.errors:
        errs.add("skip_dates", _("Every date of the series is skipped: keep at least one."))
    return kept
