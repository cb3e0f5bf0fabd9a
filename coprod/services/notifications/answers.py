"""The emails answering what a person submitted: the review of their logged hours, and the
agency's answer to a proposal they made or support (coprod/services/engagement/proposals)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.i18n import _, _l
from coprod.models import ContributionLog, LogStatus, OutboxMessage, Proposal, ProposalSupport, User
from coprod.services.notifications._common import _stamp
from coprod.services.notifications.emails import Later, base_url, queue
from coprod.services.notifications.preferences import Kind

if TYPE_CHECKING:
    from flask_babel import LazyString

# Each decision's subject; %(title)s is the task's.
LOG_SUBJECTS: dict[LogStatus, LazyString] = {
    LogStatus.APPROVED: _l("Your logged hours were approved: “%(title)s”"),
    LogStatus.REJECTED: _l("Your logged hours were not accepted: “%(title)s”"),
    LogStatus.CHANGES_REQUESTED: _l("Changes requested on your logged hours: “%(title)s”"),
}


def log_reviewed(session: Session, log: ContributionLog, *, now: datetime) -> OutboxMessage | None:
    """Tell the contributor (or whoever logged on their behalf) the reviewer's decision."""
    if log.status not in LOG_SUBJECTS:
        return None
    person = log.contributor or log.created_by
    wording, title = LOG_SUBJECTS[log.status], log.task.title
    subject = Later(lambda: str(wording) % {"title": title})
    occasion = f"log{log.id}:{log.status.value}:{_stamp(log.reviewed_at)}"
    ctx = {"log": log, "task": log.task, "log_url": f"{base_url()}/logs/{log.id}"}
    return queue(session, person, Kind.LOG_REVIEWED, occasion, subject, ctx, now=now)


def _proposal_context(proposal: Proposal) -> dict[str, Any]:
    from coprod.services.engagement import status_label

    base = base_url()
    return {
        "proposal": proposal,
        "status": Later(lambda: status_label(proposal.status)),
        "proposal_url": f"{base}/proposals/{proposal.id}",
        "task_url": f"{base}/tasks/{proposal.task_id}" if proposal.task_id else "",
    }


def _answer_occasion(proposal: Proposal) -> str:
    return f"proposal{proposal.id}:{proposal.status.value}:{_stamp(proposal.answered_at)}"


def proposal_answered(
    session: Session, proposal: Proposal, *, now: datetime
) -> OutboxMessage | None:
    """Tell the author the agency's answer to their proposal (and of their draft task)."""
    title = proposal.title
    subject = Later(lambda: _("Your proposal “%(title)s” has an answer", title=title))
    return queue(
        session,
        proposal.author,
        Kind.PROPOSAL_ANSWERED,
        _answer_occasion(proposal),
        subject,
        _proposal_context(proposal),
        now=now,
    )


def supporters_told(session: Session, proposal: Proposal, *, now: datetime) -> int:
    """Tell each supporter of the proposal the agency's answer: one email each per answer."""
    people = session.scalars(
        select(User)
        .join(ProposalSupport, ProposalSupport.user_id == User.id)
        .where(ProposalSupport.proposal_id == proposal.id)
        .order_by(ProposalSupport.id)
    )
    title = proposal.title
    subject = Later(lambda: _("A proposal you support has an answer: “%(title)s”", title=title))
    ctx = _proposal_context(proposal)
    occasion = _answer_occasion(proposal)
    return sum(
        queue(session, person, Kind.SUPPORTED_ANSWERED, occasion, subject, ctx, now=now) is not None
        for person in people
        if person.id != proposal.author_id
    )
