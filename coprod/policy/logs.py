"""Who may log hours, see and review a contribution log, and hold a service letter."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from coprod.models import (
    ContributionLog,
    Organisation,
    OrgKind,
    Programme,
    Role,
    ServiceLetter,
    Task,
    TaskStatus,
)
from coprod.models.grants import grants_of
from coprod.policy._common import (
    Actor,
    _active,
    _any,
    _in,
    _led_by,
    _own,
    has_role,
    is_site_admin,
    org_ids_with_role,
)
from coprod.policy.tasks import _task_view


def _log_for_org(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR)


def organisations_to_log_for(user: Actor) -> ColumnElement[bool]:
    """Twin of log.create_for_org, on Organisation: those the user coordinates."""
    return _in(Organisation.id, org_ids_with_role(user, Role.COORDINATOR))


def _log_view(user: Actor, log: ContributionLog) -> bool:
    if not _active(user) or user is None:
        return False
    if log.user_id == user.id or log.created_by_id == user.id:
        return True
    if log.organisation_id and has_role(user, log.organisation_id, Role.COORDINATOR):
        return True
    return _log_reviewer(user, log) or is_site_admin(user)


def visible_logs(user: Actor) -> ColumnElement[bool]:
    """Twin of log.view, on ContributionLog: one's own logs (made by or for them), those of
    the organisations one coordinates, those of the programmes one's agency leads (as
    reviewer), and every log for a site admin. (A log's programme_id is its task's.)"""
    if not _active(user):
        return false()
    if is_site_admin(user):
        return true()
    log = ContributionLog
    return _any(
        _own(user, log.user_id, log.created_by_id),
        _in(log.organisation_id, org_ids_with_role(user, Role.COORDINATOR)),
        _led_by(log.programme_id, user, Role.REVIEWER),
    )


def _programme_review_logs(user: Actor, programme: Programme) -> bool:
    return has_role(user, programme.lead_organisation_id, Role.REVIEWER)


def reviewed_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.review_logs, on Programme: those led by the user's agencies, as
    their reviewer."""
    return _in(Programme.lead_organisation_id, org_ids_with_role(user, Role.REVIEWER))


def _log_reviewer(user: Actor, log: ContributionLog) -> bool:
    return _programme_review_logs(user, log.task.programme)


def _log_review(user: Actor, log: ContributionLog) -> bool:
    own = user is not None and user.id in (log.user_id, log.created_by_id)
    return _log_reviewer(user, log) and not own


def reviewable_logs(user: Actor) -> ColumnElement[bool]:
    """Twin of log.review, on ContributionLog: the logs of the programmes the user's agency
    leads, as its reviewer, except their own (whatever the log's status)."""
    reviewed = _led_by(ContributionLog.programme_id, user, Role.REVIEWER)
    if user is None or reviewed is false():
        return false()
    # NULL (an account deleted since) is nobody's: `NOT (user_id = :me)` alone would drop it.
    owners = (ContributionLog.user_id, ContributionLog.created_by_id)
    return and_(reviewed, *(or_(c.is_(None), c != user.id) for c in owners))


def _log_resubmit(user: Actor, log: ContributionLog) -> bool:
    return user is not None and _active(user) and user.id in (log.user_id, log.created_by_id)


LOGGABLE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


def _log_create(user: Actor, task: Task) -> bool:
    """Anyone signed in may log hours for a task they can see (the service checks its status)."""
    return _active(user) and _task_view(user, task)


def _log_review_queue(user: Actor, obj: Any) -> bool:
    """Reviewers of an agency (only agencies lead programmes, so a nonprofit's admin, who
    holds every role there, reviews nothing and gets no queue)."""
    if not _active(user) or user is None:
        return False
    grants = grants_of(user)
    return any(
        grants.kinds[org_id] == OrgKind.AGENCY and Role.REVIEWER in roles
        for org_id, roles in grants.roles.items()
    )


def _letter_create(user: Actor, obj: Any) -> bool:
    """Anyone signed in may ask for a letter of their own approved hours."""
    return _active(user)


def _letter_own(user: Actor, letter: ServiceLetter) -> bool:
    """A service letter is its holder's alone (a stranger checks it by its code, not here)."""
    return _active(user) and user is not None and letter.user_id == user.id


def own_letters(user: Actor) -> ColumnElement[bool]:
    """Twin of letter.view, on ServiceLetter: the user's own letters."""
    return _own(user, ServiceLetter.user_id)
