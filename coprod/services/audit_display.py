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
from coprod.i18n import _, _l
from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    Feedback,
    Membership,
    Metric,
    Organisation,
    OutboxMessage,
    Partner,
    Programme,
    Proposal,
    Shift,
    Signup,
    Task,
    User,
)
from coprod.services.signups import describe_time

# Every action the code records (tests/services/test_audit_display.py finds each
# `audit.record` in coprod/ and fails when one is missing here), in words.
ACTION_NAMES = {
    "letter.issued": _l("Issued a service letter"),
    "letter.revoked": _l("Revoked a service letter"),
    "api_token.created": _l("Created an API token"),
    "feedback.flagged": _l("Reported a public comment"),
    "feedback.flags_dismissed": _l("Dismissed the reports on a comment"),
    "feedback.hidden": _l("Hid a comment"),
    "feedback.restored": _l("Showed a hidden comment again"),
    "proposal.flagged": _l("Reported a proposal"),
    "proposal.flags_dismissed": _l("Dismissed the reports on a proposal"),
    "proposal.hidden": _l("Hid a proposal"),
    "proposal.restored": _l("Showed a hidden proposal again"),
    "api_token.revoked": _l("Revoked an API token"),
    "feedback.given": _l("Gave feedback on a task"),
    "log.submitted": _l("Logged hours for review"),
    "log.resubmitted": _l("Changed and resubmitted a log"),
    "log.correction_submitted": _l("Submitted a correction to an approved log"),
    "log.edited": _l("Changed a log before review"),
    "log.from_attendance": _l("Logged hours from attendance"),
    "log.approved": _l("Approved a log"),
    "log.rejected": _l("Rejected a log"),
    "log.changes_requested": _l("Asked for changes to a log"),
    "log.superseded": _l("Replaced a log by its approved correction"),
    "log.withdrawn": _l("Withdrew a log before review"),
    "log.withdrawn_no_show": _l("Withdrew a log: marked a no-show"),
    "membership.added": _l("Added a member to an organisation"),
    "membership.removed": _l("Removed a member from an organisation"),
    "membership.roles_changed": _l("Changed a member's roles"),
    "metric.added": _l("Added a shared objective"),
    "notifications.preferences": _l("Changed their email preferences"),
    "organisation.created": _l("Created an organisation"),
    "organisation.declined": _l("Declined an agency's verification"),
    "organisation.timezone_changed": _l("Changed an organisation's time zone"),
    "organisation.verified": _l("Verified an organisation"),
    "outbox.retry": _l("Sent a failed email again"),
    "partner.added": _l("Added a partner to a programme"),
    "partner.removed": _l("Removed a partner from a programme"),
    "programme.created": _l("Created a programme"),
    "proposal.answered": _l("Answered a proposal"),
    "proposal.created": _l("Proposed a task"),
    "proposal.support_withdrawn": _l("Withdrew their support for a proposal"),
    "proposal.supported": _l("Supported a proposal"),
    "qualification.created": _l("Defined a qualification"),
    "qualification.updated": _l("Changed a qualification"),
    "qualification.archived": _l("Archived a qualification"),
    "qualification.unarchived": _l("Offered a qualification again"),
    "award.created": _l("Awarded a qualification"),
    "award.revoked": _l("Revoked an award of a qualification"),
    "user.skills_set": _l("Set their skills"),
    "user.invitations_set": _l("Chose whether coordinators may invite them"),
    "programme.updated": _l("Changed a programme"),
    "shift.created": _l("Added a shift"),
    "shift.cancelled": _l("Cancelled a shift"),
    "shift.copied": _l("Copied shifts to another task"),
    "shift.deleted": _l("Deleted a shift"),
    "shift.moved_by_weeks": _l("Moved a task's shifts by weeks"),
    "shift.removed_from_series": _l("Removed a date from a weekly series"),
    "shift.roster_message": _l("Emailed a shift's volunteers"),
    "shift.series_created": _l("Added a weekly series of shifts"),
    "shift.updated": _l("Changed a shift"),
    "signup.assigned": _l("Assigned a volunteer to a shift"),
    "invitation.sent": _l("Invited a person to take a place on a shift"),
    "invitation.accepted": _l("Took a place on a shift they were invited to"),
    "signup.attendance": _l("Marked attendance"),
    "signup.cancelled": _l("Cancelled a sign-up"),
    "signup.cancelled_with_task": _l("Ended a sign-up with its cancelled task"),
    "signup.cancelled_with_shift": _l("Ended a sign-up with its cancelled shift"),
    "signup.created": _l("Signed up for a shift"),
    "signup.promoted": _l("Moved a volunteer up from the waitlist"),
    "signup.skipped": _l("Passed over a waitlisted volunteer who lacks a qualification"),
    "award.from_training": _l("Awarded a qualification for attending a training"),
    "award.revoked_no_show": _l("Withdrew a training's qualification: marked a no-show"),
    "task.cancelled": _l("Cancelled a task"),
    "task.closed": _l("Closed a task to sign-ups"),
    "task.completed": _l("Marked a task completed"),
    "task.created": _l("Created a task"),
    "task.interest_added": _l("Said they are interested in an ongoing task"),
    "task.interest_removed": _l("Said they are no longer interested in a task"),
    "task.open": _l("Published a task"),
    "task.updated": _l("Changed a task"),
    "user.calendar_link_reset": _l("Reset their calendar link"),
    "user.anonymised_inactive": _l("Anonymised an account not used for years"),
    "user.deactivated": _l("Deactivated an account"),
    "user.deleted": _l("Deleted their account"),
    "user.deleted_by_admin": _l("Deleted an account on the person's request"),
    "user.email_change_cancelled": _l("Cancelled an email address change"),
    "user.email_changed": _l("Changed their email address"),
    "user.email_confirmed": _l("Confirmed their email address"),
    "user.made_site_admin": _l("Made a site admin"),
    "user.password_changed": _l("Changed their password"),
    "user.password_reset": _l("Reset their password with an emailed link"),
    "user.password_reset_requested": _l("Asked for a password-reset link"),
    "user.password_reset_sent": _l("Sent a password-reset link"),
    "user.profile_changed": _l("Changed their name, phone or language"),
    "user.reactivated": _l("Reactivated an account"),
    "user.register_attempt_on_existing": _l("Tried to register an address that has an account"),
    "user.registered": _l("Registered an account"),
}

OBJECT_NAMES = {
    "ApiToken": _l("API token"),
    "ContributionLog": _l("Contribution log"),
    "Feedback": _l("Feedback on a task"),
    "Membership": _l("Membership"),
    "Metric": _l("Shared objective"),
    "Organisation": _l("Organisation"),
    "ServiceLetter": _l("Service letter"),
    "OutboxMessage": _l("Email"),
    "Partner": _l("Programme partner"),
    "Programme": _l("Programme"),
    "QualificationAward": _l("Qualification award"),
    "Proposal": _l("Proposal"),
    "Shift": _l("Shift"),
    "Signup": _l("Sign-up"),
    "Task": _l("Task"),
    "TaskInterest": _l("Interest in a task"),
    "User": _l("Account"),
}


# The fields recorded before and after a change, in words (a field missing here is shown
# from its name: "starts_at" → "Starts at").
FIELD_NAMES = {
    "api_tokens_revoked": _l("Api tokens revoked"),
    "assigned_by_id": _l("Assigned by id"),
    "capacity": _l("Capacity"),
    "commitments": _l("Commitments"),
    "coordinating_organisation_id": _l("Coordinating organisation id"),
    "corrects_id": _l("Corrects id"),
    "count": _l("Count"),
    "counted_changed_at": _l("Counted changed at"),
    "currency": _l("Currency"),
    "date": _l("Date"),
    "declined_at": _l("Declined at"),
    "description": _l("Description"),
    "display_name": _l("Display name"),
    "email": _l("Email"),
    "ends_at": _l("Ends at"),
    "ends_on": _l("Ends on"),
    "evaluation_ends_on": _l("Evaluation ends on"),
    "evaluation_starts_on": _l("Evaluation starts on"),
    "first": _l("First"),
    "flag_id": _l("Report id"),
    "flags_resolved": _l("Reports resolved"),
    "from_task_id": _l("From task id"),
    "hidden_at": _l("Hidden at"),
    "hidden_by_id": _l("Hidden by id"),
    "hidden_reason": _l("Reason for hiding"),
    "hourly_rate": _l("Hourly rate"),
    "hours": _l("Hours"),
    "hypothesis": _l("Hypothesis"),
    "in_kind": _l("In kind"),
    "is_active": _l("Is active"),
    "is_pilot": _l("Is pilot"),
    "is_site_admin": _l("Is site admin"),
    "kind": _l("Kind"),
    "language": _l("Language"),
    "location": _l("Location"),
    "metric_ids": _l("Metric ids"),
    "name": _l("Name"),
    "notes": _l("Notes"),
    "ongoing": _l("Ongoing"),
    "organisation_id": _l("Organisation id"),
    "outcome": _l("Outcome"),
    "outcomes": _l("Outcomes"),
    "pending_email": _l("Pending email"),
    "phone": _l("Phone"),
    "places_released": _l("Places released"),
    "programme_id": _l("Programme id"),
    "public": _l("Public"),
    "queued_at": _l("Queued at"),
    "rating": _l("Rating"),
    "reason": _l("Reason"),
    "review_comment": _l("Review comment"),
    "reviewed_at": _l("Reviewed at"),
    "reviewed_by_id": _l("Reviewed by id"),
    "revoked_at": _l("Revoked at"),
    "role": _l("Role"),
    "roles": _l("Roles"),
    "series_id": _l("Series id"),
    "shift_id": _l("Shift id"),
    "shift_ids": _l("Shift ids"),
    "signups_ended": _l("Signups ended"),
    "skipped": _l("Skipped"),
    "starts_at": _l("Starts at"),
    "starts_on": _l("Starts on"),
    "status": _l("Status"),
    "subject": _l("Subject"),
    "target": _l("Target"),
    "target_date": _l("Target date"),
    "task_id": _l("Task id"),
    "timezone": _l("Timezone"),
    "title": _l("Title"),
    "to": _l("To"),
    "unit": _l("Unit"),
    "until": _l("Until"),
    "user_id": _l("User id"),
    "verified_at": _l("Verified at"),
    "weeks": _l("Weeks"),
    "with_comment": _l("With a comment"),
}


# Partners' commitments as figures (issue 18, coprod.services.governance.commitments).
ACTION_NAMES.update(
    {
        "commitment.added": _l("Added a commitment figure to a partner"),
        "commitment.removed": _l("Removed a partner's commitment figure"),
    }
)
OBJECT_NAMES["Commitment"] = _l("Commitment figure")
FIELD_NAMES.update(
    {
        "amount": _l("Amount"),
        "due_on": _l("Due on"),
        "metric_id": _l("Objective id"),
        "partner_id": _l("Partner id"),
        "period": _l("Per"),
    }
)


def _words(name: str) -> str:
    text = name.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def action_name(action: str) -> str:
    """ "signup.created" → "Signed up for a shift" (an action missing from the list, say from
    an older version, is still shown in words)."""
    name = ACTION_NAMES.get(action)
    return str(name) if name is not None else _words(action)


def object_name(object_type: str) -> str:
    """ "ContributionLog" → "Contribution log"."""
    name = OBJECT_NAMES.get(object_type)
    return str(name) if name is not None else object_type


def field_name(field: str) -> str:
    """ "starts_at" → "Starts at"."""
    name = FIELD_NAMES.get(field)
    return str(name) if name is not None else _words(field)


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
        label = _(
            "%(person)s on %(shift)s",
            person=obj.volunteer.display_name,
            shift=_shift_label(obj.shift),
        )
        return _shift(actor, obj.shift, label)
    if isinstance(obj, ContributionLog):
        if not policy.can(actor, "log.view", obj):
            return None
        return Target("log", obj.id, obj.task.title)
    if isinstance(obj, User):
        return _account(actor, obj)
    if isinstance(obj, Membership):
        label = _(
            "%(person)s in %(organisation)s",
            person=obj.user.display_name,
            organisation=obj.organisation.name,
        )
        return _org(actor, obj.organisation, label)
    if isinstance(obj, Partner):
        label = _(
            "%(organisation)s in %(programme)s",
            organisation=obj.organisation.name,
            programme=obj.programme.name,
        )
        return _programme(actor, obj.programme, label)
    if isinstance(obj, Metric):
        return _programme(actor, obj.programme, f"{obj.name} ({obj.programme.name})")
    if isinstance(obj, ApiToken):
        label = _("%(person)s's token “%(name)s”", person=obj.user.display_name, name=obj.name)
        return _account(actor, obj.user, label)
    if isinstance(obj, OutboxMessage):
        if not policy.can(actor, "outbox.view"):
            return None
        return Target("email", obj.id, obj.subject)
    if isinstance(obj, Proposal):
        if not policy.can(actor, "proposal.view", obj):
            return None
        return Target("proposal", obj.id, obj.title)
    if isinstance(obj, Feedback):  # the task's page, which shows its feedback
        return _task(actor, obj.task, _("Feedback on %(task)s", task=obj.task.title))
    return None


MODELS: dict[str, Any] = {
    "ApiToken": ApiToken,
    "ContributionLog": ContributionLog,
    "Feedback": Feedback,
    "Membership": Membership,
    "Metric": Metric,
    "Organisation": Organisation,
    "OutboxMessage": OutboxMessage,
    "Partner": Partner,
    "Programme": Programme,
    "Proposal": Proposal,
    "Shift": Shift,
    "Signup": Signup,
    "Task": Task,
    "User": User,
}
LOADS: dict[str, list[Any]] = {
    "Shift": [joinedload(Shift.task)],
    "Signup": [joinedload(Signup.shift).joinedload(Shift.task), joinedload(Signup.volunteer)],
    "ContributionLog": [joinedload(ContributionLog.task)],
    "Proposal": [joinedload(Proposal.programme)],
    "Feedback": [joinedload(Feedback.task).joinedload(Task.programme)],
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
        return _("Yes") if value else _("No")
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
