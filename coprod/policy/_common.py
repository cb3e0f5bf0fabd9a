"""What every rule is built from: the roles a person holds, and the same questions as SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from coprod.models import Programme, Role, Task, TaskStatus, User
from coprod.models.grants import grants_of

Actor = User | None
Column = InstrumentedAttribute[Any]

PUBLIC_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


# --- role helpers -------------------------------------------------------------------------


def _active(user: Actor) -> bool:
    return user is not None and user.is_active and user.deleted_at is None


def roles_in(user: Actor, organisation_id: int | None) -> set[Role]:
    """The roles the user holds in the organisation; an admin holds every role. (The roles
    come from `grants_of`: the signed-in person's are kept in memory per roles_version.)"""
    if not _active(user) or organisation_id is None:
        return set()
    assert user is not None
    return set(grants_of(user).roles.get(organisation_id, ()))


def has_role(user: Actor, organisation_id: int | None, role: Role) -> bool:
    return role in roles_in(user, organisation_id)


def org_ids_with_role(user: Actor, role: Role) -> set[int]:
    """Every organisation in which the user holds the role (admins hold all)."""
    if not _active(user) or user is None:
        return set()
    return {org_id for org_id, roles in grants_of(user).roles.items() if role in roles}


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
    """A coordinator of the task's coordinating organisation, or its co-coordinator (the
    citizen whose accepted proposal it came from, when the agency added them)."""
    if has_role(user, task.coordinating_organisation_id, Role.COORDINATOR):
        return True
    return _active(user) and user is not None and task.co_coordinator_id == user.id


# --- the same helpers as SQL, for the query twins -----------------------------------------


def _in(column: Column, ids: set[int]) -> ColumnElement[bool]:
    """`column IN ids`, or plain false when there are none (no empty IN list)."""
    return column.in_(sorted(ids)) if ids else false()


def _led_by(programme_id: Column, user: Actor, role: Role) -> ColumnElement[bool]:
    """The programme (given by its id column) is led by an agency where the user holds role."""
    org_ids = org_ids_with_role(user, role)
    if not org_ids:
        return false()
    led = select(Programme.id).where(Programme.lead_organisation_id.in_(sorted(org_ids)))
    return programme_id.in_(led)


def _own(user: Actor, *columns: Column) -> ColumnElement[bool]:
    """One of the columns holds the (active) user's id."""
    if not _active(user) or user is None:
        return false()
    return or_(*(c == user.id for c in columns))


def _coordinated(user: Actor) -> ColumnElement[bool]:
    """Twin of _task_coordinator, on Task."""
    return _any(
        _in(Task.coordinating_organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _own(user, Task.co_coordinator_id),
    )


def _any(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """OR of the conditions that can hold (plain false when none can), so that a person with
    no role sends a short WHERE clause."""
    kept = [c for c in conditions if c is not false()]
    return or_(*kept) if kept else false()
