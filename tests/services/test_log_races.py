"""One log per person and shift under real concurrency (PostgreSQL): a coordinator marking the
volunteer attended while the volunteer logs the shift by hand, and two hand logs at once.

Guard: the person's row lock (`rules.lock_person`) taken before the "already logged?" check,
in `submit_log` and in `contributions.log_from_attendance`. With it removed from either, both
transactions read "no log yet" and both insert: two logs of one shift (seen failing so)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from coprod.models import ContributionLog, LogStatus, SignupStatus
from coprod.services import contributions, signups
from tests.conftest import NOW
from tests.factories import ShiftWorld, make_signup
from tests.services.racing import Job, Refused, load_signup, load_user, race

pytestmark = pytest.mark.postgres
ROUNDS = 8


def _world(engine: Engine) -> dict[str, Any]:
    with Session(bind=engine, expire_on_commit=False) as setup:
        w = ShiftWorld(setup, starts_at=NOW - timedelta(days=1))
        signup = make_signup(setup, w.shift, w.volunteer)
        world = {
            "signup": signup.id,
            "shift": w.shift.id,
            "volunteer": w.volunteer.id,
            "coordinator": w.coordinator.id,
        }
        setup.commit()
        return world


def attend_job(coordinator_id: int, signup_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor, signup = load_user(s, coordinator_id), load_signup(s, signup_id)
        return lambda: signups.mark_attendance(s, actor, signup, True, now).status

    return job


def log_job(user_id: int, signup_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor, signup = load_user(s, user_id), load_signup(s, signup_id)
        shift = signup.shift
        day = contributions.shift_day(shift)
        return lambda: (
            contributions.submit_log(
                s, actor, shift.task, on=day, hours=Decimal("2"), shift=shift, now=now
            ).status
        )

    return job


def _logs(engine: Engine, w: dict[str, Any]) -> int:
    with Session(bind=engine) as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    ContributionLog.user_id == w["volunteer"],
                    ContributionLog.shift_id == w["shift"],
                )
            )
            or 0
        )


def test_attendance_and_a_hand_log_at_once_make_one_log(committed_engine, now) -> None:
    for _ in range(ROUNDS):
        w = _world(committed_engine)
        results = race(
            committed_engine,
            [
                attend_job(w["coordinator"], w["signup"], now),
                log_job(w["volunteer"], w["signup"], now),
            ],
        )
        assert results[0] == SignupStatus.ATTENDED  # attendance stands either way
        assert results[1] == LogStatus.SUBMITTED or (
            isinstance(results[1], Refused) and "already logged" in results[1].message
        )
        assert _logs(committed_engine, w) == 1


def test_two_hand_logs_of_one_shift_at_once_make_one_log(committed_engine, now) -> None:
    for _ in range(ROUNDS):
        w = _world(committed_engine)
        results = race(
            committed_engine,
            [log_job(w["volunteer"], w["signup"], now) for _ in range(2)],
        )
        assert sorted(map(type, results), key=str) == sorted([LogStatus, Refused], key=str)
        assert _logs(committed_engine, w) == 1
