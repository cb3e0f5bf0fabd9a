"""Two keepers pressing "Mark all attended" at once: each volunteer is marked once (one audit
entry, and so one of whatever else marking does), never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from coprod.models import AuditEntry, Signup, SignupStatus
from coprod.services import signups
from tests.factories import ShiftWorld, make_signup, make_user
from tests.services.racing import load_shift, load_user, race

PEOPLE = 6


def _mark_all_job(actor_id: int, shift_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], int]:
        actor, shift = load_user(s, actor_id), load_shift(s, shift_id)
        return lambda: len(signups.mark_all_attended(s, actor, shift, now))

    return job


def _two_keepers_at_once(engine: Engine, now: Any) -> None:
    with Session(bind=engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=PEOPLE, starts_at=now - timedelta(hours=1))
        for _ in range(PEOPLE):
            make_signup(setup, world.shift, make_user(setup))
        shift_id = world.shift.id
        keepers = [world.coordinator.id, world.lead_staff.id]
        setup.commit()

    marked = race(engine, [_mark_all_job(k, shift_id, now) for k in keepers], refused=())

    assert sorted(marked) == [0, PEOPLE]  # one marked everyone, the other found nobody left
    with Session(bind=engine) as s:
        ids = select(Signup.id).where(Signup.shift_id == shift_id)
        statuses = set(s.scalars(select(Signup.status).where(Signup.shift_id == shift_id)))
        audits = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "signup.attendance", AuditEntry.object_id.in_(ids))
        )
    assert statuses == {SignupStatus.ATTENDED}
    assert audits == PEOPLE


def test_two_keepers_marking_all_at_once_mark_each_person_once(committed_engine, now) -> None:
    _two_keepers_at_once(committed_engine, now)


@pytest.mark.postgres
def test_two_keepers_marking_all_at_once_on_postgresql(committed_engine, now) -> None:
    assert committed_engine.dialect.name == "postgresql"
    _two_keepers_at_once(committed_engine, now)
