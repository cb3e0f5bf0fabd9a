"""Who may see and run a task, its shifts and their sign-ups."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from coprod.models import Role, Shift, Signup, Task, TaskInterest, TaskStatus
from coprod.policy._common import (
    PUBLIC_TASK_STATUSES,
    Actor,
    _active,
    _any,
    _in,
    _lead_staff,
    _led_by,
    _own,
    _task_coordinator,
    org_ids_with_role,
)
from coprod.policy.programmes import _programme_manage


def _task_view(user: Actor, task: Task) -> bool:
    if task.status in PUBLIC_TASK_STATUSES:
        return True
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def visible_tasks(user: Actor) -> ColumnElement[bool]:
    """Twin of task.view, on Task: open, closed and completed tasks for everyone, drafts and
    cancelled tasks for the lead agency's staff and the task's coordinators."""
    return _any(
        Task.status.in_(PUBLIC_TASK_STATUSES),
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )


def _task_manage(user: Actor, task: Task) -> bool:
    return _programme_manage(user, task.programme)


def _task_edit_description(user: Actor, task: Task) -> bool:
    return _task_manage(user, task) or _task_coordinator(user, task)


def _task_interest(user: Actor, task: Task) -> bool:
    """Anyone signed in may say they are interested in a task they can see (the service checks
    that it is an open ongoing task)."""
    return _active(user) and _task_view(user, task)


def _task_view_interested(user: Actor, task: Task) -> bool:
    """The contact list of those interested (names, email, phone): the task's coordinators and
    the lead agency's staff."""
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def visible_task_interests(user: Actor) -> ColumnElement[bool]:
    """Twin of task.view_interested, on TaskInterest: the interests in the tasks whose
    programme the user's agency leads (as staff) or which their organisation coordinates."""
    run = _any(
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )
    return false() if run is false() else TaskInterest.task_id.in_(select(Task.id).where(run))


def _shift_sign_up(user: Actor, shift: Shift) -> bool:
    return _active(user) and shift.task.status == TaskStatus.OPEN


def _shift_assign(user: Actor, shift: Shift) -> bool:
    return _lead_staff(user, shift.task.programme) or _task_coordinator(user, shift.task)


def roster_tasks(user: Actor) -> ColumnElement[bool]:
    """Twin of shift.assign and shift.view_roster, on the Task of a query that joins each
    shift's task: the tasks whose programme the user's agency leads (as staff) or which their
    organisation coordinates. (As a test of the joined row, PostgreSQL need not first list
    every such task, as roster_shifts' IN makes it: 2.5 ms at the 10x medium world.)"""
    return _any(
        _led_by(Task.programme_id, user, Role.STAFF),
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )


def roster_shifts(user: Actor) -> ColumnElement[bool]:
    """Twin of shift.assign and shift.view_roster, on Shift: the shifts of roster_tasks."""
    run = roster_tasks(user)
    return false() if run is false() else Shift.task_id.in_(select(Task.id).where(run))


def _signup_cancel(user: Actor, signup: Signup) -> bool:
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def _signup_attendance(user: Actor, signup: Signup) -> bool:
    return _shift_assign(user, signup.shift)


def _shift_view(user: Actor, shift: Shift) -> bool:
    return _task_view(user, shift.task)


def visible_shifts(user: Actor) -> ColumnElement[bool]:
    """Twin of shift.view, on Shift: the shifts of the tasks the user may see."""
    return Shift.task_id.in_(select(Task.id).where(visible_tasks(user)))


def _signup_view(user: Actor, signup: Signup) -> bool:
    """The volunteer themself, and those who run the shift's roster."""
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def visible_signups(user: Actor) -> ColumnElement[bool]:
    """Twin of signup.view, on Signup."""
    run = roster_shifts(user)
    rostered = false() if run is false() else Signup.shift_id.in_(select(Shift.id).where(run))
    return _any(_own(user, Signup.user_id), rostered)
