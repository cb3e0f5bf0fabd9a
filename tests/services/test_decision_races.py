"""Decisions under concurrency (PostgreSQL): two admins of one organisation voting at once
leave one vote and no error; a vote racing the close either lands before it and is counted in
the result, or is refused as closed -- never stored after the result was counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import AuditEntry, Decision, DecisionVote, Organisation, Role
from coprod.services.governance import decisions as svc
from tests.decision_world import DecisionWorld
from tests.factories import add_partner, make_decision, make_member, make_org
from tests.services.racing import ROUNDS, Refused, load_user, race


def _load(s: Session, decision_id: int) -> Decision:
    decision = s.get(
        Decision,
        decision_id,
        options=[joinedload(Decision.programme), joinedload(Decision.options)],
    )
    assert decision is not None
    return decision


def _vote_job(user_id: int, decision_id: int, org_id: int, pick: int, now: Any) -> Callable:
    def job(s: Session) -> Callable[[], Any]:
        actor, decision = load_user(s, user_id), _load(s, decision_id)
        org = s.get(Organisation, org_id)
        option = decision.options[pick].id
        return lambda: (
            svc.vote(s, actor, decision, org, option_id=option, comment=f"by {user_id}", now=now).id
        )

    return job


def _close_job(staff_id: int, decision_id: int, now: Any) -> Callable:
    def job(s: Session) -> Callable[[], Any]:
        actor, decision = load_user(s, staff_id), _load(s, decision_id)
        return lambda: svc.close_decision(s, decision, now, actor)

    return job


@pytest.mark.postgres
def test_two_admins_of_one_organisation_voting_at_once_leave_one_vote(committed_engine, now):
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        w = DecisionWorld(setup)
        org = w.partners[0]
        admins = [w.admins[0]] + [make_member(setup, org, Role.ADMIN) for _ in range(ROUNDS - 1)]
        decision = make_decision(setup, w.programme, closes_at=now + timedelta(days=2))
        ids = [(a.id, decision.id, org.id, n % 2) for n, a in enumerate(admins)]
        setup.commit()
    results = race(committed_engine, [_vote_job(*i, now) for i in ids], refused=())
    assert len(set(results)) == 1  # every call ended on the same row
    with Session(bind=committed_engine) as s:
        assert s.scalar(select(func.count()).select_from(DecisionVote)) == 1
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("decision.vote%")))
        )
        assert sorted(actions) == ["decision.vote_changed"] * (ROUNDS - 1) + ["decision.voted"]


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(3))
def test_a_vote_racing_the_close_is_counted_or_refused(committed_engine, now, round_):
    with Session(bind=committed_engine, expire_on_commit=False) as setup:
        w = DecisionWorld(setup)
        extra = []
        for _ in range(ROUNDS - 4):  # more partners, so more votes race the close
            org = make_org(setup)
            add_partner(setup, w.programme, org)
            extra.append((org, make_member(setup, org, Role.ADMIN)))
        decision = make_decision(setup, w.programme, closes_at=now + timedelta(days=2))
        voters = [(a.id, org.id) for org, a in [*w.voters(), *extra]]
        jobs = [_vote_job(a, decision.id, o, 0, now) for a, o in voters]
        jobs.append(_close_job(w.staff.id, decision.id, now))
        decision_id = decision.id
        setup.commit()
    results = race(committed_engine, jobs)
    votes, closed = results[:-1], results[-1]
    assert closed is True
    landed = [r for r in votes if not isinstance(r, Refused)]
    refused = [r for r in votes if isinstance(r, Refused)]
    assert all(r.kind == "Conflict" and "closed" in r.message for r in refused)
    with Session(bind=committed_engine) as s:
        decision = _load(s, decision_id)
        stored = dict(
            s.execute(
                select(DecisionVote.organisation_id, DecisionVote.option_id).where(
                    DecisionVote.decision_id == decision_id
                )
            ).all()
        )
        assert len(stored) == len(landed)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "decision.closed"))
        assert entry.after["votes"] == len(stored)  # every stored vote was counted
        entitled = svc.voting_organisation_ids(s, decision.programme)
        assert svc.tally(decision.rule, entitled, stored) == (
            decision.outcome,
            decision.chosen_option_id,
        )
