"""The reminder sweep: one reminder per confirmed sign-up inside the window, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from coprod.jobs.reminders import send_reminders
from coprod.models import NotificationKind, OutboxMessage, SignupStatus, TaskStatus
from coprod.services import notifications
from tests.factories import ShiftWorld, make_signup


def reminders(session):
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.REMINDER)
        )
    )


def world_at(session, now, hours):
    return ShiftWorld(session, capacity=3, starts_at=now + timedelta(hours=hours))


def test_a_confirmed_sign_up_starting_within_the_window_gets_one_reminder(session, now):
    world = world_at(session, now, 20)
    make_signup(session, world.shift, world.volunteer)
    assert send_reminders(session, now=now, hours_before=24) == 1
    assert send_reminders(session, now=now + timedelta(minutes=10), hours_before=24) == 0
    [msg] = reminders(session)
    assert msg.user_id == world.volunteer.id
    assert msg.subject.startswith(f"Reminder: “{world.task.title}”")
    assert f"/tasks/{world.task.id}" in msg.body_text


def test_shifts_beyond_the_window_or_already_started_get_no_reminder(session, now):
    for hours in (30, -1):
        world = world_at(session, now, hours)
        make_signup(session, world.shift, world.volunteer)
    assert send_reminders(session, now=now, hours_before=24) == 0


def test_the_window_is_configurable(session, now):
    world = world_at(session, now, 30)
    make_signup(session, world.shift, world.volunteer)
    assert send_reminders(session, now=now, hours_before=48) == 1


def test_the_window_defaults_to_24_hours(session, now):
    for hours in (23, 25):
        world = world_at(session, now, hours)
        make_signup(session, world.shift, world.volunteer)
    assert send_reminders(session, now=now) == 1


def test_waitlisted_cancelled_and_cancelled_task_sign_ups_get_no_reminder(session, now):
    world = world_at(session, now, 5)
    make_signup(session, world.shift, world.volunteer, status=SignupStatus.WAITLISTED)
    make_signup(session, world.shift, world.other_volunteer, status=SignupStatus.CANCELLED)
    gone = ShiftWorld(session, starts_at=now + timedelta(hours=5), status=TaskStatus.CANCELLED)
    make_signup(session, gone.shift, gone.volunteer)
    assert send_reminders(session, now=now, hours_before=24) == 0


def test_a_shift_moved_to_a_new_time_gets_a_new_reminder(session, now):
    world = world_at(session, now, 10)
    make_signup(session, world.shift, world.volunteer)
    send_reminders(session, now=now, hours_before=24)
    world.shift.starts_at += timedelta(hours=2)
    world.shift.ends_at += timedelta(hours=2)
    session.flush()
    assert send_reminders(session, now=now, hours_before=24) == 1


def test_a_person_who_turned_reminders_off_gets_none(session, now):
    world = world_at(session, now, 10)
    make_signup(session, world.shift, world.volunteer)
    notifications.set_preferences(session, world.volunteer, {"reminder": False}, now=now)
    assert send_reminders(session, now=now, hours_before=24) == 0
    assert reminders(session) == []
