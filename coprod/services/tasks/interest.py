""" "I'm interested" in an ongoing task: the person joins the task's contact list, which its
coordinators and the lead agency's staff read (policy "task.view_interested")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _l
from coprod.models import TaskInterest, TaskStatus, User
from coprod.models.tasks import Task
from coprod.services import audit
from coprod.services.accounts import require_confirmed
from coprod.services.pagination import Page, paginate

NOT_ONGOING = _l("Only an open ongoing task takes interest: sign up for one of its shifts instead.")


def get_interest(session: Session, actor: User | None, task: Task) -> TaskInterest | None:
    """The person's interest in the task, if they said they are interested."""
    if actor is None:
        return None
    return session.scalar(
        select(TaskInterest).where(
            TaskInterest.task_id == task.id, TaskInterest.user_id == actor.id
        )
    )


def express_interest(
    session: Session, actor: User | None, task: Task, *, now: datetime
) -> TaskInterest:
    """Put the person on an open ongoing task's contact list (once: saying it again changes
    nothing); like signing up, this needs a confirmed email address."""
    policy.require(actor, "task.interest", task)
    assert actor is not None  # the policy lets only signed-in people through
    require_confirmed(actor)
    if not task.ongoing or task.status != TaskStatus.OPEN:
        raise Conflict(str(NOT_ONGOING))
    existing = get_interest(session, actor, task)
    if existing is not None:
        return existing
    interest = TaskInterest(task_id=task.id, user_id=actor.id, created_at=now)
    try:
        with session.begin_nested():  # two clicks at once: the unique pair keeps one row
            session.add(interest)
    except IntegrityError:
        found = get_interest(session, actor, task)
        assert found is not None
        return found
    audit.record(session, actor, "task.interest_added", task, after={"user_id": actor.id})
    return interest


def withdraw_interest(session: Session, actor: User | None, task: Task) -> bool:
    """Take the person off the task's contact list (whatever the task's state); True when
    they were on it, False when there was nothing to take off."""
    policy.require(actor, "task.interest", task)
    assert actor is not None
    result = session.execute(
        delete(TaskInterest).where(
            TaskInterest.task_id == task.id, TaskInterest.user_id == actor.id
        ),
        execution_options={"synchronize_session": "fetch"},
    )
    removed = bool(getattr(result, "rowcount", 0))
    if removed:
        audit.record(session, actor, "task.interest_removed", task, before={"user_id": actor.id})
    return removed


def list_interested(
    session: Session, actor: User | None, task: Task, *, page: int = 1, per_page: int = 50
) -> Page[TaskInterest]:
    """The task's contact list (active accounts, the earliest first) for its coordinators and
    the lead agency's staff."""
    policy.require(actor, "task.view_interested", task)
    stmt = (
        select(TaskInterest)
        .join(TaskInterest.person)
        .where(
            TaskInterest.task_id == task.id,
            policy.visible_task_interests(actor),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
        .options(joinedload(TaskInterest.person))
        .order_by(TaskInterest.created_at, TaskInterest.id)
    )
    return paginate(session, stmt, page, per_page)
