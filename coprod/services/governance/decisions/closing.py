"""Closing a decision and deciding its result: by the lead staff, or by the job at its closing
time."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.models import Decision, DecisionOutcome, DecisionRule, DecisionVote
from coprod.services import audit
from coprod.services.governance.decisions._common import (
    BATCH,
    Actor,
    _email,
    voting_organisation_ids,
)

log = logging.getLogger("coprod.decisions")


def tally(
    rule: DecisionRule, entitled: list[int], votes: dict[int, int]
) -> tuple[DecisionOutcome, int | None]:
    """The outcome under the rule (see the module) of votes {organisation id: option id},
    counting only the entitled organisations; and the chosen option when carried."""
    counted = {org: option for org, option in votes.items() if org in set(entitled)}
    if not counted:
        return DecisionOutcome.NO_VOTES, None
    if rule == DecisionRule.CONSENSUS:
        chosen = set(counted.values())
        if len(counted) == len(set(entitled)) and len(chosen) == 1:
            return DecisionOutcome.CARRIED, chosen.pop()
        return DecisionOutcome.NO_CONSENSUS, None
    option, n = Counter(counted.values()).most_common(1)[0]
    if n * 2 > len(set(entitled)):
        return DecisionOutcome.CARRIED, option
    return DecisionOutcome.NO_MAJORITY, None


def close_decision(
    session: Session, decision: Decision, now: datetime, actor: Actor = None
) -> bool:
    """Close the decision and record its outcome under its rule (see the module): at its
    closing time (the job, no actor) or earlier by the lead agency's staff. Idempotent: a
    decision already closed is left as it is (False); the partnership is emailed once."""
    if actor is not None:
        policy.require(actor, "decision.view", decision)
        policy.require(actor, "programme.manage", decision.programme)
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Decision)
            .where(Decision.id == decision.id, Decision.closed_at.is_(None))
            .values(closed_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        session.refresh(decision)
        return False
    session.refresh(decision)
    entitled = voting_organisation_ids(session, decision.programme)
    votes = dict(
        session.execute(
            select(DecisionVote.organisation_id, DecisionVote.option_id).where(
                DecisionVote.decision_id == decision.id
            )
        ).all()
    )
    outcome, chosen = tally(decision.rule, entitled, votes)
    decision.outcome, decision.chosen_option_id = outcome, chosen
    session.flush()
    audit.record(
        session,
        actor,
        "decision.closed",
        decision,
        before={"closes_at": decision.closes_at},
        after={
            "closed_at": now,
            "outcome": outcome,
            "chosen_option_id": chosen,
            "votes": len(votes),
            "entitled": len(entitled),
        },
        at=now,
    )
    _email(session, decision, opened=False, now=now)
    return True


def close_due_decisions(session: Session, *, now: datetime) -> int:
    """Close every open decision whose closing time has passed, each in its own savepoint:
    one that fails is logged and skipped, the others are closed. The number closed."""
    due = list(
        session.scalars(
            select(Decision.id)
            .where(Decision.closed_at.is_(None), Decision.closes_at <= now)
            .order_by(Decision.closes_at, Decision.id)
            .limit(BATCH)
        )
    )
    closed = 0
    for decision_id in due:
        try:
            with session.begin_nested():
                decision = session.get(Decision, decision_id)
                if decision is not None:
                    closed += close_decision(session, decision, now)
        except Exception as err:  # one bad decision costs only itself
            log.error(
                "governance.decisions: decision %s not closed (skipped): %s: %s",
                decision_id,
                type(err).__name__,
                err,
            )
    return closed
