"""Proposals: a signed-in, confirmed person proposes a task for a programme that accepts
proposals; others support it (one support each, a public count, never a list of names); the
lead agency's staff answer it in public (under review → accepted | declined | already
planned). Accepting makes a draft task crediting the proposer, who may become its
co-coordinator; the author and every supporter are told of each answer by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotAllowed, NotFound, TooMany
from coprod.i18n import _, _l, ngettext
from coprod.models import (
    Programme,
    Proposal,
    ProposalStatus,
    ProposalSupport,
    Role,
    Task,
    User,
)
from coprod.models.engagement import DECIDED, WAITING
from coprod.services import audit, notifications, tasks
from coprod.services.accounts import require_confirmed
from coprod.services.bounds import MAX_ID
from coprod.services.engagement import limit
from coprod.services.keyset import Key, Window, window
from coprod.services.text import clean_text, contains

Actor = User | None

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_LOCATION = 300
MAX_QUERY = 200
MAX_TASK_DESCRIPTION = 10000  # the task service's limit
OVERDUE_SHOWN = 20
SORTS = ("supported", "newest")
FIELDS = ["title", "what", "location", "why", "contribution", "anonymous", "status"]

# Where an answer may take a proposal from each status; a decided proposal is answered for good.
ANSWERS: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    ProposalStatus.OPEN: (ProposalStatus.UNDER_REVIEW, *DECIDED),
    ProposalStatus.UNDER_REVIEW: DECIDED,
}
ANSWER_CHOICES = (ProposalStatus.UNDER_REVIEW, *DECIDED)

NOT_ACCEPTING = _l("This programme does not take proposals.")
ALREADY_SUPPORTING = _l("You already support this proposal.")
NOT_SUPPORTING = _l("You do not support this proposal, so there is no support to withdraw.")
NOT_WAITING = _l("This proposal has been answered (or hidden), so its supports no longer change.")
OWN_PROPOSAL = _l("You cannot support your own proposal; others can.")
A_RESIDENT = _l("a resident")


def author_label(proposal: Proposal) -> str:
    """Who proposed it, as shown in public: their display name, or "a resident" when they
    chose to be anonymous or their account is gone."""
    author = proposal.author
    if proposal.anonymous or author is None or author.deleted_at is not None:
        return str(A_RESIDENT)
    return author.display_name


def proposals_per_day() -> int:
    return limit("PROPOSALS_PER_DAY")


def answer_days() -> int:
    return limit("PROPOSAL_ANSWER_DAYS")


# --- proposing ----------------------------------------------------------------------------


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check every field at once (each message beside its field)."""
    errs = FieldErrors()

    def text(field: str, label: str, max_len: int, required: bool, multiline: bool) -> Any:
        return errs.check(
            lambda: clean_text(
                values.get(field),
                field,
                label,
                max_len=max_len,
                required=required,
                multiline=multiline,
            )
        )

    out = {
        "title": text("title", _("A title"), MAX_TITLE, True, False),
        "what": text("what", _("What should be done"), MAX_TEXT, True, True),
        "location": text("location", _("The place"), MAX_LOCATION, False, False),
        "why": text("why", _("Why it matters"), MAX_TEXT, False, True),
        "contribution": text("contribution", _("What you could do"), MAX_TEXT, False, True),
    }
    errs.raise_if_any()
    return out


def _refuse_too_many(session: Session, actor: User, now: datetime, per_day: int) -> None:
    """At most `per_day` proposals by one person in 24 hours (web, API and CLI together); the
    person's row is locked first so two forms sent at once are counted one after the other."""
    session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    made = session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.author_id == actor.id, Proposal.created_at > now - timedelta(days=1)
        )
    )
    if (made or 0) >= per_day:
        raise TooMany(
            ngettext(
                "You can make %(num)d proposal a day. Try again tomorrow.",
                "You can make %(num)d proposals a day. Try again tomorrow.",
                per_day,
            )
        )


def create_proposal(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    title: str,
    what: str,
    location: str = "",
    why: str = "",
    contribution: str = "",
    anonymous: bool = False,
    now: datetime,
    per_day: int | None = None,
) -> Proposal:
    """A signed-in person with a confirmed email address proposes a task for a programme that
    accepts proposals, at most PROPOSALS_PER_DAY in 24 hours."""
    if actor is not None and not programme.accepts_proposals:
        raise NotAllowed(str(NOT_ACCEPTING))
    policy.require(actor, "programme.propose", programme)
    assert actor is not None
    require_confirmed(actor)
    raw = {"title": title, "what": what, "location": location, "why": why}
    values = _clean({**raw, "contribution": contribution})
    _refuse_too_many(session, actor, now, proposals_per_day() if per_day is None else per_day)
    proposal = Proposal(
        programme_id=programme.id,
        author_id=actor.id,
        anonymous=bool(anonymous),
        status=ProposalStatus.OPEN,
        supports=0,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(proposal)
    session.flush()
    proposal.programme = programme
    audit.record(
        session, actor, "proposal.created", proposal, after=audit.snapshot(proposal, FIELDS), at=now
    )
    return proposal


# --- reading ------------------------------------------------------------------------------


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


# --- supporting ---------------------------------------------------------------------------


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


# --- the agency's answer ------------------------------------------------------------------


def _parse_answer(status: str | ProposalStatus | None, answer: str | None) -> tuple[Any, str]:
    errs = FieldErrors()
    target = None
    try:
        target = ProposalStatus(status) if status else None
    except ValueError:
        target = None
    if target not in ANSWER_CHOICES:
        errs.add("status", _("Choose under review, accepted, declined or already planned."))
    text = errs.check(
        lambda: clean_text(
            answer, "answer", _("A public answer"), max_len=MAX_TEXT, required=True, multiline=True
        )
    )
    errs.raise_if_any()
    return target, text


def _task_description(proposal: Proposal) -> str:
    """The draft task's description: the proposal's words, credited to the proposer."""
    parts = [proposal.what]
    if proposal.why:
        parts.append(_("Why: %(why)s", why=proposal.why))
    if proposal.contribution:
        parts.append(_("What the proposer could do: %(what)s", what=proposal.contribution))
    credit = _("Proposed by %(name)s.", name=author_label(proposal))
    body = "\n\n".join(parts)
    room = MAX_TASK_DESCRIPTION - len(credit) - 3
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return f"{body}\n\n{credit}"


def _accept(session: Session, actor: Actor, proposal: Proposal, add_coordinator: bool) -> Task:
    """The draft task made from an accepted proposal (the task service's own rules)."""
    task = tasks.create_task(
        session,
        actor,
        proposal.programme,
        title=proposal.title,
        description=_task_description(proposal),
        location=proposal.location,
    )
    author = proposal.author
    if add_coordinator and author is not None and author.is_active and author.deleted_at is None:
        task.co_coordinator_id = author.id
    proposal.task_id = task.id
    proposal.task = task
    return task


def _lock(session: Session, proposal: Proposal) -> Proposal:
    """Lock the proposal's row and read it again (another answer may have just committed)."""
    locked = session.scalars(
        select(Proposal)
        .where(Proposal.id == proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def answer(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    *,
    status: str | ProposalStatus | None,
    answer: str | None,
    add_coordinator: bool = False,
    now: datetime,
) -> Proposal:
    """The lead agency's staff answer a proposal in public: open → under review, accepted,
    declined or already planned; under review → one of the decisions; a decided proposal is
    not answered again. Accepting makes a draft task from it; its author and each supporter
    get one email about the answer."""
    policy.require(actor, "proposal.answer", proposal)
    target, text = _parse_answer(status, answer)
    proposal = _lock(session, proposal)
    if proposal.status in DECIDED:
        raise Conflict(_("This proposal has been answered already; its decision stands."))
    if target not in ANSWERS[proposal.status]:
        raise Conflict(_("This proposal is already under review: answer it with a decision."))
    before = audit.snapshot(proposal, ["status", "answer", "task_id"])
    if target == ProposalStatus.ACCEPTED:
        _accept(session, actor, proposal, add_coordinator)
    proposal.status = target
    proposal.answer = text
    proposal.answered_at = now
    proposal.answered_by_id = actor.id if actor is not None else None
    proposal.updated_at = now
    session.flush()
    after = audit.snapshot(proposal, ["status", "answer", "task_id"])
    if proposal.task is not None:
        after["co_coordinator_id"] = proposal.task.co_coordinator_id
    audit.record(session, actor, "proposal.answered", proposal, before=before, after=after, at=now)
    notifications.proposal_answered(session, proposal, now=now)
    notifications.supporters_told(session, proposal, now=now)
    return proposal


__all__ = [
    "ANSWER_CHOICES",
    "SORTS",
    "Overdue",
    "answer",
    "author_label",
    "create_proposal",
    "get_proposal",
    "is_supporting",
    "list_my_proposals",
    "list_proposals",
    "overdue_proposals",
    "support",
    "supported_ids",
    "task_proposal",
    "withdraw_support",
]
