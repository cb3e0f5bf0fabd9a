"""The task list's figures kept on the task row (coprod.services.task_figures): every door that
moves them keeps them, in its own transaction, and time passing is caught up by the list and
the job."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from coprod.jobs.task_figures import refresh_started
from coprod.models import Role, SignupStatus, Task, TaskStatus
from coprod.services import account_deletion, shift_changes, shifts, signups, tasks
from tests.conftest import NOW
from tests.factories import ShiftWorld, make_member, make_shift, make_signup, make_task, make_user

DAY = timedelta(days=1)


def kept(session: Session, task: Task) -> tuple[datetime | None, int, int]:
    """The figures as the task's row holds them (read again from the database)."""
    session.flush()
    session.refresh(task)
    return task.next_shift_starts_at, task.upcoming_shifts, task.free_places


def listed(session: Session, task: Task, now: datetime) -> tuple[datetime | None, int, int]:
    """The figures as the task list shows them at `now`."""
    window = tasks.list_tasks(session, None, status=task.status, per_page=100, now=now)
    row = next(s for s in window.items if s.task.id == task.id)
    return row.next_starts_at, row.upcoming_shifts, row.free_places


@pytest.fixture
def w(session: Session) -> ShiftWorld:
    world = ShiftWorld(session, capacity=2, starts_at=NOW + 3 * DAY)
    shifts.update_shift(  # through a service once, so the row is kept as of NOW
        session,
        world.lead_staff,
        world.shift,
        starts_at=world.shift.starts_at,
        ends_at=world.shift.ends_at,
        capacity=2,
        now=NOW,
    )
    return world


def test_adding_a_shift_sooner_and_a_weekly_series_move_next_start_count_and_places(
    session, w
) -> None:
    soon = NOW + DAY
    shifts.add_shift(
        session, w.lead_staff, w.task, starts_at=soon, ends_at=soon + DAY / 8, capacity=4, now=NOW
    )
    assert kept(session, w.task) == (soon, 2, 6)
    first = NOW + 10 * DAY
    shifts.add_weekly_shifts(
        session,
        w.lead_staff,
        w.task,
        first_starts_at=first,
        duration=timedelta(hours=2),
        until=(first + 14 * DAY).date(),
        capacity=3,
        now=NOW,
    )
    assert kept(session, w.task) == (soon, 5, 15)


def test_editing_moving_cancelling_and_deleting_a_shift_keep_the_figures(session, w) -> None:
    later = NOW + 5 * DAY
    other = shifts.add_shift(
        session, w.lead_staff, w.task, starts_at=later, ends_at=later + DAY / 8, capacity=1, now=NOW
    )
    shifts.update_shift(  # more places, moved sooner than the first
        session,
        w.lead_staff,
        other,
        starts_at=NOW + DAY,
        ends_at=NOW + DAY + DAY / 8,
        capacity=5,
        now=NOW,
    )
    assert kept(session, w.task) == (NOW + DAY, 2, 7)
    shift_changes.cancel_shift(session, w.lead_staff, other, reason="Rain", now=NOW)
    assert kept(session, w.task) == (w.shift.starts_at, 1, 2)
    lone = shifts.add_shift(
        session, w.lead_staff, w.task, starts_at=later, ends_at=later + DAY / 8, capacity=3, now=NOW
    )
    assert kept(session, w.task)[1:] == (2, 5)
    shifts.delete_shift(session, w.lead_staff, lone, now=NOW)
    assert kept(session, w.task) == (w.shift.starts_at, 1, 2)
    shift_changes.move_shifts(session, w.lead_staff, w.task, weeks=1, now=NOW)
    assert kept(session, w.task) == (w.shift.starts_at, 1, 2)
    assert w.shift.starts_at == NOW + 10 * DAY


def test_copying_shifts_keeps_the_target_tasks_figures(session, w) -> None:
    target = make_task(session, w.programme)
    shift_changes.copy_shifts(
        session, w.lead_staff, w.task, target_task_id=target.id, shift_ids=None, weeks=1, now=NOW
    )
    assert kept(session, target) == (NOW + 10 * DAY, 1, 2)


def test_signing_up_waitlisting_cancelling_and_promoting_keep_the_free_places(session, w) -> None:
    a, b, c = make_user(session), make_user(session), make_user(session)
    first = signups.sign_up(session, a, w.shift, NOW)
    assert kept(session, w.task)[2] == 1
    member = make_member(session, w.nonprofit, Role.MEMBER)
    signups.assign(session, w.coordinator, w.shift, member, NOW)
    assert kept(session, w.task)[2] == 0
    waiting = signups.sign_up(session, b, w.shift, NOW)
    assert waiting.status == SignupStatus.WAITLISTED and kept(session, w.task)[2] == 0
    signups.cancel(session, a, first, NOW)  # the waitlisted person is promoted: still full
    assert kept(session, w.task)[2] == 0
    third = signups.sign_up(session, c, w.shift, NOW)  # waitlisted
    signups.cancel(session, b, waiting, NOW)  # c promoted
    assert kept(session, w.task)[2] == 0
    signups.cancel(session, c, third, NOW)
    assert kept(session, w.task)[2] == 1


def test_attendance_leaves_the_figures_as_they_are(session, w) -> None:
    started = make_shift(session, w.task, starts_at=NOW - DAY / 4, capacity=3)
    signup = make_signup(session, started, make_user(session))
    before = listed(session, w.task, NOW)
    signups.mark_attendance(session, w.lead_staff, signup, True, NOW)
    assert listed(session, w.task, NOW) == before == (w.shift.starts_at, 1, 2)


def test_cancelling_the_task_gives_its_seats_back_and_the_row_says_so(session, w) -> None:
    make_signup(session, w.shift, make_user(session))
    tasks.transition_task(session, w.lead_staff, w.task, TaskStatus.CLOSED, now=NOW)
    assert kept(session, w.task)[2] == 1
    tasks.transition_task(session, w.lead_staff, w.task, TaskStatus.CANCELLED, now=NOW)
    assert kept(session, w.task) == (w.shift.starts_at, 1, 2)


def test_deleting_an_account_gives_its_future_places_back_on_every_task(session, w) -> None:
    other = make_task(session, w.programme)
    second = make_shift(session, other, starts_at=NOW + 4 * DAY, capacity=1)
    signups.sign_up(session, w.volunteer, w.shift, NOW)
    signups.sign_up(session, w.volunteer, second, NOW)
    assert (kept(session, w.task)[2], kept(session, other)[2]) == (1, 0)
    account_deletion.anonymise(session, None, w.volunteer, now=NOW, action="test")
    assert (kept(session, w.task)[2], kept(session, other)[2]) == (2, 1)


def test_a_shift_that_starts_is_no_longer_next_in_the_list_nor_after_the_job(session, w) -> None:
    later = shifts.add_shift(
        session,
        w.lead_staff,
        w.task,
        starts_at=NOW + 6 * DAY,
        ends_at=NOW + 6 * DAY + DAY / 8,
        capacity=4,
        now=NOW,
    )
    after_first = w.shift.starts_at + timedelta(minutes=1)
    # The row still says the first shift (stale); the list reads it afresh all the same.
    assert kept(session, w.task) == (w.shift.starts_at, 2, 6)
    assert listed(session, w.task, after_first) == (later.starts_at, 1, 4)
    assert refresh_started(session, now=after_first) >= 1
    assert kept(session, w.task) == (later.starts_at, 1, 4)
    assert refresh_started(session, now=after_first) == 0  # nothing stale: changes nothing
    after_last = later.starts_at + timedelta(minutes=1)
    assert listed(session, w.task, after_last) == (None, 0, 0)
    refresh_started(session, now=after_last)
    assert kept(session, w.task) == (None, 0, 0)


def test_a_stale_row_takes_its_true_place_in_the_list_order(session, w) -> None:
    soon = make_task(session, w.programme, title="Soon")
    shifts.add_shift(
        session,
        w.lead_staff,
        soon,
        starts_at=NOW + 4 * DAY,
        ends_at=NOW + 4 * DAY + DAY / 8,
        capacity=1,
        now=NOW,
    )
    shifts.add_shift(
        session,
        w.lead_staff,
        w.task,
        starts_at=NOW + 8 * DAY,
        ends_at=NOW + 8 * DAY + DAY / 8,
        capacity=1,
        now=NOW,
    )
    after_first = w.shift.starts_at + timedelta(minutes=1)  # w.task's next is now day 8
    window = tasks.list_tasks(session, None, per_page=100, now=after_first)
    order = [s.task.id for s in window.items]
    assert order.index(soon.id) < order.index(w.task.id)
