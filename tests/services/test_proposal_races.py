"""Proposals under real concurrency, on PostgreSQL.

1. Several people support the same proposal at the same moment: the counter equals the rows.
   Guard: the counter moves by one atomic `UPDATE ... SET supports = supports + 1` in the same
   transaction as the row. With a read-modify-write in Python instead, two supports read the
   same count and one increment is lost.
2. One person double-clicks "Support": one row, one 409, the counter at 1.
   Guard: the unique (proposal_id, user_id) pair and the savepoint in proposals.support.
3. Two staff members accept the same proposal at the same moment: one task only, one answer.
   Guard: the proposal row is locked FOR UPDATE and read again before deciding; without the
   lock both see it open and each makes a task (the second link then fails on task_id's
   unique constraint, or both tasks exist).
4. One person sends two proposals at once with one left for the day: one is refused (429).
   Guard: the person's row is locked before counting their proposals of the last 24 hours;
   without it both count the same and both are made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.errors import TooMany
from coprod.models import (
    OrgKind,
    Programme,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    Role,
    Task,
)
from coprod.services.engagement import proposals
from tests.factories import make_member, make_org, make_programme, make_user
from tests.proposal_world import make_proposal
from tests.services.racing import ROUNDS, Refused, load_user, race

pytestmark = pytest.mark.postgres
PEOPLE = 4


def _load(s: Session, proposal_id: int) -> Proposal:
    proposal = s.get(
        Proposal,
        proposal_id,
        options=[
            joinedload(Proposal.programme).joinedload(Programme.lead_organisation),
            joinedload(Proposal.author),
        ],
    )
    assert proposal is not None
    return proposal


def support_job(user_id: int, proposal_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user, proposal = load_user(s, user_id), _load(s, proposal_id)
        return lambda: proposals.support(s, user, proposal, now=now).supports

    return job


def accept_job(user_id: int, proposal_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user, proposal = load_user(s, user_id), _load(s, proposal_id)
        return lambda: (
            proposals.answer(s, user, proposal, status="accepted", answer="Yes.", now=now).task_id
        )

    return job


def _scene(committed_engine: Any, staff: int = 0, people: int = 0) -> dict[str, Any]:
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        agency = make_org(setup, OrgKind.AGENCY)
        programme = make_programme(setup, agency, accepts_proposals=True)
        proposal = make_proposal(setup, programme, make_user(setup))
        scene = {
            "proposal": proposal.id,
            "staff": [make_member(setup, agency, Role.STAFF).id for _ in range(staff)],
            "people": [make_user(setup).id for _ in range(people)],
        }
        setup.commit()
    return scene


def test_people_supporting_at_once_leave_the_counter_equal_to_the_rows(committed_engine, now):
    for _ in range(ROUNDS):
        scene = _scene(committed_engine, people=PEOPLE)
        jobs = [support_job(uid, scene["proposal"], now) for uid in scene["people"]]
        results = race(committed_engine, jobs, refused=())
        with Session(bind=committed_engine) as check:
            rows = check.scalar(
                select(func.count()).where(ProposalSupport.proposal_id == scene["proposal"])
            )
            counter = check.get(Proposal, scene["proposal"]).supports
        assert rows == counter == PEOPLE
        assert sorted(results) == list(range(1, PEOPLE + 1))


def test_a_double_click_on_support_makes_one_row_and_one_conflict(committed_engine, now):
    for _ in range(ROUNDS):
        scene = _scene(committed_engine, people=1)
        job = support_job(scene["people"][0], scene["proposal"], now)
        results = race(committed_engine, [job, job])
        assert sorted(results, key=str) == sorted(
            [1, Refused("Conflict", "You already support this proposal.")], key=str
        )
        with Session(bind=committed_engine) as check:
            assert check.get(Proposal, scene["proposal"]).supports == 1


def test_two_staff_accepting_at_once_make_one_task(committed_engine, now):
    for _ in range(ROUNDS):
        scene = _scene(committed_engine, staff=2)
        jobs = [accept_job(uid, scene["proposal"], now) for uid in scene["staff"]]
        results = race(committed_engine, jobs)
        task_ids = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(task_ids) == 1 and len(refused) == 1
        assert refused[0].kind == "Conflict" and "answered already" in refused[0].message
        with Session(bind=committed_engine) as check:
            programme_id = check.get(Proposal, scene["proposal"]).programme_id
            tasks = check.scalars(select(Task.id).where(Task.programme_id == programme_id))
            assert list(tasks) == task_ids
            proposal = check.get(Proposal, scene["proposal"])
            assert (proposal.status, proposal.task_id) == (ProposalStatus.ACCEPTED, task_ids[0])


def propose_job(user_id: int, programme_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        programme = s.get(Programme, programme_id)
        assert programme is not None
        return lambda: (
            proposals.create_proposal(
                s, user, programme, title="Idea", what="Do it.", now=now, per_day=1
            ).id
        )

    return job


def test_two_proposals_at_once_with_one_left_for_the_day_make_one(committed_engine, now):
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            programme = make_programme(
                setup, make_org(setup, OrgKind.AGENCY), accepts_proposals=True
            )
            person = make_user(setup)
            setup.commit()
            ids = (person.id, programme.id)
        results = race(committed_engine, [propose_job(*ids, now), propose_job(*ids, now)],
                       refused=(TooMany,))  # fmt: skip
        assert sorted(type(r).__name__ for r in results) == ["Refused", "int"]
        with Session(bind=committed_engine) as check:
            made = check.scalar(select(func.count()).where(Proposal.author_id == ids[0]))
            assert made == 1
