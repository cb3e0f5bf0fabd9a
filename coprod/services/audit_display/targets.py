"""What an audit entry is about: the page of its object, if it exists and the reader may see it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.i18n import _
from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    Decision,
    DecisionVote,
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
    if isinstance(obj, Decision | DecisionVote):  # the decision's page shows its votes
        decision = obj if isinstance(obj, Decision) else obj.decision
        if not policy.can(actor, "decision.view", decision):
            return None
        return Target("decision", decision.id, decision.question)
    if isinstance(obj, Feedback):  # the task's page, which shows its feedback
        return _task(actor, obj.task, _("Feedback on %(task)s", task=obj.task.title))
    return None


MODELS: dict[str, Any] = {
    "ApiToken": ApiToken,
    "ContributionLog": ContributionLog,
    "Decision": Decision,
    "DecisionVote": DecisionVote,
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
    "Decision": [joinedload(Decision.programme)],
    "DecisionVote": [joinedload(DecisionVote.decision).joinedload(Decision.programme)],
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
