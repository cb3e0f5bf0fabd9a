"""The audit log as people read it: readable action names, the page each entry is about (when
it still exists and the reader may see it) and its before/after values field by field."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    Membership,
    Metric,
    Organisation,
    OutboxMessage,
    Partner,
    Programme,
    Shift,
    Signup,
    Task,
    User,
)
from coprod.services.signups import describe_time

# Every action the code records (tests/services/test_audit_display.py finds each
# `audit.record` in coprod/ and fails when one is missing here), in words.
ACTION_NAMES: dict[str, str] = {
    "api_token.created": "Created an API token",
    "api_token.revoked": "Revoked an API token",
    "log.submitted": "Logged hours for review",
    "log.resubmitted": "Changed and resubmitted a log",
    "log.correction_submitted": "Submitted a correction to an approved log",
    "log.edited": "Changed a log before review",
    "log.from_attendance": "Logged hours from attendance",
    "log.approved": "Approved a log",
    "log.rejected": "Rejected a log",
    "log.changes_requested": "Asked for changes to a log",
    "log.superseded": "Replaced a log by its approved correction",
    "log.withdrawn": "Withdrew a log before review",
    "log.withdrawn_no_show": "Withdrew a log: marked a no-show",
    "membership.added": "Added a member to an organisation",
    "membership.removed": "Removed a member from an organisation",
    "membership.roles_changed": "Changed a member's roles",
    "metric.added": "Added a shared objective",
    "notifications.preferences": "Changed their email preferences",
    "organisation.created": "Created an organisation",
    "organisation.declined": "Declined an agency's verification",
    "organisation.timezone_changed": "Changed an organisation's time zone",
    "organisation.verified": "Verified an organisation",
    "outbox.retry": "Sent a failed email again",
    "partner.added": "Added a partner to a programme",
    "partner.removed": "Removed a partner from a programme",
    "programme.created": "Created a programme",
    "programme.updated": "Changed a programme",
    "shift.created": "Added a shift",
    "shift.cancelled": "Cancelled a shift",
    "shift.copied": "Copied shifts to another task",
    "shift.deleted": "Deleted a shift",
    "shift.moved_by_weeks": "Moved a task's shifts by weeks",
    "shift.removed_from_series": "Removed a date from a weekly series",
    "shift.roster_message": "Emailed a shift's volunteers",
    "shift.series_created": "Added a weekly series of shifts",
    "shift.updated": "Changed a shift",
    "signup.assigned": "Assigned a volunteer to a shift",
    "signup.attendance": "Marked attendance",
    "signup.cancelled": "Cancelled a sign-up",
    "signup.cancelled_with_task": "Ended a sign-up with its cancelled task",
    "signup.cancelled_with_shift": "Ended a sign-up with its cancelled shift",
    "signup.created": "Signed up for a shift",
    "signup.promoted": "Moved a volunteer up from the waitlist",
    "task.cancelled": "Cancelled a task",
    "task.closed": "Closed a task to sign-ups",
    "task.completed": "Marked a task completed",
    "task.created": "Created a task",
    "task.interest_added": "Said they are interested in an ongoing task",
    "task.interest_removed": "Said they are no longer interested in a task",
    "task.open": "Published a task",
    "task.updated": "Changed a task",
    "user.calendar_link_reset": "Reset their calendar link",
    "user.deactivated": "Deactivated an account",
    "user.email_change_cancelled": "Cancelled an email address change",
    "user.email_changed": "Changed their email address",
    "user.email_confirmed": "Confirmed their email address",
    "user.made_site_admin": "Made a site admin",
    "user.password_changed": "Changed their password",
    "user.password_reset": "Reset their password with an emailed link",
    "user.password_reset_requested": "Asked for a password-reset link",
    "user.password_reset_sent": "Sent a password-reset link",
    "user.profile_changed": "Changed their name, phone or language",
    "user.reactivated": "Reactivated an account",
    "user.register_attempt_on_existing": "Tried to register an address that has an account",
    "user.registered": "Registered an account",
}

OBJECT_NAMES: dict[str, str] = {
    "ApiToken": "API token",
    "ContributionLog": "Contribution log",
    "Membership": "Membership",
    "Metric": "Shared objective",
    "Organisation": "Organisation",
    "OutboxMessage": "Email",
    "Partner": "Programme partner",
    "Programme": "Programme",
    "Shift": "Shift",
    "Signup": "Sign-up",
    "Task": "Task",
    "TaskInterest": "Interest in a task",
    "User": "Account",
}


def _words(name: str) -> str:
    text = name.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def action_name(action: str) -> str:
    """ "signup.created" → "Signed up for a shift" (an action missing from the list, say from
    an older version, is still shown in words)."""
    return ACTION_NAMES.get(action) or _words(action)


def object_name(object_type: str) -> str:
    """ "ContributionLog" → "Contribution log"."""
    return OBJECT_NAMES.get(object_type, object_type)


def field_name(field: str) -> str:
    """ "starts_at" → "Starts at"."""
    return _words(field)


# --- what an entry is about -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The page an entry is about: `kind` names the page (organisation, programme, task,
    roster, log, account, email), `id` its object, `label` the words of the link."""

    kind: str
    id: int
    label: str


def _org(actor: User | None, org: Organisation, label: str | None = None) -> Target | None:
    if not policy.can(actor, "org.view", org):
        return None
    return Target("organisation", org.id, label or org.name)


def _programme(actor: User | None, p: Programme, label: str | None = None) -> Target | None:
    if not policy.can(actor, "programme.view", p):
        return None
    return Target("programme", p.id, label or p.name)


def _task(actor: User | None, task: Task, label: str | None = None) -> Target | None:
    if not policy.can(actor, "task.view", task):
        return None
    return Target("task", task.id, label or task.title)


def _shift(actor: User | None, shift: Shift, label: str) -> Target | None:
    if policy.can(actor, "shift.view_roster", shift):
        return Target("roster", shift.id, label)
    return _task(actor, shift.task, label)


def _account(actor: User | None, user: User, label: str | None = None) -> Target | None:
    if not policy.can(actor, "accounts.manage"):
        return None
    return Target("account", user.id, label or user.display_name)


def _shift_label(shift: Shift) -> str:
    return f"{shift.task.title}, {describe_time(shift)}"


def _target(actor: User | None, obj: Any) -> Target | None:
    """The page of one existing object, or None when the reader may not see it."""
    if isinstance(obj, Organisation):
        return _org(actor, obj)
    if isinstance(obj, Programme):
        return _programme(actor, obj)
    if isinstance(obj, Task):
        return _task(actor, obj)
    if isinstance(obj, Shift):
        return _shift(actor, obj, _shift_label(obj))
    if isinstance(obj, Signup):
        label = f"{obj.volunteer.display_name} on {_shift_label(obj.shift)}"
        return _shift(actor, obj.shift, label)
    if isinstance(obj, ContributionLog):
        if not policy.can(actor, "log.view", obj):
            return None
        return Target("log", obj.id, obj.task.title)
    if isinstance(obj, User):
        return _account(actor, obj)
    if isinstance(obj, Membership):
        return _org(actor, obj.organisation, f"{obj.user.display_name} in {obj.organisation.name}")
    if isinstance(obj, Partner):
        label = f"{obj.organisation.name} in {obj.programme.name}"
        return _programme(actor, obj.programme, label)
    if isinstance(obj, Metric):
        return _programme(actor, obj.programme, f"{obj.name} ({obj.programme.name})")
    if isinstance(obj, ApiToken):
        return _account(actor, obj.user, f"{obj.user.display_name}'s token “{obj.name}”")
    if isinstance(obj, OutboxMessage):
        if not policy.can(actor, "outbox.view"):
            return None
        return Target("email", obj.id, obj.subject)
    return None


MODELS: dict[str, Any] = {
    "ApiToken": ApiToken,
    "ContributionLog": ContributionLog,
    "Membership": Membership,
    "Metric": Metric,
    "Organisation": Organisation,
    "OutboxMessage": OutboxMessage,
    "Partner": Partner,
    "Programme": Programme,
    "Shift": Shift,
    "Signup": Signup,
    "Task": Task,
    "User": User,
}
LOADS: dict[str, list[Any]] = {
    "Shift": [joinedload(Shift.task)],
    "Signup": [joinedload(Signup.shift).joinedload(Shift.task), joinedload(Signup.volunteer)],
    "ContributionLog": [joinedload(ContributionLog.task)],
}


def entry_targets(
    session: Session, actor: User | None, entries: list[AuditEntry]
) -> dict[int, Target]:
    """For a page of entries, the page each is about (keyed by entry id): only objects that
    still exist and that the reader may see; one query per kind of object on the page."""
    policy.require(actor, "audit.view")
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if e.object_id is not None and e.object_type in MODELS:
            wanted[e.object_type].add(e.object_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        model = MODELS[kind]
        stmt = select(model).where(model.id.in_(ids)).options(*LOADS.get(kind, []))
        for obj in session.scalars(stmt).unique():
            found[(kind, obj.id)] = obj
    out: dict[int, Target] = {}
    for e in entries:
        obj = found.get((e.object_type, e.object_id or 0))
        target = _target(actor, obj) if obj is not None else None
        if target is not None:
            out[e.id] = target
    return out


# --- before and after ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: its name in words and its values before and after as text
    (None: the entry has no value on that side)."""

    field: str
    label: str
    before: str | None
    after: str | None


def show_value(value: Any) -> str:
    """A stored value as text: yes/no, a dash for nothing, lists and objects as compact JSON."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def entry_changes(entry: AuditEntry) -> list[FieldChange]:
    """The fields of an entry in the order recorded: for a change both sides of each field
    (its unchanged fields left out), for a creation or removal the one side there is."""
    before, after = entry.before or {}, entry.after or {}
    fields = list(after) + [k for k in before if k not in after]
    out = []
    for f in fields:
        if f in before and f in after and before[f] == after[f]:
            continue
        out.append(
            FieldChange(
                f,
                field_name(f),
                show_value(before[f]) if f in before else None,
                show_value(after[f]) if f in after else None,
            )
        )
    return out
