"""Supporting: one support each, a public count, while the proposal waits for its answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from coprod import policy
from coprod.errors import Conflict, NotAllowed
from coprod.i18n import _l
from coprod.models import Proposal, ProposalSupport, User
from coprod.models.engagement import WAITING
from coprod.services import audit
from coprod.services.accounts import require_confirmed
from coprod.services.engagement.proposals.proposing import Actor

ALREADY_SUPPORTING = _l("You already support this proposal.")
NOT_SUPPORTING = _l("You do not support this proposal, so there is no support to withdraw.")
NOT_WAITING = _l("This proposal has been answered (or hidden), so its supports no longer change.")
OWN_PROPOSAL = _l("You cannot support your own proposal; others can.")


class _NotWaiting(Exception):
    """Raised inside the savepoint so the support row goes with it."""


def _check_supporter(actor: Actor, proposal: Proposal) -> User:
    policy.require(actor, "proposal.support", proposal)
    assert actor is not None
    require_confirmed(actor)
    if proposal.author_id == actor.id:
        raise NotAllowed(str(OWN_PROPOSAL))
    return actor


def _waiting(proposal_id: int) -> Any:
    return (Proposal.id == proposal_id, Proposal.status.in_(WAITING), Proposal.hidden_at.is_(None))


def support(session: Session, actor: Actor, proposal: Proposal, *, now: datetime) -> Proposal:
    """A signed-in, confirmed person supports a proposal that still waits for its answer (not
    their own; once each). The support row and the counter change together: the counter with
    one atomic UPDATE guarded by the proposal's state, the row under its unique pair."""
    person = _check_supporter(actor, proposal)
    if proposal.status not in WAITING or proposal.hidden_at is not None:
        raise Conflict(str(NOT_WAITING))
    try:
        with session.begin_nested():  # a double click: the unique pair keeps one row
            session.add(ProposalSupport(proposal_id=proposal.id, user_id=person.id, created_at=now))
            session.flush()
            count = session.scalar(
                update(Proposal)
                .where(*_waiting(proposal.id))
                .values(supports=Proposal.supports + 1)
                .returning(Proposal.supports),
                execution_options={"synchronize_session": False},
            )
            if count is None:  # answered or hidden meanwhile
                raise _NotWaiting
    except IntegrityError:
        raise Conflict(str(ALREADY_SUPPORTING)) from None
    except _NotWaiting:
        raise Conflict(str(NOT_WAITING)) from None
    set_committed_value(proposal, "supports", count)
    audit.record(session, person, "proposal.supported", proposal, after={"supports": count}, at=now)
    return proposal


def withdraw_support(
    session: Session, actor: Actor, proposal: Proposal, *, now: datetime
) -> Proposal:
    """A supporter withdraws their support while the proposal still waits for its answer (the
    count shown with an answer stays as it was when answered)."""
    policy.require(actor, "proposal.support", proposal)
    assert actor is not None
    if proposal.status not in WAITING or proposal.hidden_at is not None:
        raise Conflict(str(NOT_WAITING))
    removed = session.execute(
        delete(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == actor.id
        ),
        execution_options={"synchronize_session": False},
    )
    if not getattr(removed, "rowcount", 0):
        raise Conflict(str(NOT_SUPPORTING))
    count = session.scalar(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.supports > 0)
        .values(supports=Proposal.supports - 1)
        .returning(Proposal.supports),
        execution_options={"synchronize_session": False},
    )
    if count is not None:
        set_committed_value(proposal, "supports", count)
    audit.record(
        session, actor, "proposal.support_withdrawn", proposal, after={"supports": count}, at=now
    )
    return proposal
