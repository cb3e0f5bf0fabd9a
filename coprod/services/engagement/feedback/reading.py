"""Reading feedback: a person's own, a task's figures, its public comments without names, and
every item with its author for the task's organisers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Feedback, Task, User
from coprod.services.keyset import Key, Window, window


def former_volunteer() -> str:
    """The name shown for feedback whose author's account is gone."""
    return _("A former volunteer")


def my_feedback(session: Session, actor: User | None, task: Task) -> Feedback | None:
    """The person's own feedback on the task, if they gave it."""
    if actor is None:
        return None
    return session.scalar(
        select(Feedback).where(Feedback.task_id == task.id, Feedback.user_id == actor.id)
    )


def rated_tasks(session: Session, actor: User | None, task_ids: list[int]) -> set[int]:
    """Which of the tasks the person has given feedback on (one query, for a list)."""
    if actor is None or not task_ids:
        return set()
    stmt = select(Feedback.task_id).where(
        Feedback.user_id == actor.id, Feedback.task_id.in_(set(task_ids))
    )
    return set(session.scalars(stmt))


@dataclass(frozen=True)
class Summary:
    """A task's feedback in figures: `responses` and `average` count what is shown (hidden
    items left out), `comments` the public comments shown; `given` counts every item (for
    its organisers)."""

    responses: int
    average: float | None
    comments: int
    given: int


def feedback_summary(session: Session, task: Task) -> Summary:
    """The number of ratings and their average (hidden items left out), in one statement."""
    shown = Feedback.hidden_at.is_(None)
    public_comment = and_(shown, Feedback.public.is_(True), Feedback.comment != "")
    row = session.execute(
        select(
            func.count(case((shown, 1))),
            func.avg(case((shown, Feedback.rating))),
            func.count(case((public_comment, 1))),
            func.count(),
        ).where(Feedback.task_id == task.id)
    ).one()
    responses, average, comments, given = row
    mean = round(float(average), 2) if responses and average is not None else None
    return Summary(
        responses=int(responses or 0),
        average=mean,
        comments=int(comments or 0),
        given=int(given or 0),
    )


@dataclass(frozen=True)
class PublicComment:
    """A public comment as everyone sees it: no author."""

    id: int
    task_id: int
    rating: int
    comment: str
    date: date
    created_at: datetime


# Newest first, the id breaking ties: ix_feedback_task_created (task_id, created_at, id)
# serves a task's list read backwards.
FEEDBACK_KEYS = (
    Key(Feedback.created_at.expression, datetime, descending=True),
    Key(Feedback.id.expression, descending=True),
)


def public_feedback(
    session: Session,
    actor: User | None,
    task: Task,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[PublicComment]:
    """The task's public comments that are not hidden, newest first, without their authors:
    the window after (or before) a cursor."""
    policy.require(actor, "task.view", task)
    stmt = select(Feedback).where(
        Feedback.task_id == task.id,
        Feedback.public.is_(True),
        Feedback.hidden_at.is_(None),
        Feedback.comment != "",
        policy.visible_feedback(actor),
    )
    found = window(session, stmt, FEEDBACK_KEYS, after=after, before=before, per_page=per_page)
    items = [
        PublicComment(f.id, f.task_id, f.rating, f.comment, f.date, f.created_at)
        for f in found.items
    ]
    return replace(found, items=items)


def task_feedback(
    session: Session,
    actor: User | None,
    task: Task,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[Feedback]:
    """Every rating and comment on the task with its author, newest first (the window after
    or before a cursor): for its organisers (coordinators, co-coordinator, the lead agency's
    staff)."""
    policy.require(actor, "task.view_feedback", task)
    stmt = (
        select(Feedback)
        .where(Feedback.task_id == task.id, policy.visible_feedback(actor))
        .options(joinedload(Feedback.author))
    )
    return window(session, stmt, FEEDBACK_KEYS, after=after, before=before, per_page=per_page)


def author_name(item: Feedback) -> str:
    """The author's display name (for the organisers' list only)."""
    return item.author.display_name if item.author is not None else former_volunteer()


def get_feedback(session: Session, actor: User | None, feedback_id: int) -> Feedback:
    """One item of feedback, for who may see it (NotFound otherwise)."""
    item = session.get(
        Feedback, feedback_id, options=[joinedload(Feedback.task).joinedload(Task.programme)]
    )
    if item is None:
        raise NotFound(_("No such feedback."))
    policy.require(actor, "feedback.view", item)
    return item


def shows_author(actor: User | None, item: Feedback) -> bool:
    """Whether the reader may see who gave the item: the task's organisers, and the author."""
    if actor is not None and item.user_id == actor.id:
        return True
    return policy.can(actor, "task.view_feedback", item.task)
