"""Community engagement: who may propose, support and answer proposals, and give, see and
moderate feedback on a task."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select

from coprod.models import Feedback, Programme, Proposal, Role, Task
from coprod.policy._common import (
    Actor,
    _active,
    _any,
    _coordinated,
    _lead_staff,
    _led_by,
    _own,
    _task_coordinator,
)
from coprod.policy.tasks import _task_view, visible_tasks


def _programme_propose(user: Actor, programme: Programme) -> bool:
    """Anyone signed in may propose a task for a programme that accepts proposals (the
    service also asks for a confirmed email address)."""
    return _active(user) and programme.accepts_proposals


def _programme_moderate(user: Actor, programme: Programme) -> bool:
    """The lead agency's staff answer proposals and moderate what is shown of the programme."""
    return _lead_staff(user, programme)


def moderated_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.moderate, on Programme."""
    return _led_by(Programme.id, user, Role.STAFF)


def _proposal_view(user: Actor, proposal: Proposal) -> bool:
    """A proposal is public until it is hidden; then its author and the lead agency's staff
    still see it (the author reads the reason)."""
    if proposal.hidden_at is None:
        return True
    own = _active(user) and user is not None and proposal.author_id == user.id
    return own or _lead_staff(user, proposal.programme)


def visible_proposals(user: Actor) -> ColumnElement[bool]:
    """Twin of proposal.view, on Proposal."""
    return _any(
        Proposal.hidden_at.is_(None),
        _own(user, Proposal.author_id),
        _led_by(Proposal.programme_id, user, Role.STAFF),
    )


def _proposal_support(user: Actor, proposal: Proposal) -> bool:
    """Anyone signed in may support a proposal they can see (the service checks it still
    waits for an answer and is not hidden)."""
    return _active(user) and _proposal_view(user, proposal)


def _proposal_answer(user: Actor, proposal: Proposal) -> bool:
    return _programme_moderate(user, proposal.programme)


def _feedback_give(user: Actor, task: Task) -> bool:
    """Anyone signed in may try; the service refuses (403) those who neither attended one of
    the task's shifts nor logged hours on it."""
    return _active(user) and _task_view(user, task)


def _task_view_feedback(user: Actor, task: Task) -> bool:
    """Every rating and comment on a task, with the authors' names: its coordinators and the
    lead agency's staff."""
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def _feedback_view(user: Actor, feedback: Feedback) -> bool:
    """A public comment that is not hidden is shown to everyone (without a name); the author
    sees their own; the task's organisers see all."""
    if feedback.public and feedback.hidden_at is None and _task_view(user, feedback.task):
        return True
    own = _active(user) and user is not None and feedback.user_id == user.id
    return own or _task_view_feedback(user, feedback.task)


def visible_feedback(user: Actor) -> ColumnElement[bool]:
    """Twin of feedback.view, on Feedback."""
    public = and_(
        Feedback.public.is_(True),
        Feedback.hidden_at.is_(None),
        Feedback.task_id.in_(select(Task.id).where(visible_tasks(user))),
    )
    run = _any(_led_by(Task.programme_id, user, Role.STAFF), _coordinated(user))
    organised = false() if run is false() else Feedback.task_id.in_(select(Task.id).where(run))
    return _any(public, _own(user, Feedback.user_id), organised)


def _feedback_flag(user: Actor, feedback: Feedback) -> bool:
    return _active(user) and _feedback_view(user, feedback)


def _feedback_moderate(user: Actor, feedback: Feedback) -> bool:
    return _lead_staff(user, feedback.task.programme)
