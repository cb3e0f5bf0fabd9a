"""Invitations under concurrency: the same person invited to the same shift by several
requests at once gets exactly one invitation and one email; the others are told (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.models import NotificationKind, OutboxMessage, Role, ShiftInvitation
from coprod.services.capacity import candidates
from tests.factories import ShiftWorld, make_award, make_member, make_qualification
from tests.services.racing import ROUNDS, Refused, load_shift, load_user, race


def _invite_job(actor_id: int, shift_id: int, person_id: int, now: Any) -> Callable[..., Any]:
    def job(s: Session) -> Callable[[], Any]:
        actor, shift = load_user(s, actor_id), load_shift(s, shift_id)
        return lambda: candidates.invite(s, actor, shift, person_id, now=now).id

    return job


def _race_to_invite(engine: Any, now: Any) -> None:
    with Session(bind=engine, expire_on_commit=False) as setup:
        world = ShiftWorld(setup, capacity=3)
        q = make_qualification(setup, world.nonprofit, required_by=world.task)
        person = make_member(setup, world.nonprofit, Role.MEMBER, open_to_invitations=True)
        make_award(setup, person, q)
        ids = (world.coordinator.id, world.shift.id, person.id)
        setup.commit()
    results = race(engine, [_invite_job(*ids, now) for _ in range(ROUNDS)])
    made = [r for r in results if not isinstance(r, Refused)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(made) == 1
    assert all(r.kind == "Conflict" and "already invited" in r.message for r in refused)
    with Session(bind=engine) as s:
        assert s.scalar(select(func.count()).select_from(ShiftInvitation)) == 1
        kinds = s.scalars(select(OutboxMessage.kind)).all()
        assert kinds.count(NotificationKind.INVITATION) == 1


def test_simultaneous_invitations_of_one_person_make_one(committed_engine, now) -> None:
    _race_to_invite(committed_engine, now)


@pytest.mark.postgres
def test_simultaneous_invitations_make_one_on_postgresql(committed_engine, now) -> None:
    assert committed_engine.dialect.name == "postgresql"
    _race_to_invite(committed_engine, now)
