"""Moderation: anyone signed in flags a proposal or a public comment (once per person and
item, at most FLAGS_PER_HOUR flags an hour); the lead agency's staff hide it with a reason its
author reads, restore it, or dismiss the flags; their queue lists what was flagged or hidden."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, false, func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Conflict, Invalid, NotFound, TooMany
from coprod.i18n import _, ngettext
from coprod.models import ContentFlag, Feedback, Programme, Proposal, Task, User
from coprod.services import audit
from coprod.services.engagement import limit
from coprod.services.keyset import Key, Window, window
from coprod.services.text import clean_text, storable

MAX_REASON = 500
# The latest flag reasons shown with an item in the queue.
REASONS_SHOWN = 3
HIDE_FIELDS = ["hidden_at", "hidden_reason", "hidden_by_id"]
# Line breaks typed in a text box become spaces; every other control character is refused.
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
Item = Proposal | Feedback
Show = Literal["open", "hidden"]
SHOWS: tuple[Show, ...] = ("open", "hidden")


def flags_per_hour() -> int:
    return limit("FLAGS_PER_HOUR")


def clean_reason(raw: str | None, *, required: bool) -> str:
    """A flag's or a hide's reason: one paragraph (line breaks become spaces), no other
    control characters, at most MAX_REASON characters; required to hide."""
    text = raw or ""
    if storable(text):
        text = _BREAKS.sub(" ", text)
    return clean_text(text, "reason", _("The reason"), max_len=MAX_REASON, required=required)


# --- reading one item -------------------------------------------------------------------------


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


def _kind(item: Item) -> str:
    return "proposal" if isinstance(item, Proposal) else "feedback"


def _flags_of(item: Item) -> ColumnElement[bool]:
    if isinstance(item, Proposal):
        return ContentFlag.proposal_id == item.id
    return ContentFlag.feedback_id == item.id


# --- flagging ---------------------------------------------------------------------------------


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


# --- hiding, restoring, dismissing ------------------------------------------------------------


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


# --- the queue --------------------------------------------------------------------------------


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


__all__ = [
    "MAX_REASON",
    "Flagged",
    "QueueItem",
    "clean_reason",
    "dismiss_flags",
    "flag_feedback",
    "flag_proposal",
    "flags_per_hour",
    "get_feedback",
    "get_proposal",
    "hide_feedback",
    "hide_proposal",
    "moderation_queue",
    "open_flag_count",
    "open_flags_by_programme",
    "open_flags_of",
]
