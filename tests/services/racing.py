"""Real concurrency for the race tests: jobs in their own threads and sessions, released
together, on a database whose transactions really commit (the `committed_engine` fixture).

A job loads what it needs and returns the call to race; `race` ends that read transaction (so
no lock is held while the threads wait), meets the others at a barrier, then makes the call and
commits. A refusal the product answers with (Conflict, Invalid: a 409 or a 422) comes back as a
`Refused`; pass `refused=()` to let every exception fail the test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod.errors import Conflict, DomainError, Invalid
from coprod.models import ContributionLog, Shift, Signup, Task, User

ROUNDS = 8
Job = Callable[[Session], Callable[[], Any]]


@dataclass(frozen=True)
class Refused:
    kind: str
    message: str


def race(
    engine: Engine,
    jobs: list[Job],
    *,
    refused: tuple[type[DomainError], ...] = (Conflict, Invalid),
) -> list[Any]:
    """Run each job in its own thread and session, released together."""
    barrier = threading.Barrier(len(jobs), timeout=120)

    def run(job: Job) -> Any:
        with Session(bind=engine, expire_on_commit=False) as s:
            call = job(s)
            s.commit()  # hold no lock while waiting at the barrier
            barrier.wait()
            try:
                result = call()
                s.commit()
                return result
            except refused as err:
                s.rollback()
                return Refused(type(err).__name__, str(err.message))

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [f.result(timeout=180) for f in futures]


def load_user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id, options=[selectinload(User.memberships)])
    assert user is not None
    return user


def load_shift(s: Session, shift_id: int) -> Shift:
    shift = s.get(Shift, shift_id, options=[joinedload(Shift.task).joinedload(Task.programme)])
    assert shift is not None
    return shift


def load_signup(s: Session, signup_id: int) -> Signup:
    signup = s.get(
        Signup,
        signup_id,
        options=[joinedload(Signup.shift).joinedload(Shift.task).joinedload(Task.programme)],
    )
    assert signup is not None
    return signup


def load_log(s: Session, log_id: int) -> ContributionLog:
    log = s.get(
        ContributionLog,
        log_id,
        options=[joinedload(ContributionLog.task).joinedload(Task.programme)],
    )
    assert log is not None
    return log
