"""Deleting an account while the same person books a shift (PostgreSQL, real concurrency).

Guards: account_deletion.anonymise locks the person's row before it looks for their places,
and booking.lock_person re-reads deleted_at under the person's lock. Without them, a booking
that committed just after the deletion had listed the person's places (or that waited for
the person's lock and went on) left a deleted account holding a seat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.errors import Conflict, Invalid, NotAllowed
from coprod.models import Shift, Signup, SignupStatus, User
from coprod.services import account_deletion, signups
from tests.factories import PASSWORD, ShiftWorld
from tests.services.racing import ROUNDS, Job, load_user, race

pytestmark = pytest.mark.postgres


def _world(engine: Any, now: Any) -> dict[str, int]:
    with Session(bind=engine, expire_on_commit=False) as setup:
        w = ShiftWorld(setup, capacity=3, starts_at=now + timedelta(days=2))
        setup.commit()
        return {"person": w.volunteer.id, "shift": w.shift.id}


def delete_job(user_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        person = load_user(s, user_id)
        assert account_deletion.verify_password(person.password_hash, PASSWORD)
        # The password was checked (an Argon2 hash takes long enough to hide the race): the
        # deletion itself races the booking.
        return lambda: account_deletion.anonymise(s, person, person, now=now, action="user.deleted")

    return job


def book_job(user_id: int, shift_id: int, now: Any) -> Job:
    def job(s: Session) -> Callable[[], Any]:
        person = load_user(s, user_id)
        shift = signups.get_shift(s, person, shift_id)
        return lambda: signups.sign_up(s, person, shift, now).status

    return job


def test_a_booking_racing_the_deletion_of_its_account_leaves_no_seat(committed_engine, now) -> None:
    for _ in range(ROUNDS * 2):
        w = _world(committed_engine, now)

        jobs = [delete_job(w["person"], now), book_job(w["person"], w["shift"], now)]
        race(committed_engine, jobs, refused=(Conflict, Invalid, NotAllowed))
        with Session(bind=committed_engine) as s:
            person = s.get(User, w["person"])
            assert person is not None and person.deleted_at is not None
            held = s.scalars(
                select(Signup).where(
                    Signup.user_id == person.id,
                    Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
                )
            ).all()
            shift = s.get(Shift, w["shift"])
            assert held == [], "a deleted account still holds a place"
            assert shift is not None and shift.confirmed == 0
