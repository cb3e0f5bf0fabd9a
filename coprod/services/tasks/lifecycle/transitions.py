"""A task's statuses and their moves: publishing, closing, completing, cancelling its sign-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _, _l
from coprod.models import Signup, SignupStatus, Task, TaskStatus
from coprod.services import audit, notifications
from coprod.services import task_figures as figures
from coprod.services.shift_state import has_started
from coprod.services.signups import free_seat, lock_shifts
from coprod.services.tasks.lifecycle._common import Actor

ONGOING_HAS_NO_SHIFTS = _l(
    "An ongoing task has no shifts: people log their hours whenever they do the work. "
    'To add shifts to a draft, edit it and untick "Ongoing" first; for an open task, post a '
    "new task with shifts."
)


# A status inside a sentence ("A task that is draft cannot become completed.").
STATUS_WORDS = {
    TaskStatus.DRAFT: _l("draft"),
    TaskStatus.OPEN: _l("open"),
    TaskStatus.CLOSED: _l("closed"),
    TaskStatus.COMPLETED: _l("completed"),
    TaskStatus.CANCELLED: _l("cancelled"),
}


def status_word(status: TaskStatus) -> str:
    """The status as a word inside a sentence, in the reader's language."""
    return str(STATUS_WORDS[status])


# The lifecycle: draft → open → closed → completed; cancelled from draft, open or closed.
TRANSITIONS: dict[TaskStatus, set[TaskStatus]] = {
    TaskStatus.DRAFT: {TaskStatus.OPEN, TaskStatus.CANCELLED},
    TaskStatus.OPEN: {TaskStatus.CLOSED, TaskStatus.CANCELLED},
    TaskStatus.CLOSED: {TaskStatus.COMPLETED, TaskStatus.CANCELLED},
    TaskStatus.COMPLETED: set(),
    TaskStatus.CANCELLED: set(),
}
# A sign-up in one of these is still "on" the shift and is cancelled with the task.
LIVE_SIGNUPS = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
FINISHED = (TaskStatus.COMPLETED, TaskStatus.CANCELLED)


def transition_task(
    session: Session, actor: Actor, task: Task, to_status: TaskStatus | str, *, now: datetime
) -> Task:
    """Move a task along draft → open → closed → completed (or to cancelled from draft, open
    or closed); publishing needs a shift in the future, cancelling cancels its sign-ups."""
    policy.require(actor, "task.manage", task)
    try:
        to = TaskStatus(to_status)
    except ValueError:
        raise Invalid("to", _("Choose a status the task can move to.")) from None
    if to not in TRANSITIONS[task.status]:
        raise Conflict(
            _(
                "A task that is %(status)s cannot become %(to)s.",
                status=status_word(task.status),
                to=status_word(to),
            )
        )
    if to == TaskStatus.OPEN and not ready_to_publish(task, now):
        raise Conflict(_("Add at least one shift in the future before publishing this task."))
    before = {"status": task.status.value}
    if to == TaskStatus.CANCELLED:
        cancelled = _cancel_signups(session, actor, task)
        notifications.task_cancelled(session, task, cancelled, now=now)
    task.status = to
    audit.record(
        session, actor, f"task.{to.value}", task, before=before, after={"status": to.value}
    )
    figures.refresh(session, [task.id], now)  # seats given back; a reopened task is current
    return task


def ready_to_publish(task: Task, now: datetime) -> bool:
    """A task can be published when it is ongoing (it has no shifts) or has a future shift."""
    return task.ongoing or any(not has_started(s, now) and not s.is_cancelled for s in task.shifts)


def refuse_shifts_if_ongoing(task: Task) -> None:
    """An ongoing task gets no shifts (every way of adding shifts calls this)."""
    if task.ongoing:
        raise Conflict(str(ONGOING_HAS_NO_SHIFTS))


def _cancel_signups(session: Session, actor: Actor, task: Task) -> list[Signup]:
    """Cancel every confirmed or waitlisted sign-up of the task and free their seats."""
    shift_ids = [s.id for s in task.shifts]
    if not shift_ids:
        return []
    lock_shifts(session, *task.shifts)  # the lock order: shifts, then their sign-ups
    signups = session.scalars(
        select(Signup)
        .where(Signup.shift_id.in_(shift_ids), Signup.status.in_(LIVE_SIGNUPS))
        .order_by(Signup.id)
        .with_for_update(of=Signup, key_share=True)
        .execution_options(populate_existing=True)
    ).all()
    by_shift = {s.id: s for s in task.shifts}
    for signup in signups:
        if signup.status == SignupStatus.CONFIRMED:
            free_seat(session, by_shift[signup.shift_id])  # a guarded update, not read-then-write
        before = {"status": signup.status.value}
        signup.status = SignupStatus.CANCELLED
        audit.record(
            session,
            actor,
            "signup.cancelled_with_task",
            signup,
            before=before,
            after={"status": SignupStatus.CANCELLED.value, "task_id": task.id},
        )
    session.flush()
    return list(signups)
