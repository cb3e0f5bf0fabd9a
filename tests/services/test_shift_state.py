"""A shift has started from its start time on, and every rule agrees on that instant: sign-ups
close, attendance opens, hours can be logged, the shift moves to the past shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid
from coprod.models import Shift, SignupStatus
from coprod.services import shifts, signups
from coprod.services.contributions.rules import check_shift_held
from coprod.services.shift_state import has_started, longest_shift, not_over_shift
from tests.conftest import NOW
from tests.factories import ShiftWorld, make_shift, make_signup, make_task

JUST_BEFORE = timedelta(microseconds=-1)


@pytest.fixture
def w(session) -> ShiftWorld:
    return ShiftWorld(session)


def _listed(session, w: ShiftWorld, now, *, past: bool) -> bool:
    page = shifts.list_task_shifts(session, w.lead_staff, w.task, past=past, per_page=10, now=now)
    return w.shift in page.items


def test_just_before_its_start_nothing_treats_the_shift_as_started(session, w) -> None:
    now = w.shift.starts_at + JUST_BEFORE
    assert not has_started(w.shift, now)
    assert _listed(session, w, now, past=False) and not _listed(session, w, now, past=True)
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="once the shift has started"):
        signups.mark_attendance(session, w.coordinator, signup, True, now)
    with pytest.raises(Invalid, match="not started yet"):
        check_shift_held(session, w.volunteer.id, w.shift, now)


def test_at_its_start_time_every_rule_treats_the_shift_as_started(session, w) -> None:
    now = w.shift.starts_at
    held = make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.CONFIRMED)
    assert has_started(w.shift, now)
    assert _listed(session, w, now, past=True) and not _listed(session, w, now, past=False)
    with pytest.raises(Conflict, match="already started"):
        signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="already started"):
        signups.cancel(session, w.other_volunteer, held, now)
    marked = signups.mark_attendance(session, w.coordinator, held, True, now)
    assert marked.status == SignupStatus.ATTENDED
    check_shift_held(session, w.other_volunteer.id, w.shift, now)  # no error: it may be logged


def _not_over(session, now) -> set[int]:
    return set(session.scalars(select(Shift.id).where(not_over_shift(session, now))))


def test_a_shift_is_not_over_until_its_end_however_long_ago_it_started(session) -> None:
    """The bound on the start (the longest shift) keeps every shift under way, the longest one
    itself included, and leaves out those that have ended."""
    task = make_task(session)
    now = NOW
    week_long = make_shift(session, task, starts_at=now - timedelta(days=6), hours=7 * 24)
    short_under_way = make_shift(session, task, starts_at=now - timedelta(hours=1), hours=2)
    to_come = make_shift(session, task, starts_at=now + timedelta(days=30))
    make_shift(session, task, starts_at=now - timedelta(days=9), hours=3)  # over
    ends_now = make_shift(session, task, starts_at=now - timedelta(hours=3), hours=3)

    assert longest_shift(session) == timedelta(days=7)
    assert _not_over(session, now) == {week_long.id, short_under_way.id, to_come.id}
    # At the last instant of the longest shift it is still under way; at its end it is over.
    last = week_long.ends_at - timedelta(microseconds=1)
    assert week_long.id in _not_over(session, last)
    assert week_long.id not in _not_over(session, week_long.ends_at)
    assert ends_now.id not in _not_over(session, now)


def test_without_shifts_none_is_under_way(session) -> None:
    assert longest_shift(session) is None
    assert _not_over(session, NOW) == set()


def test_a_shift_as_long_as_the_calendar_leaves_the_start_unbounded(session) -> None:
    """The longest shift may reach back past the calendar's first day from now (the API's
    fuzzing made one): the start then has no lower bound, and nothing overflows."""
    task = make_task(session)
    endless = make_shift(
        session,
        task,
        starts_at=datetime(1, 1, 2, tzinfo=UTC),
        ends_at=datetime(9999, 12, 30, tzinfo=UTC),
    )
    assert _not_over(session, NOW) == {endless.id}
