"""What moderation deals with: proposals and public comments (reading one for a decision), and
what a reason to flag or hide one may say."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Feedback, Proposal, Task, User
from coprod.services.text import clean_text, storable

MAX_REASON = 500

# Line breaks typed in a text box become spaces; every other control character is refused.
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
Item = Proposal | Feedback


def clean_reason(raw: str | None, *, required: bool) -> str:
    """A flag's or a hide's reason: one paragraph (line breaks become spaces), no other
    control characters, at most MAX_REASON characters; required to hide."""
    text = raw or ""
    if storable(text):
        text = _BREAKS.sub(" ", text)
    return clean_text(text, "reason", _("The reason"), max_len=MAX_REASON, required=required)


def get_proposal(session: Session, actor: User | None, proposal_id: int) -> Proposal:
    """The proposal, if this person may see it."""
    proposal = session.scalar(
        select(Proposal).where(Proposal.id == proposal_id).options(joinedload(Proposal.programme))
    )
    if proposal is None or not policy.can(actor, "proposal.view", proposal):
        raise NotFound(_("No such proposal."))
    return proposal


def get_feedback(session: Session, actor: User | None, feedback_id: int) -> Feedback:
    """The feedback, if this person may see it."""
    feedback = session.scalar(
        select(Feedback)
        .where(Feedback.id == feedback_id)
        .options(joinedload(Feedback.task).joinedload(Task.programme))
    )
    if feedback is None or not policy.can(actor, "feedback.view", feedback):
        raise NotFound(_("No such comment."))
    return feedback
