"""Shared governance and experimentation: the partnership agreement (agreements), partners'
commitments as figures against what they delivered (commitments), the decisions partners vote
on (decisions) and pilots' evaluations (pilots)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import Agreement, DecisionRule, Programme


def latest_agreement(session: Session, programme: Programme) -> Agreement | None:
    """The programme's agreement in force: its newest published version, if any."""
    return session.scalar(
        select(Agreement)
        .where(Agreement.programme_id == programme.id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def decision_rule(session: Session, programme: Programme) -> DecisionRule:
    """How the partnership decides, as its agreement in force says; by majority until the
    programme has an agreement."""
    agreement = latest_agreement(session, programme)
    return agreement.decision_rule if agreement else DecisionRule.MAJORITY
