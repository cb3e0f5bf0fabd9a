"""The agency's answer: in public, under review → accepted | declined | already planned;
accepting makes a draft task crediting the proposer; the author and supporters are told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.i18n import _
from coprod.models import Proposal, ProposalStatus, Task
from coprod.models.engagement import DECIDED
from coprod.services import audit, notifications, tasks
from coprod.services.engagement.proposals.proposing import MAX_TEXT, Actor
from coprod.services.engagement.proposals.reading import author_label
from coprod.services.text import clean_text

MAX_TASK_DESCRIPTION = 10000  # the task service's limit

# Where an answer may take a proposal from each status; a decided proposal is answered for good.
ANSWERS: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    ProposalStatus.OPEN: (ProposalStatus.UNDER_REVIEW, *DECIDED),
    ProposalStatus.UNDER_REVIEW: DECIDED,
}
ANSWER_CHOICES = (ProposalStatus.UNDER_REVIEW, *DECIDED)


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
