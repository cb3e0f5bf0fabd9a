"""Recording every state change: who, what, when, before and after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.models import AuditEntry, User
from coprod.services.keyset import Key, Window, window


def jsonable(value: Any) -> Any:
    """A value as JSON holds it: enums by value, times in ISO 8601, amounts as exact text
    (audit detail, data exports)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of an object, as JSON-safe values, for a before/after record."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an audit row in the caller's transaction (flushes so the object has an id);
    `at` is the service's clock (now), defaulting to the wall clock."""
    if getattr(obj, "id", None) is None:
        session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    if at is not None:
        entry.created_at = at
    session.add(entry)
    return entry


def list_filters(session: Session, actor: User | None) -> tuple[list[str], list[str]]:
    """The distinct actions and object types in the log, for the filter menus (site admins)."""
    policy.require(actor, "audit.view")
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = session.scalars(
        select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    )
    return list(actions), list(types)


# Newest first, the id breaking ties: ix_audit_entry_created_id, and the action's and object
# type's twins of it for the filters.
ENTRY_KEYS = (
    Key(AuditEntry.created_at.expression, datetime, descending=True),
    Key(AuditEntry.id.expression, descending=True),
)


def list_entries(
    session: Session,
    actor: User | None,
    action: str | None,
    object_type: str | None,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[AuditEntry]:
    """The audit log, newest first, filtered by action and object type (site admins only):
    the window after (or before) a cursor."""
    policy.require(actor, "audit.view")
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    return window(session, stmt, ENTRY_KEYS, after=after, before=before, per_page=per_page)
