"""A shift has started from its start time on, and every rule agrees on that instant: sign-ups
close, attendance opens, hours can be logged, the shift moves to the past shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.errors import Conflict, Invalid
from coprod.models import SignupStatus
from coprod.services import shifts, signups
from coprod.services.contributions.rules import check_shift_held
from coprod.services.shift_state import has_started
from tests.factories import ShiftWorld, make_signup

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
