"""The scheduler and a member of staff build the same pilot's evaluation at the same moment, on
PostgreSQL: one row, both succeed, and the figures are the same. Guard: the unique
programme_id of pilot_evaluation and the savepoint in pilots.build_evaluation, which turns the
second insert's IntegrityError into a rebuild of the row the first one committed; without the
savepoint the loser's IntegrityError fails its whole transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.models import PilotEvaluation, Programme
from coprod.services.governance import pilots
from tests.pilot_world import make_pilot_world
from tests.services.racing import ROUNDS, load_user, race

pytestmark = pytest.mark.postgres


def build_job(programme_id: int, user_id: int | None, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        programme = s.get(Programme, programme_id)
        assert programme is not None
        if user_id is None:
            return lambda: pilots.build_evaluation(s, None, programme, now=now).id
        user = load_user(s, user_id)
        return lambda: pilots.rebuild_now(s, user, programme, now=now).id

    return job


def test_two_builds_at_once_end_as_one_evaluation(committed_engine, now):
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            world = make_pilot_world(setup)
            pid, staff = world.programme.id, world.staff.id
            setup.commit()
        results = race(
            committed_engine,
            [build_job(pid, None, now), build_job(pid, staff, now)],
            refused=(),
        )
        assert results[0] == results[1]
        with Session(bind=committed_engine) as check:
            count = check.scalar(select(func.count()).where(PilotEvaluation.programme_id == pid))
            figures = check.scalar(
                select(PilotEvaluation.figures).where(PilotEvaluation.programme_id == pid)
            )
        assert count == 1
        assert figures["pilot"]["hours"] == 9.0
