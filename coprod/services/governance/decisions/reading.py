"""Reading decisions: one with its votes, a programme's list, and those waiting for my vote."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _, ngettext
from coprod.models import Decision, DecisionOption, DecisionVote, Organisation, Partner, Programme
from coprod.services.governance.decisions._common import (
    HOME_ITEMS,
    Actor,
    is_open,
    voting_organisations,
)
from coprod.services.pagination import Page, paginate


def _loaded() -> list[Any]:
    return [
        joinedload(Decision.programme).joinedload(Programme.lead_organisation),
        selectinload(Decision.options),
        selectinload(Decision.votes).joinedload(DecisionVote.organisation),
        selectinload(Decision.votes).joinedload(DecisionVote.voted_by),
    ]


def get_decision(session: Session, actor: Actor, decision_id: int) -> Decision:
    """The decision with its options and votes, for the partnership (NotFound otherwise)."""
    decision = session.scalar(
        select(Decision).where(Decision.id == decision_id).options(*_loaded())
    )
    if decision is None or not policy.can(actor, "decision.view", decision):
        raise NotFound(_("No such decision."))
    return decision


def require_partnership(actor: Actor, programme: Programme) -> None:
    """The programme's decisions are the partnership's: others are told they do not exist."""
    if not policy.can(actor, "programme.view_reports", programme):
        raise NotFound(_("Not found."))


def list_decisions(
    session: Session, actor: Actor, programme: Programme, *, page: int = 1, per_page: int = 20
) -> Page[Decision]:
    """A programme's decisions for the partnership: the open ones first (soonest to close),
    then the closed ones (latest closed first)."""
    require_partnership(actor, programme)
    still_open = Decision.closed_at.is_(None)
    stmt = (
        select(Decision)
        .where(Decision.programme_id == programme.id, policy.visible_decisions(actor))
        .options(*_loaded())
        .order_by(
            case((still_open, 0), else_=1),
            case((still_open, Decision.closes_at), else_=None),
            Decision.closed_at.desc(),
            Decision.id.desc(),
        )
    )
    return paginate(session, stmt, page, per_page)


def count_open(session: Session, actor: Actor, programme: Programme) -> int:
    """How many of the programme's decisions are open (for the programme page's link)."""
    return int(
        session.scalar(
            select(func.count(Decision.id)).where(
                Decision.programme_id == programme.id,
                Decision.closed_at.is_(None),
                policy.visible_decisions(actor),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Ballot:
    """An organisation entitled to vote, and its vote (None: not voted yet)."""

    organisation: Organisation
    vote: DecisionVote | None


@dataclass
class DecisionView:
    """What a decision's page shows."""

    decision: Decision
    counts: dict[int, int]  # option id -> votes of entitled organisations
    ballots: list[Ballot]  # every entitled organisation, voted first
    others: list[DecisionVote] = field(default_factory=list)  # votes of former partners
    mine: list[Organisation] = field(default_factory=list)  # the organisations I vote for
    open: bool = False

    @property
    def not_voted(self) -> list[Organisation]:
        return [b.organisation for b in self.ballots if b.vote is None]

    @property
    def chosen(self) -> DecisionOption | None:
        return next(
            (o for o in self.decision.options if o.id == self.decision.chosen_option_id), None
        )


def view_decision(
    session: Session,
    actor: Actor,
    decision: Decision,
    *,
    now: datetime,
    entitled: list[Organisation] | None = None,
) -> DecisionView:
    """The decision with its counts, each entitled organisation's vote and comment (or none
    yet), and the organisations the person may vote for while it is open."""
    policy.require(actor, "decision.view", decision)
    if entitled is None:  # a list of one programme's decisions reads them once
        entitled = voting_organisations(session, decision.programme)
    ids = {o.id for o in entitled}
    by_org = {v.organisation_id: v for v in decision.votes}
    counts = Counter(v.option_id for v in decision.votes if v.organisation_id in ids)
    ballots = [Ballot(o, by_org.get(o.id)) for o in entitled]
    ballots.sort(key=lambda b: b.vote is None)
    admin_of = policy.spoken_for(actor)
    return DecisionView(
        decision=decision,
        counts={o.id: counts.get(o.id, 0) for o in decision.options},
        ballots=ballots,
        others=[v for v in decision.votes if v.organisation_id not in ids],
        mine=[o for o in entitled if o.id in admin_of],
        open=is_open(decision, now),
    )


def vote_counts(session: Session, decision_ids: list[int]) -> dict[int, int]:
    """How many organisations voted on each decision (one query)."""
    if not decision_ids:
        return {}
    rows = session.execute(
        select(DecisionVote.decision_id, func.count(DecisionVote.id))
        .where(DecisionVote.decision_id.in_(decision_ids))
        .group_by(DecisionVote.decision_id)
    )
    return {d: int(n) for d, n in rows}


@dataclass(frozen=True)
class Waiting:
    """An open decision waiting for the vote of an organisation the person is an admin of."""

    decision: Decision
    organisation: Organisation


def waiting_for_my_vote(session: Session, actor: Actor, *, now: datetime) -> list[Waiting] | None:
    """The open decisions of the partnerships the person's organisations (as admin) belong
    to, that those organisations have not voted on, soonest to close first (one statement);
    None for someone who is an admin of no organisation."""
    admin_of = sorted(policy.spoken_for(actor))
    if not admin_of:
        return None
    in_partnership = or_(
        Programme.lead_organisation_id == Organisation.id,
        exists().where(
            Partner.programme_id == Programme.id, Partner.organisation_id == Organisation.id
        ),
    )
    voted = exists().where(
        DecisionVote.decision_id == Decision.id, DecisionVote.organisation_id == Organisation.id
    )
    rows = session.execute(
        select(Decision, Organisation)
        .join(Programme, Programme.id == Decision.programme_id)
        .join(Organisation, and_(Organisation.id.in_(admin_of), in_partnership))
        .options(joinedload(Decision.programme))
        .where(Decision.closed_at.is_(None), Decision.closes_at > now, ~voted)
        .order_by(Decision.closes_at, Decision.id, Organisation.name)
        .limit(HOME_ITEMS)
    ).all()
    return [Waiting(d, o) for d, o in rows]


def voted_summary(n: int, of: int) -> str:
    """ "2 of 4 organisations voted"."""
    return ngettext(
        "%(voted)d of %(num)d organisation voted",
        "%(voted)d of %(num)d organisations voted",
        of,
        voted=n,
    )
