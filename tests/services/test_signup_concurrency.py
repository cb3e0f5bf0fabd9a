"""Real concurrency: many connections racing for the seats of one shift.

Each thread has its own Session (its own connection) on a database whose transactions really
commit. Threads load what they need, end that read transaction (so no lock is held while they
wait), meet at a Barrier and then all call the service at once and commit. Nothing is retried:
any exception reaching a thread fails the test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, joinedload

from coprod.errors import Conflict
from coprod.models import SEATED, NotificationKind, OutboxMessage, Shift, Signup, SignupStatus, Task
from coprod.services import signups
from tests.factories import (
    ShiftWorld,
    make_award,
    make_qualification,
    make_shift,
    make_signup,
    make_user,
)
from tests.services.racing import load_shift, load_user, race

SEATS = 5
RACERS = 40


def _sign_up_job(user_id: int, shift_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], SignupStatus]:
        user, shift = load_user(s, user_id), load_shift(s, shift_id)
        return lambda: signups.sign_up(s, user, shift, now).status

    return job


def _cancel_job(signup_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], SignupStatus]:
        signup = s.get(
            Signup,
            signup_id,
            options=[joinedload(Signup.shift).joinedload(Shift.task).joinedload(Task.programme)],
        )
        assert signup is not None
        actor = load_user(s, signup.user_id)
        return lambda: signups.cancel(s, actor, signup, now).status

    return job


def _statuses(engine: Engine, shift_id: int) -> tuple[int, Counter[SignupStatus]]:
    with Session(bind=engine) as s:
        shift = s.get(Shift, shift_id)
        assert shift is not None
        rows = s.execute(
            select(Signup.status, func.count())
            .where(Signup.shift_id == shift_id)
            .group_by(Signup.status)
        ).all()
        return shift.confirmed, Counter({status: n for status, n in rows})


def _race_for_seats(committed_engine: Engine, now: Any) -> None:
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=SEATS)
        racers = [make_user(setup).id for _ in range(RACERS)]
        shift_id = world.shift.id
        setup.commit()

    results = race(
        committed_engine, [_sign_up_job(uid, shift_id, now) for uid in racers], refused=()
    )

    assert Counter(results) == {
        SignupStatus.CONFIRMED: SEATS,
        SignupStatus.WAITLISTED: RACERS - SEATS,
    }
    confirmed, by_status = _statuses(committed_engine, shift_id)
    assert confirmed == SEATS
    assert by_status == {SignupStatus.CONFIRMED: SEATS, SignupStatus.WAITLISTED: RACERS - SEATS}


def test_forty_simultaneous_sign_ups_fill_five_places_and_waitlist_the_rest(
    committed_engine, now
) -> None:
    _race_for_seats(committed_engine, now)


@pytest.mark.postgres
def test_forty_simultaneous_sign_ups_never_overbook_on_postgresql(committed_engine, now) -> None:
    assert committed_engine.dialect.name == "postgresql"
    _race_for_seats(committed_engine, now)


def test_concurrent_cancellations_and_sign_ups_never_exceed_capacity(committed_engine, now) -> None:
    earlier = now - timedelta(hours=1)
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=SEATS)
        shift = world.shift
        seated = [
            make_signup(setup, shift, make_user(setup), queued_at=earlier) for _ in range(SEATS)
        ]
        waiting = [
            make_signup(
                setup, shift, make_user(setup), status=SignupStatus.WAITLISTED, queued_at=earlier
            )
            for _ in range(2)
        ]
        newcomers = [make_user(setup).id for _ in range(25)]
        shift_id, seated_ids, waiting_ids = (
            shift.id,
            [s.id for s in seated],
            [s.id for s in waiting],
        )
        setup.commit()

    jobs = [_cancel_job(sid, now) for sid in seated_ids]
    jobs += [_sign_up_job(uid, shift_id, now) for uid in newcomers]
    results = race(committed_engine, jobs, refused=())

    assert results[:SEATS] == [SignupStatus.CANCELLED] * SEATS
    confirmed, by_status = _statuses(committed_engine, shift_id)
    seated_now = sum(by_status[s] for s in SEATED)
    # Every seat freed was filled again (27 people wanted 5 places), never more.
    assert confirmed == seated_now == SEATS
    assert by_status[SignupStatus.CANCELLED] == SEATS
    assert by_status[SignupStatus.WAITLISTED] == 2 + 25 - SEATS
    with Session(bind=committed_engine) as s:
        # The two who were waiting before the race were first in the queue: both got a place.
        promoted = s.scalars(select(Signup.status).where(Signup.id.in_(waiting_ids))).all()
        assert promoted == [SignupStatus.CONFIRMED] * 2


def test_the_same_person_signing_up_twice_at_once_gets_one_place(committed_engine, now) -> None:
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=SEATS)
        user_id, shift_id = world.volunteer.id, world.shift.id
        setup.commit()

    def attempt(s: Session) -> Callable[[], str]:
        user, shift = load_user(s, user_id), load_shift(s, shift_id)

        def call() -> str:
            try:
                return signups.sign_up(s, user, shift, now).status
            except Conflict as err:  # the refusal a user sees, not a crash
                s.rollback()
                return err.message

        return call

    results = race(committed_engine, [attempt] * 8, refused=())
    assert results.count(SignupStatus.CONFIRMED) == 1
    assert results.count(signups.DUPLICATE) == 7
    confirmed, by_status = _statuses(committed_engine, shift_id)
    assert confirmed == 1
    assert by_status == {SignupStatus.CONFIRMED: 1}


def test_one_person_racing_for_overlapping_shifts_gets_only_one(committed_engine, now) -> None:
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=SEATS)
        starts = world.shift.starts_at + timedelta(hours=1)
        shift_ids = [world.shift.id] + [
            make_shift(setup, world.task, starts_at=starts).id for _ in range(5)
        ]
        user_id = world.volunteer.id
        setup.commit()

    def attempt(shift_id: int) -> Callable[[Session], Any]:
        def job(s: Session) -> Callable[[], str]:
            user, shift = load_user(s, user_id), load_shift(s, shift_id)

            def call() -> str:
                try:
                    return signups.sign_up(s, user, shift, now).status
                except Conflict as err:
                    s.rollback()
                    return err.message

            return call

        return job

    results = race(committed_engine, [attempt(sid) for sid in shift_ids], refused=())
    assert results.count(SignupStatus.CONFIRMED) == 1
    assert all("which overlaps this shift" in r for r in results if r != SignupStatus.CONFIRMED)
    with Session(bind=committed_engine) as s:
        held = s.scalar(select(func.count()).select_from(Signup).where(Signup.user_id == user_id))
        assert held == 1


def test_cancellations_racing_promotions_skip_who_lacks_the_qualification(
    committed_engine, now
) -> None:
    """Seated people cancel at once while the waitlist alternates between people who hold the
    task's qualification and people who do not (and more sign up): every freed seat goes to a
    holder, nobody lacking it is ever confirmed, and the seat count matches the seated rows."""
    earlier = now - timedelta(hours=1)
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=SEATS)
        shift = world.shift
        hygiene = make_qualification(setup, world.nonprofit, required_by=world.task)

        def holder() -> Any:
            person = make_user(setup)
            make_award(setup, person, hygiene)
            return person

        seated = [make_signup(setup, shift, holder(), queued_at=earlier) for _ in range(SEATS)]
        lacking, waiting_holders = [], []
        for i in range(8):  # lacking, holder, lacking, holder, ... in queue order
            person = make_user(setup) if i % 2 == 0 else holder()
            place = make_signup(
                setup,
                shift,
                person,
                status=SignupStatus.WAITLISTED,
                queued_at=earlier + timedelta(minutes=i),
            )
            (lacking if i % 2 == 0 else waiting_holders).append(place)
        newcomers = [holder().id for _ in range(6)]
        shift_id = shift.id
        seated_ids = [s.id for s in seated]
        lacking_ids = [s.id for s in lacking]
        lacking_users = [s.user_id for s in lacking]
        holder_ids = [s.id for s in waiting_holders]
        setup.commit()

    jobs = [_cancel_job(sid, now) for sid in seated_ids]
    jobs += [_cancel_job(holder_ids[0], now)]  # a holder waiting gives up meanwhile
    jobs += [_sign_up_job(uid, shift_id, now) for uid in newcomers]
    results = race(committed_engine, jobs, refused=())

    assert results[: SEATS + 1] == [SignupStatus.CANCELLED] * (SEATS + 1)
    confirmed, by_status = _statuses(committed_engine, shift_id)
    seated_now = sum(by_status[s] for s in SEATED)
    assert confirmed == seated_now == SEATS  # 3 holders waiting + 6 newcomers for 5 seats
    with Session(bind=committed_engine) as s:
        statuses = s.scalars(select(Signup.status).where(Signup.id.in_(lacking_ids))).all()
        assert statuses == [SignupStatus.WAITLISTED] * len(lacking_ids)
        # The holders waiting before the race were ahead of every newcomer: all promoted.
        promoted = s.scalars(select(Signup.status).where(Signup.id.in_(holder_ids[1:]))).all()
        assert promoted == [SignupStatus.CONFIRMED] * len(holder_ids[1:])
        emails = s.execute(
            select(OutboxMessage.user_id, func.count())
            .where(OutboxMessage.kind == NotificationKind.WAITLIST_SKIPPED)
            .group_by(OutboxMessage.user_id)
        ).all()
        # Each one skipped is told once, however many seats passed them by.
        assert dict(emails) == dict.fromkeys(lacking_users, 1)
