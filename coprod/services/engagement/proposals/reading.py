"""Reading proposals: a programme's list, one proposal, a person's own, who supports what, the
task a proposal became, and those waiting too long for an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Invalid, NotAllowed, NotFound
from coprod.i18n import _, _l
from coprod.models import Programme, Proposal, ProposalStatus, ProposalSupport, Role, Task
from coprod.models.engagement import WAITING
from coprod.services.bounds import MAX_ID
from coprod.services.engagement import limit
from coprod.services.engagement.proposals.proposing import Actor
from coprod.services.keyset import Key, Window, window
from coprod.services.text import contains

MAX_QUERY = 200
OVERDUE_SHOWN = 20
SORTS = ("supported", "newest")
A_RESIDENT = _l("a resident")


def author_label(proposal: Proposal) -> str:
    """Who proposed it, as shown in public: their display name, or "a resident" when they
    chose to be anonymous or their account is gone."""
    author = proposal.author
    if proposal.anonymous or author is None or author.deleted_at is not None:
        return str(A_RESIDENT)
    return author.display_name


def answer_days() -> int:
    return limit("PROPOSAL_ANSWER_DAYS")


def _parse_status(raw: str | ProposalStatus | None) -> ProposalStatus | None:
    if raw in (None, ""):
        return None
    try:
        return ProposalStatus(raw)
    except ValueError:
        raise Invalid("status", _("Choose one of the statuses offered.")) from None


# Most supported (or newest) first, the id breaking ties, newest id first. Indexes
# ix_proposal_programme_supports (programme_id, supports, id) and ix_proposal_programme_created
# (programme_id, created_at, id) serve a programme's list read backwards; a person's own
# proposals are few (ix_proposal_author_created finds them).
SUPPORTED_KEYS = (
    Key(Proposal.supports.expression, int, descending=True),
    Key(Proposal.id.expression, descending=True),
)
NEWEST_KEYS = (
    Key(Proposal.created_at.expression, datetime, descending=True),
    Key(Proposal.id.expression, descending=True),
)


def list_proposals(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    q: str | None = "",
    sort: str | None = "supported",
    status: str | ProposalStatus | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[Proposal]:
    """A programme's proposals the person may see (a hidden one only for its author and the
    lead agency's staff), matching the search words in title, what or place, the most
    supported or the newest first: the window after (or before) a cursor."""
    policy.require(actor, "programme.view", programme)
    words = (q or "").strip()
    if len(words) > MAX_QUERY:
        raise Invalid("q", _("Search with at most %(max)d characters.", max=MAX_QUERY))
    sort = sort or "supported"
    if sort not in SORTS:
        raise Invalid("sort", _("Sort by most supported or newest."))
    wanted = _parse_status(status)
    stmt = (
        select(Proposal)
        .where(Proposal.programme_id == programme.id, policy.visible_proposals(actor))
        .options(joinedload(Proposal.author))
    )
    for word in words.split()[:10]:
        stmt = stmt.where(contains(word, Proposal.title, Proposal.what, Proposal.location))
    if wanted is not None:
        stmt = stmt.where(Proposal.status == wanted)
    keys = NEWEST_KEYS if sort == "newest" else SUPPORTED_KEYS
    return window(session, stmt, keys, after=after, before=before, per_page=per_page)


def get_proposal(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """The proposal with its programme, author and task; a hidden one is "not found" to anyone
    but its author and the lead agency's staff."""
    proposal = None
    if 1 <= proposal_id <= MAX_ID:
        proposal = session.scalar(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .options(
                joinedload(Proposal.programme).joinedload(Programme.lead_organisation),
                joinedload(Proposal.author),
                joinedload(Proposal.task),
            )
        )
    if proposal is None or not policy.can(actor, "proposal.view", proposal):
        raise NotFound(_("No such proposal."))
    return proposal


def is_supporting(session: Session, actor: Actor, proposal: Proposal) -> bool:
    """Whether the person supports the proposal (False for a visitor)."""
    if actor is None:
        return False
    found = session.scalar(
        select(ProposalSupport.id).where(
            ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == actor.id
        )
    )
    return found is not None


def supported_ids(session: Session, actor: Actor, proposal_ids: list[int]) -> set[int]:
    """Which of the proposals the person supports (one query for a whole page)."""
    if actor is None or not proposal_ids:
        return set()
    return set(
        session.scalars(
            select(ProposalSupport.proposal_id).where(
                ProposalSupport.user_id == actor.id,
                ProposalSupport.proposal_id.in_(proposal_ids),
            )
        )
    )


def list_my_proposals(
    session: Session,
    actor: Actor,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[Proposal]:
    """The person's own proposals, newest first (a hidden one with the reason it was hidden)."""
    if actor is None:
        raise NotAllowed(_("You are not allowed to do that."))
    stmt = (
        select(Proposal)
        .where(Proposal.author_id == actor.id, policy.visible_proposals(actor))
        .options(joinedload(Proposal.programme).joinedload(Programme.lead_organisation))
    )
    return window(session, stmt, NEWEST_KEYS, after=after, before=before, per_page=per_page)


def task_proposal(session: Session, task: Task) -> Proposal | None:
    """The visible proposal a task came from, with its author, for the task page's credit."""
    return session.scalar(
        select(Proposal)
        .where(Proposal.task_id == task.id, Proposal.hidden_at.is_(None))
        .options(joinedload(Proposal.author))
    )


@dataclass(frozen=True)
class Overdue:
    items: list[Proposal]  # the oldest first
    total: int
    days: int


def overdue_proposals(
    session: Session, actor: Actor, now: datetime, *, days: int | None = None
) -> Overdue:
    """Proposals still waiting for an answer (open or under review) after PROPOSAL_ANSWER_DAYS,
    in the programmes led by agencies where the person is staff."""
    days = answer_days() if days is None else days
    org_ids = policy.org_ids_with_role(actor, Role.STAFF)
    if not org_ids:
        return Overdue([], 0, days)
    stmt = (
        select(Proposal)
        .join(Programme, Proposal.programme_id == Programme.id)
        .where(
            Programme.lead_organisation_id.in_(sorted(org_ids)),
            Proposal.status.in_(WAITING),
            Proposal.created_at < now - timedelta(days=days),
            policy.visible_proposals(actor),
        )
    )
    items = list(
        session.scalars(
            stmt.options(joinedload(Proposal.programme))
            .order_by(Proposal.created_at, Proposal.id)
            .limit(OVERDUE_SHOWN)
        )
    )
    total = len(items)
    if total == OVERDUE_SHOWN:
        total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    return Overdue(items, total, days)
