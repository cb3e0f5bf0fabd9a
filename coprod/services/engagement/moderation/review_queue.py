"""The moderation queue: what was flagged (or hidden) in a programme, a window at a time, and
how many open flags wait for a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, case, false, func, literal, select, union_all
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import ContentFlag, Feedback, Programme, Proposal, User
from coprod.services.engagement.moderation.items import Item
from coprod.services.keyset import Key, Window, window

# The latest flag reasons shown with an item in the queue.
REASONS_SHOWN = 3

Show = Literal["open", "hidden"]
SHOWS: tuple[Show, ...] = ("open", "hidden")


@dataclass
class QueueItem:
    """One flagged or hidden item of the queue, with what lead staff need to decide."""

    kind: str  # "proposal" or "feedback"
    item: Item
    open_flags: int = 0
    latest_flag_at: datetime | None = None
    reasons: list[str] = field(default_factory=list)  # the latest non-empty ones first

    @property
    def author(self) -> User | None:
        return self.item.author


def _open_rows(programme: Programme) -> tuple[Select[Any], tuple[Key, ...]]:
    """(kind, item id, sort time, open flags) for each item of the programme with open flags,
    and its keys: the most recently flagged first (then the item id, then its kind). The open
    flags of one programme are found by ix_content_flag_open and grouped: moderation keeps
    them few, so the window is cut from the groups, not from an index."""
    kind = case((ContentFlag.proposal_id.is_not(None), literal("proposal")), else_="feedback")
    item_id = func.coalesce(ContentFlag.proposal_id, ContentFlag.feedback_id)
    latest = func.max(ContentFlag.created_at)
    grouped = (
        select(kind.label("kind"), item_id.label("id"), latest.label("at"), func.count().label("n"))
        .where(ContentFlag.programme_id == programme.id, ContentFlag.resolved_at.is_(None))
        .group_by(ContentFlag.proposal_id, ContentFlag.feedback_id)
        .subquery()
    )
    keys = (
        Key(grouped.c.at, datetime, descending=True),
        Key(grouped.c.id, descending=True),
        Key(grouped.c.kind, str, descending=True),
    )
    return select(grouped), keys


def _hidden_rows(programme: Programme) -> tuple[Select[Any], tuple[Key, ...]]:
    """(kind, item id, hidden at, 0) for the programme's hidden items, and its keys: the
    latest hidden first, then proposals before comments, then the newest id."""
    proposals = select(
        literal("proposal").label("kind"),
        Proposal.id.label("id"),
        Proposal.hidden_at.label("at"),
        literal(0).label("n"),
    ).where(Proposal.programme_id == programme.id, Proposal.hidden_at.is_not(None))
    comments = select(literal("feedback"), Feedback.id, Feedback.hidden_at, literal(0)).where(
        Feedback.programme_id == programme.id, Feedback.hidden_at.is_not(None)
    )
    both = union_all(proposals, comments).subquery()
    keys = (
        Key(both.c.at, datetime, descending=True),
        Key(both.c.kind, str),
        Key(both.c.id, descending=True),
    )
    return select(both), keys


def _load_items(session: Session, rows: Sequence[Any]) -> dict[tuple[str, int], Item]:
    proposal_ids = [r.id for r in rows if r.kind == "proposal"]
    feedback_ids = [r.id for r in rows if r.kind == "feedback"]
    found: dict[tuple[str, int], Item] = {}
    if proposal_ids:
        for p in session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(proposal_ids))
            .options(joinedload(Proposal.author))
        ):
            found[("proposal", p.id)] = p
    if feedback_ids:
        for f in session.scalars(
            select(Feedback)
            .where(Feedback.id.in_(feedback_ids))
            .options(joinedload(Feedback.author), joinedload(Feedback.task))
        ):
            found[("feedback", f.id)] = f
    return found


def _latest_reasons(session: Session, items: list[QueueItem]) -> None:
    proposal_ids = [q.item.id for q in items if q.kind == "proposal"]
    feedback_ids = [q.item.id for q in items if q.kind == "feedback"]
    if not proposal_ids and not feedback_ids:
        return
    flags = session.execute(
        select(ContentFlag.proposal_id, ContentFlag.feedback_id, ContentFlag.reason)
        .where(
            ContentFlag.resolved_at.is_(None),
            ContentFlag.reason != "",
            ContentFlag.proposal_id.in_(proposal_ids) | ContentFlag.feedback_id.in_(feedback_ids),
        )
        .order_by(ContentFlag.created_at.desc(), ContentFlag.id.desc())
    ).all()
    by_key = {(q.kind, q.item.id): q for q in items}
    for proposal_id, feedback_id, reason in flags:
        key = ("proposal", proposal_id) if proposal_id is not None else ("feedback", feedback_id)
        entry = by_key.get(key)  # type: ignore[arg-type]
        if entry is not None and len(entry.reasons) < REASONS_SHOWN:
            entry.reasons.append(reason)


def moderation_queue(
    session: Session,
    actor: User | None,
    programme: Programme,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    show: str = "open",
) -> Window[QueueItem]:
    """For the programme's lead staff: the items with open flags (how many, the latest
    reasons, the text and its author), or the hidden items, a window at a time (after or
    before a cursor)."""
    policy.require(actor, "programme.moderate", programme)
    if show not in SHOWS:
        raise Invalid("show", _("Show the reported items or the hidden ones."))
    stmt, keys = _open_rows(programme) if show == "open" else _hidden_rows(programme)
    found = window(session, stmt, keys, after=after, before=before, per_page=per_page, rows=True)
    rows = found.items
    loaded = _load_items(session, rows)
    items = [
        QueueItem(r.kind, loaded[(r.kind, r.id)], int(r.n), r.at if show == "open" else None)
        for r in rows
        if (r.kind, r.id) in loaded
    ]
    if show == "open":
        _latest_reasons(session, items)
    return replace(found, items=items)


def open_flags_by_programme(session: Session, actor: User | None) -> list[tuple[Programme, int]]:
    """The programmes this person moderates that have open flags, with how many (the staff
    home page); one query."""
    moderated = policy.moderated_programmes(actor)
    if moderated is false():  # no agency where the person is staff: no query
        return []
    rows = session.execute(
        select(Programme, func.count(ContentFlag.id))
        .join(ContentFlag, ContentFlag.programme_id == Programme.id)
        .where(moderated, ContentFlag.resolved_at.is_(None))
        .group_by(Programme.id)
        .order_by(Programme.name, Programme.id)
    ).all()
    return [(programme, int(n)) for programme, n in rows]


def open_flag_count(session: Session, actor: User | None) -> int:
    """How many open flags wait for this person across the programmes they moderate."""
    return sum(n for _programme, n in open_flags_by_programme(session, actor))
