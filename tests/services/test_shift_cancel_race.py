"""Cancelling a shift while someone signs up for it, on PostgreSQL: no live sign-up may be left
on a cancelled shift.

Guard: booking.book re-checks `shift.is_cancelled` after `lock_shifts` (which re-reads
`cancelled_at` under the shift's row lock). Without that second check the booker, who loaded
the shift while it was live and then waited for the canceller's lock, inserts a confirmed
sign-up on the cancelled shift (and takes a seat on it): the first test below then fails with
the booker's result "confirmed" and one confirmed row on the cancelled shift.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from coprod.errors import Conflict
from coprod.models import Signup, SignupStatus
from coprod.services import shift_changes, signups
from tests.factories import ShiftWorld, make_signup, make_user
from tests.services.racing import load_shift, load_user

pytestmark = pytest.mark.postgres
ROUNDS = 8


def _world(engine: Engine) -> dict[str, int]:
    with Session(bind=engine, expire_on_commit=False) as setup:
        w = ShiftWorld(setup, capacity=3)
        make_signup(setup, w.shift, w.volunteer)
        world = {"shift": w.shift.id, "staff": w.lead_staff.id, "newcomer": make_user(setup).id}
        setup.commit()
        return world


def _state(engine: Engine, shift_id: int) -> tuple[bool, int, Counter[SignupStatus]]:
    with Session(bind=engine) as s:
        shift = load_shift(s, shift_id)
        rows = s.execute(
            select(Signup.status, func.count())
            .where(Signup.shift_id == shift_id)
            .group_by(Signup.status)
        ).all()
        return shift.is_cancelled, shift.confirmed, Counter(dict(rows))


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
        )


def _sign_up(
    engine: Engine,
    user_id: int,
    shift_id: int,
    now: Any,
    loaded: threading.Event,
    go: threading.Event,
) -> str:
    with Session(bind=engine, expire_on_commit=False) as s:
        user = load_user(s, user_id)
        shift = signups.get_shift(s, user, shift_id)
        assert not shift.is_cancelled  # the booker saw a live shift
        s.commit()  # end the read; hold nothing
        loaded.set()
        go.wait(30)
        try:
            status = signups.sign_up(s, user, shift, now).status.value
            s.commit()
            return status
        except Conflict as err:
            s.rollback()
            return f"refused: {err.message}"


def test_a_sign_up_waiting_for_the_cancelling_lock_is_refused(committed_engine, now) -> None:
    """The canceller holds the shift's lock (cancelled, not yet committed); the booker, who
    loaded the shift while it was live, blocks on the lock; the canceller commits; the booker
    must then be refused, leaving no live sign-up on the cancelled shift."""
    w = _world(committed_engine)
    loaded, go = threading.Event(), threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        booking = pool.submit(
            _sign_up, committed_engine, w["newcomer"], w["shift"], now, loaded, go
        )
        assert loaded.wait(30)
        with Session(bind=committed_engine, expire_on_commit=False) as canceller:
            staff, shift = load_user(canceller, w["staff"]), load_shift(canceller, w["shift"])
            shift_changes.cancel_shift(canceller, staff, shift, reason="Storm", now=now)
            go.set()
            deadline = time.monotonic() + 20
            while not _waiting_for_a_lock(committed_engine):
                assert time.monotonic() < deadline, "the booker never waited for the lock"
                time.sleep(0.02)
            canceller.commit()
        result = booking.result(timeout=60)
    assert result.startswith("refused: This shift was cancelled (Storm)"), result
    cancelled, confirmed, by_status = _state(committed_engine, w["shift"])
    assert cancelled and confirmed == 0
    assert by_status == Counter({SignupStatus.SHIFT_CANCELLED: 1}), by_status


def test_cancelling_and_signing_up_at_once_never_leave_a_live_sign_up(
    committed_engine, now
) -> None:
    """Released together, several rounds: whichever takes the shift's lock first, the shift
    ends cancelled with every sign-up ended and no seat counted (a sign-up that got in first
    is ended by the cancel, one that came second is refused)."""
    for _ in range(ROUNDS):
        w = _world(committed_engine)
        barrier = threading.Barrier(2, timeout=60)

        def cancel(w: dict[str, int] = w, barrier: threading.Barrier = barrier) -> str:
            with Session(bind=committed_engine, expire_on_commit=False) as s:
                staff, shift = load_user(s, w["staff"]), load_shift(s, w["shift"])
                s.commit()
                barrier.wait()
                shift_changes.cancel_shift(s, staff, shift, now=now)
                s.commit()
                return "cancelled"

        def book(w: dict[str, int] = w, barrier: threading.Barrier = barrier) -> str:
            with Session(bind=committed_engine, expire_on_commit=False) as s:
                user = load_user(s, w["newcomer"])
                shift = signups.get_shift(s, user, w["shift"])
                s.commit()
                barrier.wait()
                try:
                    status = signups.sign_up(s, user, shift, now).status.value
                    s.commit()
                    return status
                except Conflict:
                    s.rollback()
                    return "refused"

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [f.result(timeout=120) for f in [pool.submit(cancel), pool.submit(book)]]
        assert results[0] == "cancelled"
        cancelled, confirmed, by_status = _state(committed_engine, w["shift"])
        assert cancelled and confirmed == 0, (confirmed, by_status)
        live = {SignupStatus.CONFIRMED, SignupStatus.WAITLISTED}
        assert not any(by_status[s] for s in live), by_status
