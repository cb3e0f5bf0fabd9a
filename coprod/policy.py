"""Every permission rule of coprod, in one place.

`can(user, action, obj)` answers the question "may this user do this action on this object";
`require(...)` raises NotFound when the user may not even see the object and NotAllowed
otherwise. Services call `require` first; templates call `can` only to hide buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coprod.errors import NotAllowed, NotFound
from coprod.models import (
    ContributionLog,
    Organisation,
    Programme,
    Role,
    Shift,
    Signup,
    Task,
    TaskStatus,
    User,
)

Actor = User | None

PUBLIC_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


# --- role helpers -------------------------------------------------------------------------


def _active(user: Actor) -> bool:
    return user is not None and user.is_active and user.deleted_at is None


def roles_in(user: Actor, organisation_id: int | None) -> set[Role]:
    """The roles the user holds in the organisation; an admin holds every role."""
    if not _active(user) or organisation_id is None:
        return set()
    assert user is not None
    roles = {m.role for m in user.memberships if m.organisation_id == organisation_id}
    if Role.ADMIN in roles:
        return set(Role)
    if roles:
        roles.add(Role.MEMBER)
    return roles


def has_role(user: Actor, organisation_id: int | None, role: Role) -> bool:
    return role in roles_in(user, organisation_id)


def org_ids_with_role(user: Actor, role: Role) -> set[int]:
    """Every organisation in which the user holds the role (admins hold all)."""
    if not _active(user) or user is None:
        return set()
    return {
        m.organisation_id for m in user.memberships if role in roles_in(user, m.organisation_id)
    }


def is_site_admin(user: Actor) -> bool:
    return _active(user) and bool(user and user.is_site_admin)


def _lead_staff(user: Actor, programme: Programme) -> bool:
    return has_role(user, programme.lead_organisation_id, Role.STAFF)


def _programme_member(user: Actor, programme: Programme) -> bool:
    """A member of the lead agency or of any partner organisation (the partners are loaded
    only for someone who is not in the lead agency)."""
    if roles_in(user, programme.lead_organisation_id):
        return True
    return any(roles_in(user, p.organisation_id) for p in programme.partners)


def _task_coordinator(user: Actor, task: Task) -> bool:
    return has_role(user, task.coordinating_organisation_id, Role.COORDINATOR)


# --- predicates, one per action -----------------------------------------------------------


def _org_view_members(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR) or is_site_admin(user)


def _org_manage(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.ADMIN)


def _org_verify(user: Actor, org: Organisation) -> bool:
    return is_site_admin(user)


def _programme_create(user: Actor, org: Organisation) -> bool:
    return org.can_post and has_role(user, org.id, Role.STAFF)


def _programme_manage(user: Actor, programme: Programme) -> bool:
    return _lead_staff(user, programme) and programme.lead_organisation.can_post


def _programme_view_reports(user: Actor, programme: Programme) -> bool:
    return _programme_member(user, programme) or is_site_admin(user)


def _task_view(user: Actor, task: Task) -> bool:
    if task.status in PUBLIC_TASK_STATUSES:
        return True
    return _lead_staff(user, task.programme) or _task_coordinator(user, task)


def _task_manage(user: Actor, task: Task) -> bool:
    return _programme_manage(user, task.programme)


def _task_edit_description(user: Actor, task: Task) -> bool:
    return _task_manage(user, task) or _task_coordinator(user, task)


def _shift_sign_up(user: Actor, shift: Shift) -> bool:
    return _active(user) and shift.task.status == TaskStatus.OPEN


def _shift_assign(user: Actor, shift: Shift) -> bool:
    return _lead_staff(user, shift.task.programme) or _task_coordinator(user, shift.task)


def _signup_cancel(user: Actor, signup: Signup) -> bool:
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def _signup_attendance(user: Actor, signup: Signup) -> bool:
    return _shift_assign(user, signup.shift)


def _shift_view(user: Actor, shift: Shift) -> bool:
    return _task_view(user, shift.task)


def _signup_view(user: Actor, signup: Signup) -> bool:
    """The volunteer themself, and those who run the shift's roster."""
    own = _active(user) and user is not None and signup.user_id == user.id
    return own or _shift_assign(user, signup.shift)


def _log_for_org(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR)


def _log_view(user: Actor, log: ContributionLog) -> bool:
    if not _active(user) or user is None:
        return False
    if log.user_id == user.id or log.created_by_id == user.id:
        return True
    if log.organisation_id and has_role(user, log.organisation_id, Role.COORDINATOR):
        return True
    return _log_reviewer(user, log) or is_site_admin(user)


def _log_reviewer(user: Actor, log: ContributionLog) -> bool:
    return has_role(user, log.task.programme.lead_organisation_id, Role.REVIEWER)


def _log_review(user: Actor, log: ContributionLog) -> bool:
    own = user is not None and user.id in (log.user_id, log.created_by_id)
    return _log_reviewer(user, log) and not own


def _log_resubmit(user: Actor, log: ContributionLog) -> bool:
    return user is not None and _active(user) and user.id in (log.user_id, log.created_by_id)


LOGGABLE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


def _log_create(user: Actor, task: Task) -> bool:
    """Anyone signed in may log hours for a task they can see (the service checks its status)."""
    return _active(user) and _task_view(user, task)


def _log_review_queue(user: Actor, obj: Any) -> bool:
    return bool(org_ids_with_role(user, Role.REVIEWER))


def _audit_view(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


def _accounts_manage(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


RULES: dict[str, Callable[[Actor, Any], bool]] = {
    "org.view_members": _org_view_members,
    "org.manage": _org_manage,
    "org.verify": _org_verify,
    "programme.create": _programme_create,
    "programme.manage": _programme_manage,
    "programme.view_reports": _programme_view_reports,
    "task.view": _task_view,
    "task.manage": _task_manage,
    "task.edit_description": _task_edit_description,
    "shift.sign_up": _shift_sign_up,
    "shift.assign": _shift_assign,
    "shift.view_roster": _shift_assign,
    "signup.cancel": _signup_cancel,
    "signup.attendance": _signup_attendance,
    "shift.view": _shift_view,
    "signup.view": _signup_view,
    "log.create_for_org": _log_for_org,
    "log.view": _log_view,
    "log.review": _log_review,
    "log.resubmit": _log_resubmit,
    "log.create": _log_create,
    "log.correct": _log_resubmit,
    "log.review_queue": _log_review_queue,
    "audit.view": _audit_view,
    "accounts.manage": _accounts_manage,
    "outbox.view": _accounts_manage,
    "outbox.retry": _accounts_manage,
}

# Where failing the check should look like the object does not exist (404), the action that
# decides visibility; everything else answers 403 once the object is visible.
VISIBILITY: dict[str, str] = {
    "task.manage": "task.view",
    "task.edit_description": "task.view",
    "shift.sign_up": "shift.view",
    "shift.assign": "shift.view",
    "shift.view_roster": "shift.view",
    "signup.cancel": "signup.view",
    "signup.attendance": "signup.view",
    "log.review": "log.view",
    "log.resubmit": "log.view",
    "log.correct": "log.view",
    "log.create": "task.view",
}


def can(user: Actor, action: str, obj: Any = None) -> bool:
    """May this user do this action on this object? Unknown actions are denied."""
    rule = RULES.get(action)
    return bool(rule and rule(user, obj))


def require(user: Actor, action: str, obj: Any = None) -> None:
    """Raise NotFound if the user may not see the object, NotAllowed if they may not act."""
    if can(user, action, obj):
        return
    visibility = VISIBILITY.get(action)
    if visibility and not can(user, visibility, obj):
        raise NotFound("Not found.")
    raise NotAllowed("You are not allowed to do that.")


__all__ = ["can", "has_role", "is_site_admin", "org_ids_with_role", "require", "roles_in"]
