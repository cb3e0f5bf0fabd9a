"""The demo world's sign-ups: full and waitlisted shifts, a cancelled shift, and a shift
waiting for its attendance to be marked."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE, VOLUNTEER_NAMES
from coprod.models import (
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
)
from coprod.services import localtime


def make_signups(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
    volunteers = [p["volunteer"]] + [p[f"v{i}"] for i in range(len(VOLUNTEER_NAMES))]
    for t_index, task in enumerate(tasks):
        if task.status == TaskStatus.DRAFT:
            continue
        for s_index, shift in enumerate(task.shifts):
            past = shift.starts_at < now
            # The bread run's first upcoming shift is full, with two people waiting.
            wanted = shift.capacity + 2 if (t_index == 3 and not past) else shift.capacity - 1
            start = (t_index * 3 + s_index) % len(volunteers)
            chosen = [volunteers[(start + k) % len(volunteers)] for k in range(wanted)]
            for k, person in enumerate(chosen):
                if person is p["volunteer"] and not (t_index in (0, 5) and past):
                    continue
                seated = shift.confirmed < shift.capacity
                if past:
                    status = SignupStatus.NO_SHOW if k == 1 else SignupStatus.ATTENDED
                else:
                    status = SignupStatus.CONFIRMED if seated else SignupStatus.WAITLISTED
                if status != SignupStatus.WAITLISTED:
                    shift.confirmed += 1
                session.add(
                    Signup(
                        shift_id=shift.id,
                        user_id=person.id,
                        status=status,
                        queued_at=now - timedelta(days=20, minutes=-k),
                    )
                )
            if t_index == 3 and not past:
                break
    # Vera has one upcoming confirmed shift to see on "My schedule".
    kitchen = tasks[0].shifts[2]
    if (
        not any(
            s.user_id == p["volunteer"].id
            for s in session.new
            if isinstance(s, Signup) and s.shift_id == kitchen.id
        )
        and kitchen.confirmed < kitchen.capacity
    ):
        kitchen.confirmed += 1
        session.add(
            Signup(
                shift_id=kitchen.id,
                user_id=p["volunteer"].id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=1),
            )
        )
    # A kitchen shift inside the default 24-hour reminder window, so the scheduler queues
    # reminders for it as soon as `make run` starts: the first whole hour at least two hours
    # away that falls in the daytime (09:00-16:00 in the demo's zone), at most ~20 hours away.
    starts = (now + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    while not 9 <= starts.astimezone(ZoneInfo(DEMO_ZONE)).hour <= 16:
        starts += timedelta(hours=1)
    soon = Shift(
        task_id=tasks[0].id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=4,
        confirmed=3,
    )
    session.add(soon)
    session.flush()
    for k, person in enumerate((p["volunteer"], p["v10"], p["v11"])):
        session.add(
            Signup(
                shift_id=soon.id,
                user_id=person.id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(hours=2, minutes=-k),
            )
        )
    _waiting_for_attendance(session, tasks[0], p, now)
    session.flush()


def make_cancelled_shift(
    session: Session, tasks: list[Task], p: dict[str, User], now: datetime
) -> None:
    """The Northside delivery round of the week after next is called off (through the same
    service as the page): its volunteers, Vera among them, were told, their places ended, and
    the shift shows "Cancelled" with its reason on the task page, roster, My schedule and
    calendar feed."""
    from coprod.services.shift_changes import cancel_shift  # services import the models

    shift = tasks[1].shifts[3]
    session.flush()
    if shift.confirmed < shift.capacity:
        shift.confirmed += 1
        session.add(
            Signup(
                shift_id=shift.id,
                user_id=p["volunteer"].id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=3),
            )
        )
        session.flush()
    cancel_shift(
        session,
        p["staff"],
        shift,
        reason="The depot is closed for repairs that week.",
        now=now - timedelta(hours=1),
    )


def _waiting_for_attendance(
    session: Session, task: Task, p: dict[str, User], now: datetime
) -> None:
    """A kitchen shift yesterday afternoon whose four confirmed volunteers nobody has marked
    yet: the coordinator's roster offers "Mark all attended" for it."""
    day = now.astimezone(ZoneInfo(DEMO_ZONE)).date() - timedelta(days=1)
    starts = localtime.from_local(day, time(14, 0), ZoneInfo(DEMO_ZONE))
    people = (p["v12"], p["v13"], p["v14"], p["v15"])
    shift = Shift(
        task_id=task.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=6,
        confirmed=len(people),
    )
    session.add(shift)
    session.flush()
    for k, person in enumerate(people):
        session.add(
            Signup(
                shift_id=shift.id,
                user_id=person.id,
                status=SignupStatus.CONFIRMED,
                queued_at=now - timedelta(days=6, minutes=-k),
            )
        )
