"""Concurrency of the partnership agreement, on PostgreSQL.

Two admins of the same organisation answer the same version at the same moment: one row, both
calls succeed (the second changes the first's answer), no 500. Guard: the unique
(agreement, organisation) and the savepoint in agreements.answer, whose IntegrityError turns
into locking and changing the winner's row; without it the loser's flush raises
IntegrityError (a 500).

Two lead staff publish at the same moment: two versions numbered one after the other, no 500.
Guard: the unique (programme, version) and the retry in agreements.publish, which reads the new
max after losing the insert; without it both read the same max and the loser fails with an
IntegrityError.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import Agreement, AgreementAnswer, Organisation, Programme
from coprod.services.governance import agreements
from tests.agreement_world import build
from tests.services.racing import ROUNDS, load_user, race

pytestmark = pytest.mark.postgres


def _programme(s: Session, programme_id: int) -> Programme:
    programme = s.get(Programme, programme_id)
    assert programme is not None
    return programme


def answer_job(
    user_id: int, agreement_id: int, org_id: int, accepted: bool, now: Any
) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        agreement, org = s.get(Agreement, agreement_id), s.get(Organisation, org_id)
        assert agreement is not None and org is not None
        agreement.programme.partners  # noqa: B018 - loaded before the race
        comment = "" if accepted else "Not yet."
        return lambda: (
            agreements.answer(
                s, user, agreement, org, accepted=accepted, comment=comment, now=now
            ).id
        )

    return job


def publish_job(user_id: int, programme_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user, programme = load_user(s, user_id), _programme(s, programme_id)
        for partner in programme.partners:
            partner.organisation  # noqa: B018
            partner.figures  # noqa: B018
        return lambda: agreements.publish(
            s, user, programme, purpose="Together.", decision_rule="majority",
            review_on=date(2027, 6, 1), now=now,
        ).version  # fmt: skip

    return job


def test_two_admins_answering_at_once_leave_one_answer(committed_engine, now):
    for n in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            w = build(setup, f" {n}{id(setup)}")
            agreement = agreements.publish(
                setup, w.staff, w.programme, purpose="x", decision_rule="majority",
                review_on=date(2027, 6, 1), now=now,
            )  # fmt: skip
            setup.commit()
        jobs = [
            answer_job(w.food_admin.id, agreement.id, w.foodbank.id, True, now),
            answer_job(w.food_admin2.id, agreement.id, w.foodbank.id, False, now),
        ]
        results = race(committed_engine, jobs, refused=())
        assert results[0] == results[1]  # the same row
        with Session(bind=committed_engine) as check:
            rows = check.scalars(
                select(AgreementAnswer).where(AgreementAnswer.agreement_id == agreement.id)
            ).all()
        assert len(rows) == 1


def test_two_staff_publishing_at_once_get_two_numbers(committed_engine, now):
    from coprod.models import Role
    from tests.factories import make_member

    for n in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            w = build(setup, f" {n}{id(setup)}")
            other = make_member(setup, w.agency, Role.STAFF)
            setup.commit()
        jobs = [
            publish_job(w.staff.id, w.programme.id, now),
            publish_job(other.id, w.programme.id, now),
        ]
        results = race(committed_engine, jobs, refused=())
        assert sorted(results) == [1, 2]
