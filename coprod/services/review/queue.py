"""The review queue: the logs a reviewer may decide on, filtered, and its filters' choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from coprod import policy
from coprod.errors import NotAllowed
from coprod.i18n import _
from coprod.models import ContributionLog, LogStatus, OutcomeQuantity, Programme, Task, User
from coprod.services.keyset import Count, Key, Window, capped_count, window
from coprod.services.pagination import clamp
from coprod.services.text import contains


def _require_queue(actor: User) -> None:
    if not policy.can(actor, "log.review_queue"):
        raise NotAllowed(_("Only reviewers of an agency can see the review queue."))


def reviewed_programmes(session: Session, actor: User) -> list[Programme]:
    """The programmes led by the agencies where the actor is a reviewer (for the queue's
    filter: policy.reviewed_programmes)."""
    _require_queue(actor)
    stmt = select(Programme).where(policy.reviewed_programmes(actor))
    return list(session.scalars(stmt.order_by(Programme.name)))


def reviewed_tasks(session: Session, actor: User, programme_id: int | None) -> list[Task]:
    """The tasks of those programmes (of one of them when given), for the queue's filter:
    those the actor may see, and those with a log they may review (a cancelled task's)."""
    _require_queue(actor)
    reviewed = select(Programme.id).where(policy.reviewed_programmes(actor))
    has_log = exists().where(ContributionLog.task_id == Task.id, policy.reviewable_logs(actor))
    stmt = (
        select(Task)
        .where(Task.programme_id.in_(reviewed), or_(policy.visible_tasks(actor), has_log))
        .order_by(Task.title)
        .limit(500)
    )
    if programme_id is not None:
        stmt = stmt.where(Task.programme_id == programme_id)
    return list(session.scalars(stmt))


# The queue's order: oldest submission first (the id breaks ties). Served by the indexes
# ix_contribution_log_status_submitted (one status), ix_contribution_log_submitted (all
# statuses), and the programme's and task's twins of them (revision 0016).
QUEUE_KEYS = (
    Key(ContributionLog.submitted_at.expression, datetime),
    Key(ContributionLog.id.expression),
)


@dataclass(frozen=True)
class Queue:
    """One window of the review queue and how many logs match its filters (capped: "more than
    1,000")."""

    window: Window[ContributionLog]
    count: Count

    @property
    def items(self) -> list[ContributionLog]:
        return self.window.items


def review_queue(
    session: Session,
    actor: User,
    programme_id: int | None = None,
    task_id: int | None = None,
    contributor: str = "",
    status: LogStatus | None = LogStatus.SUBMITTED,
    after: str | None = None,
    before: str | None = None,
    per_page: Any = 20,
) -> Queue:
    """The logs the actor may review (policy.reviewable_logs: the programmes their agency
    leads, never their own), oldest submission first, filtered: the window after (or before)
    a cursor, and the number of matching logs counted up to a cap."""
    _require_queue(actor)
    _, pp = clamp(1, per_page)
    stmt: Select[Any] = select(ContributionLog).where(policy.reviewable_logs(actor))
    if status is not None:
        stmt = stmt.where(ContributionLog.status == status)
    if programme_id is not None:
        stmt = stmt.where(ContributionLog.programme_id == programme_id)
    if task_id is not None:
        stmt = stmt.where(ContributionLog.task_id == task_id)
    text = (contributor or "").strip()
    if text:
        stmt = stmt.join(User, ContributionLog.user_id == User.id).where(
            contains(text, User.display_name, User.email)
        )
    found = window(
        session,
        # The log's task (with its programme) comes by a query of its own for the whole window:
        # joined into the window's statement, those two tables cost PostgreSQL 6-20 ms to plan
        # against well under 1 ms to run (bench/plans.py); the person, organisation and shift
        # joined add a fraction of a millisecond, and save a statement each.
        stmt.options(
            selectinload(ContributionLog.task).joinedload(Task.programme),
            joinedload(ContributionLog.contributor),
            joinedload(ContributionLog.organisation),
            joinedload(ContributionLog.shift),
            # What the reviewer reads on the queue: a query each for the window, not per log.
            selectinload(ContributionLog.outcomes).joinedload(OutcomeQuantity.metric),
            selectinload(ContributionLog.in_kind),
        ),
        QUEUE_KEYS,
        after=after,
        before=before,
        per_page=pp,
    )
    if found.first and not found.has_next:  # the whole list is on this window
        return Queue(window=found, count=Count(n=len(found.items), more=False))
    return Queue(
        window=found, count=capped_count(session, stmt.with_only_columns(ContributionLog.id))
    )
