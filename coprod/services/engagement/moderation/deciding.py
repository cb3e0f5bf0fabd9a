"""Deciding: the lead agency's staff hide an item with a reason its author reads, restore it,
or dismiss its flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import ContentFlag, Feedback, Proposal, User
from coprod.services import audit
from coprod.services.engagement.moderation._common import _flags_of, _kind
from coprod.services.engagement.moderation.items import Item, clean_reason

HIDE_FIELDS = ["hidden_at", "hidden_reason", "hidden_by_id"]


def _lock(session: Session, item: Item) -> None:
    """Lock the item's row and re-read it: two staff deciding at once, the second decides on
    what the first committed (a Conflict), never on what it loaded before."""
    model = type(item)
    session.scalars(
        select(model)
        .where(model.id == item.id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    ).one()


def _resolve_flags(session: Session, actor: User, item: Item, now: datetime) -> int:
    result = session.execute(
        update(ContentFlag)
        .where(_flags_of(item), ContentFlag.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=actor.id),
        execution_options={"synchronize_session": "fetch"},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _already_hidden(item: Item) -> str:
    if isinstance(item, Proposal):
        return _("This proposal is already hidden.")
    return _("This comment is already hidden.")


def _hide(
    session: Session, actor: User | None, item: Item, reason: str | None, now: datetime
) -> None:
    policy.require(actor, f"{_kind(item)}.hide", item)
    assert actor is not None
    text = clean_reason(reason, required=True)
    _lock(session, item)
    if item.hidden_at is not None:
        raise Conflict(_already_hidden(item))
    before = audit.snapshot(item, HIDE_FIELDS)
    item.hidden_at, item.hidden_reason, item.hidden_by_id = now, text, actor.id
    if isinstance(item, Feedback):
        item.changed_at = now  # its rating leaves the reports: the sweep rebuilds the period
    resolved = _resolve_flags(session, actor, item, now)
    after = {**audit.snapshot(item, HIDE_FIELDS), "flags_resolved": resolved}
    audit.record(
        session,
        actor,
        "proposal.hidden" if isinstance(item, Proposal) else "feedback.hidden",
        item,
        before=before,
        after=after,
        at=now,
    )
    session.flush()


def hide_proposal(
    session: Session, actor: User | None, proposal: Proposal, *, reason: str | None, now: datetime
) -> Proposal:
    """Lead staff hide a proposal from the public pages, with a reason its author reads; its
    open flags are resolved."""
    _hide(session, actor, proposal, reason, now)
    return proposal


def hide_feedback(
    session: Session, actor: User | None, feedback: Feedback, *, reason: str | None, now: datetime
) -> Feedback:
    """Lead staff hide a comment (and its rating leaves the reports), with a reason its
    author reads; its open flags are resolved."""
    _hide(session, actor, feedback, reason, now)
    return feedback


def _restore(session: Session, actor: User | None, item: Item, now: datetime) -> None:
    policy.require(actor, f"{_kind(item)}.hide", item)
    _lock(session, item)
    if item.hidden_at is None:
        raise Conflict(_("It is not hidden: there is nothing to restore."))
    before = audit.snapshot(item, HIDE_FIELDS)
    item.hidden_at, item.hidden_reason, item.hidden_by_id = None, "", None
    if isinstance(item, Feedback):
        item.changed_at = now  # its rating counts again
    after = audit.snapshot(item, HIDE_FIELDS)
    audit.record(
        session,
        actor,
        "proposal.restored" if isinstance(item, Proposal) else "feedback.restored",
        item,
        before=before,
        after=after,
        at=now,
    )
    session.flush()


def restore_proposal(
    session: Session, actor: User | None, proposal: Proposal, *, now: datetime
) -> Proposal:
    """Lead staff undo a hide: the proposal is public again."""
    _restore(session, actor, proposal, now)
    return proposal


def restore_feedback(
    session: Session, actor: User | None, feedback: Feedback, *, now: datetime
) -> Feedback:
    """Lead staff undo a hide: the comment is public again and its rating counts again."""
    _restore(session, actor, feedback, now)
    return feedback


def dismiss_flags(session: Session, actor: User | None, item: Item, now: datetime) -> int:
    """Lead staff find the item fine: its open flags are resolved and it stays shown; the
    number of flags dismissed (0 when none was open)."""
    policy.require(actor, f"{_kind(item)}.hide", item)
    assert actor is not None
    dismissed = _resolve_flags(session, actor, item, now)
    if dismissed:
        after = {"flags_resolved": dismissed}
        audit.record(
            session,
            actor,
            "proposal.flags_dismissed"
            if isinstance(item, Proposal)
            else "feedback.flags_dismissed",
            item,
            after=after,
            at=now,
        )
    session.flush()
    return dismissed


def open_flags_of(session: Session, actor: User | None, item: Item) -> list[ContentFlag]:
    """The item's open flags, the latest first, for the lead staff deciding on it."""
    policy.require(actor, f"{_kind(item)}.hide", item)
    return list(
        session.scalars(
            select(ContentFlag)
            .where(_flags_of(item), ContentFlag.resolved_at.is_(None))
            .order_by(ContentFlag.created_at.desc(), ContentFlag.id.desc())
            .limit(100)
        )
    )
