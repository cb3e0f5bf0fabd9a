"""Flagging: anyone signed in reports a proposal or a public comment to the lead agency's staff,
once per person and item, at most FLAGS_PER_HOUR flags an hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, TooMany
from coprod.i18n import _, ngettext
from coprod.models import ContentFlag, Feedback, Proposal, User
from coprod.services import audit
from coprod.services.engagement import limit
from coprod.services.engagement.moderation._common import _flags_of
from coprod.services.engagement.moderation.items import Item, clean_reason


def flags_per_hour() -> int:
    return limit("FLAGS_PER_HOUR")


@dataclass(frozen=True)
class Flagged:
    """The person's flag on the item; `created` is False when they had flagged it before."""

    flag: ContentFlag
    created: bool


def flag_proposal(
    session: Session, actor: User | None, proposal: Proposal, *, reason: str | None, now: datetime
) -> Flagged:
    """Someone signed in reports a proposal to the lead agency's staff (once per person)."""
    policy.require(actor, "proposal.flag", proposal)
    if proposal.hidden_at is not None:
        raise Conflict(_("This proposal is already hidden."))
    return _flag(
        session, actor, proposal, proposal.programme_id, clean_reason(reason, required=False), now
    )


def flag_feedback(
    session: Session, actor: User | None, feedback: Feedback, *, reason: str | None, now: datetime
) -> Flagged:
    """Someone signed in reports a public comment to the lead agency's staff (once per
    person); a comment only the organisers read is not shown to anyone to report."""
    policy.require(actor, "feedback.flag", feedback)
    if not feedback.public:
        raise Conflict(_("Only public comments can be reported."))
    if feedback.hidden_at is not None:
        raise Conflict(_("This comment is already hidden."))
    return _flag(
        session, actor, feedback, feedback.programme_id, clean_reason(reason, required=False), now
    )


def _own_flag(session: Session, actor: User, item: Item) -> ContentFlag | None:
    return session.scalar(
        select(ContentFlag).where(_flags_of(item), ContentFlag.user_id == actor.id)
    )


def _refuse_over_limit(session: Session, actor: User, now: datetime) -> None:
    limit = flags_per_hour()
    recent = session.scalar(
        select(func.count(ContentFlag.id)).where(
            ContentFlag.user_id == actor.id, ContentFlag.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= limit:
        raise TooMany(
            ngettext(
                "You can report at most %(num)d item an hour. Try again later.",
                "You can report at most %(num)d items an hour. Try again later.",
                limit,
            )
        )


def _flag(
    session: Session, actor: User | None, item: Item, programme_id: int, reason: str, now: datetime
) -> Flagged:
    assert actor is not None  # the policy lets only signed-in people flag
    existing = _own_flag(session, actor, item)
    if existing is not None:
        return Flagged(existing, created=False)
    _refuse_over_limit(session, actor, now)
    flag = ContentFlag(programme_id=programme_id, user_id=actor.id, reason=reason, created_at=now)
    if isinstance(item, Proposal):
        flag.proposal_id = item.id
    else:
        flag.feedback_id = item.id
    try:
        with session.begin_nested():  # two clicks at once: the unique pair keeps one flag
            session.add(flag)
    except IntegrityError:
        found = _own_flag(session, actor, item)
        assert found is not None
        return Flagged(found, created=False)
    after = {"flag_id": flag.id}  # the reason stays on the flag, out of the audit detail
    audit.record(
        session,
        actor,
        "proposal.flagged" if isinstance(item, Proposal) else "feedback.flagged",
        item,
        after=after,
        at=now,
    )
    return Flagged(flag, created=True)
