"""Races on PostgreSQL, one connection per racer: every rule that decides on a row another
transaction may be changing at the same moment, each with the guard that makes it hold.

Each racer loads what it needs, ends that read transaction, waits at a barrier and then calls
the service at once with the others and commits. A refusal (Conflict, Invalid) is what a user
would see, so it is returned as a `Refused`; any other exception, a deadlock included, fails
the test (nothing is retried here: the lock order alone must prevent deadlocks, the retry of
coprod.db is for what is left). Several rounds each, since one round may miss the window.

How each was seen to fail with its guard removed is in the closing note of issue 12 and in
the docstrings below (rerun with the guard edited out to see it again).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import (
    SEATED,
    AuditEntry,
    ContributionLog,
    LogStatus,
    OrgKind,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
)
from coprod.services import contributions, review, signups
from tests.factories import (
    ShiftWorld,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_signup,
    make_task,
    make_user,
)
from tests.services.racing import (
    ROUNDS,
    Job,
    Refused,
    load_log,
    load_signup,
    load_user,
    race,
)

pytestmark = pytest.mark.postgres


def cancel_job(actor_id: int, signup_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor, signup = load_user(s, actor_id), load_signup(s, signup_id)
        return lambda: signups.cancel(s, actor, signup, now).status

    return job


def sign_up_job(user_id: int, shift_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        shift = signups.get_shift(s, user, shift_id)
        return lambda: signups.sign_up(s, user, shift, now).status

    return job


def seats(engine: Engine, shift_id: int) -> tuple[int, int, Counter[SignupStatus]]:
    """The shift's counter, its capacity and its sign-ups by status, as committed."""
    with Session(bind=engine) as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        rows = s.execute(
            select(Signup.status, func.count())
            .where(Signup.shift_id == shift_id)
            .group_by(Signup.status)
        ).all()
        return shift.confirmed, shift.capacity, Counter(dict(rows))


def assert_counter_true(engine: Engine, shift_id: int) -> Counter[SignupStatus]:
    confirmed, capacity, by_status = seats(engine, shift_id)
    seated = sum(by_status[s] for s in SEATED)
    assert confirmed == seated, f"counter {confirmed}, seated rows {seated}: {by_status}"
    assert seated <= capacity, f"{seated} seated on {capacity} places"
    return by_status


# --- sign-ups ---------------------------------------------------------------------------------


def _one_place_world(engine: Engine, *, waiting: int = 1) -> dict[str, Any]:
    """Capacity 1: X confirmed, `waiting` people on the waitlist, a newcomer Z."""
    with Session(bind=engine, expire_on_commit=False) as setup:
        w = ShiftWorld(setup, capacity=1)
        earlier = w.shift.starts_at - timedelta(days=20)
        x = make_signup(setup, w.shift, w.volunteer, queued_at=earlier)
        ys = [
            make_signup(
                setup,
                w.shift,
                make_user(setup),
                status=SignupStatus.WAITLISTED,
                queued_at=earlier + timedelta(minutes=i + 1),
            )
            for i in range(waiting)
        ]
        world = {
            "shift": w.shift.id,
            "x": x.id,
            "x_user": w.volunteer.id,
            "ys": [y.id for y in ys],
            "coordinator": w.coordinator.id,
            "z": make_user(setup).id,
        }
        setup.commit()
        return world


def test_two_cancels_of_one_place_free_one_seat_and_the_second_is_409(
    committed_engine, now
) -> None:
    """X and the coordinator cancel X's place at once: one succeeds, the other is told it is
    already cancelled; Y is promoted once and Z, coming later, is waitlisted.
    Guard: `_relock` in booking.cancel (re-read under the lock). Without it both cancels free
    a seat, and Z is confirmed beside Y on one place."""
    for _ in range(ROUNDS):
        w = _one_place_world(committed_engine)
        results = race(
            committed_engine,
            [
                cancel_job(w["x_user"], w["x"], now),
                cancel_job(w["coordinator"], w["x"], now),
            ],
        )
        assert sorted(map(str, results)) == sorted(
            [str(SignupStatus.CANCELLED), str(Refused("Conflict", str(signups.ALREADY_CANCELLED)))]
        )
        [late] = race(committed_engine, [sign_up_job(w["z"], w["shift"], now)])
        assert late == SignupStatus.WAITLISTED
        by_status = assert_counter_true(committed_engine, w["shift"])
        assert by_status == {
            SignupStatus.CONFIRMED: 1,  # Y
            SignupStatus.CANCELLED: 1,  # X
            SignupStatus.WAITLISTED: 1,  # Z
        }


def test_a_waitlisted_person_cancelling_while_promoted_leaves_no_phantom_seat(
    committed_engine, now
) -> None:
    """X cancels (promoting Y, first in line) while Y leaves the waitlist: whichever lands
    first, the counter equals the seated rows (and Y's place went to W if Y left first).
    Guard: `lock_shifts` + `_relock` in booking.cancel. Without the re-read, Y's cancel
    decides on "waitlisted" after being promoted and keeps the seat taken for nobody."""
    for _ in range(ROUNDS):
        w = _one_place_world(committed_engine, waiting=2)
        y, behind = w["ys"]
        y_user = _user_of(committed_engine, y)
        results = race(
            committed_engine,
            [cancel_job(w["x_user"], w["x"], now), cancel_job(y_user, y, now)],
        )
        assert results == [SignupStatus.CANCELLED, SignupStatus.CANCELLED]
        by_status = assert_counter_true(committed_engine, w["shift"])
        assert by_status == {SignupStatus.CANCELLED: 2, SignupStatus.CONFIRMED: 1}
        assert _status(committed_engine, behind) == SignupStatus.CONFIRMED


def test_a_coordinator_cancelling_while_the_volunteer_signs_up_again_does_not_deadlock(
    committed_engine, now
) -> None:
    """The coordinator cancels X's place while X signs up for the shift again: no error
    escapes (the lock order shift, sign-up, person), and the seats add up either way.
    Guard: the lock order in booking._book. With the old order (X's user row FOR UPDATE
    first, then the sign-up) PostgreSQL aborts one of the two as a deadlock."""
    outcomes: Counter[str] = Counter()
    for _ in range(ROUNDS):
        w = _one_place_world(committed_engine)
        cancelled, again = race(
            committed_engine,
            [
                cancel_job(w["coordinator"], w["x"], now),
                sign_up_job(w["x_user"], w["shift"], now),
            ],
        )
        assert cancelled == SignupStatus.CANCELLED
        # X's sign-up either came first (already signed up) or after (back, behind Y).
        assert again in (Refused("Conflict", str(signups.DUPLICATE)), SignupStatus.WAITLISTED)
        outcomes[str(again)] += 1
        by_status = assert_counter_true(committed_engine, w["shift"])
        assert by_status[SignupStatus.CONFIRMED] == 1
        assert _status(committed_engine, w["ys"][0]) == SignupStatus.CONFIRMED
    assert sum(outcomes.values()) == ROUNDS


def _user_of(engine: Engine, signup_id: int) -> int:
    with Session(bind=engine) as s:
        return s.get_one(Signup, signup_id).user_id


def _status(engine: Engine, signup_id: int) -> SignupStatus:
    with Session(bind=engine) as s:
        return s.get_one(Signup, signup_id).status


# --- contribution logs ------------------------------------------------------------------------


def _log_world(engine: Engine, *, status: LogStatus, hours: str = "3") -> dict[str, Any]:
    """A volunteer's log on an agency's programme, two reviewers of the agency."""
    with Session(bind=engine, expire_on_commit=False) as setup:
        agency = make_org(setup, OrgKind.AGENCY)
        task = make_task(setup, make_programme(setup, agency))
        volunteer = make_user(setup)
        log = make_log(setup, user=volunteer, task=task, status=status, hours=hours)
        world = {
            "log": log.id,
            "task": task.id,
            "volunteer": volunteer.id,
            "reviewers": [make_member(setup, agency, Role.REVIEWER).id for _ in range(2)],
        }
        setup.commit()
        return world


def _count(engine: Engine, stmt: Any) -> int:
    with Session(bind=engine) as s:
        return int(s.scalar(stmt) or 0)


def decide_job(reviewer_id: int, log_id: int, decision: str, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor, log = load_user(s, reviewer_id), load_log(s, log_id)
        return lambda: review.review(s, actor, log, decision, "Not for this task.", now=now).status

    return job


def correct_job(user_id: int, log_id: int, hours: str, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor, log = load_user(s, user_id), load_log(s, log_id)
        return lambda: (
            contributions.correct_log(s, actor, log, on=log.date, hours=Decimal(hours), now=now).id
        )

    return job


def submit_job(user_id: int, task_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        actor = load_user(s, user_id)
        task = s.get_one(Task, task_id, options=[joinedload(Task.programme)])
        return lambda: (
            contributions.submit_log(s, actor, task, on=now.date(), hours=Decimal("13"), now=now).id
        )

    return job


def test_two_reviewers_deciding_one_log_at_once_land_one_decision(committed_engine, now) -> None:
    """One reviewer approves while another rejects: exactly one decision lands, the other is
    told the log was already decided (409).
    Guard: `_lock` in review.approve/reject (refresh FOR NO KEY UPDATE). Without it both
    decisions are recorded, the later one overwriting the first."""
    for _ in range(ROUNDS):
        w = _log_world(committed_engine, status=LogStatus.SUBMITTED)

        first, second = w["reviewers"]
        results = race(
            committed_engine,
            [
                decide_job(first, w["log"], "approve", now),
                decide_job(second, w["log"], "reject", now),
            ],
        )
        landed = [r for r in results if not isinstance(r, Refused)]
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(landed) == 1 and len(refused) == 1, results
        assert refused[0].kind == "Conflict"
        decisions = _count(
            committed_engine,
            select(func.count()).where(
                AuditEntry.object_type == "ContributionLog",
                AuditEntry.object_id == w["log"],
                AuditEntry.action.in_(["log.approved", "log.rejected"]),
            ),
        )
        assert decisions == 1


def test_two_corrections_of_one_approved_log_at_once_make_one(committed_engine, now) -> None:
    """The contributor sends two corrections of one approved log at once (two tabs): one is
    kept, the other is told a correction is already waiting for review.
    Guard: `_lock_log(original)` in contributions.correct_log, before the "already pending"
    check. Without it both pass the check and two corrections wait."""
    for _ in range(ROUNDS):
        w = _log_world(committed_engine, status=LogStatus.APPROVED, hours="3")

        results = race(
            committed_engine,
            [correct_job(w["volunteer"], w["log"], hours, now) for hours in ("4", "5")],
        )
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(refused) == 1, results
        assert "already waiting for review" in refused[0].message
        pending = _count(
            committed_engine,
            select(func.count()).where(ContributionLog.corrects_id == w["log"]),
        )
        assert pending == 1


def test_two_logs_of_13_hours_for_one_day_at_once_keep_the_24_hour_rule(
    committed_engine, now
) -> None:
    """Two logs of 13 h for the same person and day, submitted at once: one is refused.
    Guard: `lock_person` in contributions.submit_log (the person's row, before the sum).
    Without it both sums read 0 h and 26 h are logged for one day."""
    for _ in range(ROUNDS):
        w = _log_world(committed_engine, status=LogStatus.REJECTED, hours="1")

        results = race(committed_engine, [submit_job(w["volunteer"], w["task"], now)] * 2)
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(refused) == 1, results
        assert refused[0].kind == "Invalid" and "at most 11 more hours" in refused[0].message
        with Session(bind=committed_engine) as s:
            total = s.scalar(
                select(func.sum(ContributionLog.hours)).where(
                    ContributionLog.user_id == w["volunteer"],
                    ContributionLog.status == LogStatus.SUBMITTED,
                )
            )
        assert total == Decimal("13")
