"""Shifts: the time slots of a task, each with a number of places (adding one or a weekly
series, moving, resizing, deleting), and reading them.

Times are stored as UTC instants; forms take them in the programme's local time
(coprod/services/localtime.py converts), and a weekly series keeps its local wall-clock time
when the clocks change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from babel.dates import format_date
from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, NotFound
from coprod.i18n import SOURCE, _, current_language, ngettext
from coprod.models import Shift, Signup, SignupStatus, Task, User
from coprod.services import audit, localtime, notifications
from coprod.services import task_figures as figures
from coprod.services.bounds import check_instant
from coprod.services.keyset import Key, Window, window
from coprod.services.shift_state import live_shift, not_started_shift, started_shift
from coprod.services.signups import fill_from_waitlist, holders_of_overlapping_shifts
from coprod.services.tasks import (
    FINISHED,
    get_task_to_manage,
    refuse_shifts_if_ongoing,
    status_word,
)

Actor = User | None

MAX_CAPACITY = 1000
MAX_WEEKLY_SHIFTS = 104
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


def add_shift(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
) -> Shift:
    """Add one future shift (ending after it starts, 1 to 1000 places) to a task."""
    policy.require(actor, "task.manage", task)
    _refuse_finished(task)
    errs = FieldErrors()
    _check_shift(errs, starts_at, ends_at, capacity, now)
    errs.raise_if_any()
    shift = Shift(starts_at=starts_at, ends_at=ends_at, capacity=capacity, confirmed=0)
    task.shifts.append(shift)
    session.flush()
    audit.record(session, actor, "shift.created", shift, after=audit.snapshot(shift, SHIFT_FIELDS))
    figures.refresh(session, [task.id], now)
    return shift


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


def update_shift(
    session: Session,
    actor: Actor,
    shift: Shift,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
) -> Shift:
    """Change a shift's times or places; never fewer places than already taken, never moved
    into the past."""
    policy.require(actor, "task.manage", shift.task)
    if shift.is_cancelled:
        raise Conflict(_("This shift is cancelled, so it cannot be changed."))
    errs = FieldErrors()
    _check_shift(errs, starts_at, ends_at, capacity, now, check_past=starts_at != shift.starts_at)
    errs.raise_if_any()
    if (starts_at, ends_at) != (shift.starts_at, shift.ends_at):
        _refuse_double_booking(session, shift, starts_at, ends_at)
    before = audit.snapshot(shift, SHIFT_FIELDS)
    old_times = {"old_starts_at": shift.starts_at, "old_ends_at": shift.ends_at}
    # One guarded statement, so a sign-up landing meanwhile cannot leave more seats taken
    # than places.
    changed = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.confirmed <= capacity, live_shift())
        .values(starts_at=starts_at, ends_at=ends_at, capacity=capacity),
        execution_options={"synchronize_session": False},
    )
    session.expire(shift)
    if cast(CursorResult[Any], changed).rowcount != 1:
        if shift.is_cancelled:  # cancelled meanwhile (re-read after the expire)
            raise Conflict(_("This shift is cancelled, so it cannot be changed."))
        raise Conflict(
            ngettext(
                "%(num)d place is already taken, so the shift needs at least %(num)d place.",
                "%(num)d places are already taken, so the shift needs at least %(num)d places.",
                shift.confirmed,
            )
        )
    audit.record(
        session,
        actor,
        "shift.updated",
        shift,
        before=before,
        after=audit.snapshot(shift, SHIFT_FIELDS),
    )
    notifications.shift_changed(session, shift, **old_times, now=now)
    if capacity > before["capacity"] and actor is not None:
        fill_from_waitlist(session, actor, shift, now)  # new places go to those waiting
    figures.refresh(session, [shift.task_id], now)
    return shift


def _refuse_double_booking(
    session: Session, shift: Shift, starts_at: datetime, ends_at: datetime
) -> None:
    """Nobody holds two overlapping shifts: not after a shift is moved either."""
    names = holders_of_overlapping_shifts(session, shift, starts_at, ends_at)
    if names:
        shown = ", ".join(names[:5])
        if len(names) > 5:
            shown = _("%(names)s and %(num)s more", names=shown, num=len(names) - 5)
        raise Conflict(
            ngettext(
                "At these times %(num)d person on this shift would hold two shifts at once "
                "(%(names)s): they are signed up for another shift then. Choose other times, "
                "or ask them to cancel one of the two first.",
                "At these times %(num)d people on this shift would hold two shifts at once "
                "(%(names)s): they are signed up for another shift then. Choose other times, "
                "or ask them to cancel one of the two first.",
                len(names),
                names=shown,
            )
        )


def deletion_blocker(session: Session, shift: Shift) -> str | None:
    """Why the shift cannot be deleted (people are or were on it: their record stays), or None
    when it can. The delete page asks this before it offers the button."""
    taken = session.scalar(
        select(func.count()).where(
            Signup.shift_id == shift.id, Signup.status != SignupStatus.CANCELLED
        )
    )
    if not taken:
        return None
    if shift.is_cancelled:
        return ngettext(
            "The shift is cancelled and %(num)d person is on its record, so it stays: "
            "nothing is deleted.",
            "The shift is cancelled and %(num)d people are on its record, so it stays: "
            "nothing is deleted.",
            taken,
        )
    return ngettext(
        "%(num)d person is signed up for this shift, so it cannot be deleted. Cancel the "
        "shift instead: they are told, and their sign-ups end.",
        "%(num)d people are signed up for this shift, so it cannot be deleted. Cancel the "
        "shift instead: they are told, and their sign-ups end.",
        taken,
    )


def delete_shift(session: Session, actor: Actor, shift: Shift, *, now: datetime) -> None:
    """Delete a shift nobody is signed up for (cancelled sign-ups go with it)."""
    task = shift.task
    policy.require(actor, "task.manage", task)
    blocker = deletion_blocker(session, shift)
    if blocker:
        raise Conflict(blocker)
    audit.record(session, actor, "shift.deleted", shift, before=audit.snapshot(shift, SHIFT_FIELDS))
    session.execute(delete(Signup).where(Signup.shift_id == shift.id))
    task.shifts.remove(shift)
    session.flush()
    figures.refresh(session, [task.id], now)


# --- reading ------------------------------------------------------------------------------


def get_shift_to_manage(session: Session, actor: Actor, task_id: int, shift_id: int) -> Shift:
    """A shift loaded through its task, if this person may manage the task."""
    task = get_task_to_manage(session, actor, task_id)
    shift = session.get(Shift, shift_id)
    if shift is None or shift.task_id != task.id:
        raise NotFound(_("No such shift."))
    return shift


# Soonest first (past ones: latest first), the id breaking ties; ix_shift_task_starts_id
# (task_id, starts_at, id) serves both directions.
UPCOMING_SHIFT_KEYS = (Key(Shift.starts_at.expression, datetime), Key(Shift.id.expression))
PAST_SHIFT_KEYS = (
    Key(Shift.starts_at.expression, datetime, descending=True),
    Key(Shift.id.expression, descending=True),
)


def list_task_shifts(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    past: bool,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    now: datetime,
) -> Window[Shift]:
    """A window of the task's shifts (policy.visible_shifts): those still to come (soonest
    first) or past ones (latest first), after (or before) a cursor."""
    policy.require(actor, "task.view", task)
    stmt = select(Shift).where(Shift.task_id == task.id, policy.visible_shifts(actor))
    stmt = stmt.where(started_shift(now) if past else not_started_shift(now))
    keys = PAST_SHIFT_KEYS if past else UPCOMING_SHIFT_KEYS
    return window(session, stmt, keys, after=after, before=before, per_page=per_page)


def waitlist_counts(session: Session, shift_ids: Sequence[int]) -> dict[int, int]:
    """How many people wait on each shift, in one grouped query."""
    if not shift_ids:
        return {}
    rows = session.execute(
        select(Signup.shift_id, func.count())
        .where(Signup.shift_id.in_(shift_ids), Signup.status == SignupStatus.WAITLISTED)
        .group_by(Signup.shift_id)
    )
    return {sid: n for sid, n in rows}
