"""A programme that takes proposals, with the people around it, for the proposal tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from coprod.models import OrgKind, Proposal, ProposalStatus, ProposalSupport, Role
from tests.conftest import NOW
from tests.factories import make_member, make_org, make_programme, make_user


class ProposalWorld:
    """An agency's programme that accepts proposals; its staff member, a staff member of
    another agency, a resident who proposes and two neighbours who may support."""

    def __init__(self, session: Any) -> None:
        self.agency = make_org(session, OrgKind.AGENCY)
        self.programme = make_programme(session, self.agency, accepts_proposals=True)
        self.closed = make_programme(session, self.agency, accepts_proposals=False)
        self.staff = make_member(session, self.agency, Role.STAFF)
        self.other_staff = make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF)
        self.author = make_user(session, display_name="Rosa Author")
        self.neighbour = make_user(session)
        self.other_neighbour = make_user(session)


def make_proposal(
    session: Any,
    programme: Any,
    author: Any,
    *,
    status: ProposalStatus = ProposalStatus.OPEN,
    created_at: datetime | None = None,
    **overrides: Any,
) -> Proposal:
    fields: dict[str, Any] = {
        "programme_id": programme.id,
        "author_id": author.id if author is not None else None,
        "title": "Clear the canal towpath",
        "what": "Pick litter along the towpath.",
        "location": "Canal towpath",
        "why": "It is full of litter.",
        "contribution": "I can bring bags.",
        "status": status,
        "supports": 0,
        "created_at": created_at or NOW - timedelta(hours=1),
    }
    fields.update(overrides)
    proposal = Proposal(**fields)
    session.add(proposal)
    session.flush()
    return proposal


def add_supports(session: Any, proposal: Proposal, *people: Any) -> None:
    """Supports made directly (with the counter kept in step), for setting up a scene."""
    for person in people:
        session.add(ProposalSupport(proposal_id=proposal.id, user_id=person.id))
    proposal.supports += len(people)
    session.flush()
