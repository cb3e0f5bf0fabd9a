"""Every permission rule of coprod, in one place.

`can(user, action, obj)` answers the question "may this user do this action on this object";
`require(...)` raises NotFound when the user may not even see the object and NotAllowed
otherwise. Services call `require` first; templates call `can` only to hide buttons.

Who may *see* what is decided twice here, side by side: a predicate for one object and its
query twin for lists (`visible_tasks(user)` beside `_task_view`, ...), a SQL condition that
read services put in their WHERE clause. tests/test_visibility.py checks that every
twin selects exactly the objects its predicate allows, for every kind of person.

The predicates and their twins live by area (organisations.py, programmes.py, tasks.py,
logs.py, engagement.py, capacity.py, governance.py), built from the role helpers of
_common.py; rules.py holds the one RULES table (and VISIBILITY) that `can` reads.
"""

from __future__ import annotations

from typing import Any

from coprod.errors import NotAllowed, NotFound
from coprod.i18n import _
from coprod.policy._common import PUBLIC_TASK_STATUSES as PUBLIC_TASK_STATUSES
from coprod.policy._common import Actor as Actor
from coprod.policy._common import has_role, is_site_admin, org_ids_with_role, roles_in
from coprod.policy.capacity import verified_qualifications, visible_awards
from coprod.policy.engagement import moderated_programmes, visible_feedback, visible_proposals
from coprod.policy.governance import spoken_for, visible_agreements, visible_decisions
from coprod.policy.logs import LOGGABLE_TASK_STATUSES as LOGGABLE_TASK_STATUSES
from coprod.policy.logs import (
    organisations_to_log_for,
    own_letters,
    reviewable_logs,
    reviewed_programmes,
    visible_logs,
)
from coprod.policy.organisations import visible_memberships, visible_organisations
from coprod.policy.programmes import (
    managed_programmes,
    report_programmes,
    visible_programmes,
    visible_reports,
)
from coprod.policy.rules import RULES as RULES
from coprod.policy.rules import VISIBILITY as VISIBILITY
from coprod.policy.tasks import (
    roster_shifts,
    roster_tasks,
    visible_shifts,
    visible_signups,
    visible_task_interests,
    visible_tasks,
)


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
        raise NotFound(_("Not found."))
    raise NotAllowed(_("You are not allowed to do that."))


__all__ = [
    "can",
    "has_role",
    "is_site_admin",
    "managed_programmes",
    "moderated_programmes",
    "org_ids_with_role",
    "organisations_to_log_for",
    "own_letters",
    "report_programmes",
    "require",
    "reviewable_logs",
    "reviewed_programmes",
    "roles_in",
    "roster_shifts",
    "roster_tasks",
    "spoken_for",
    "verified_qualifications",
    "visible_agreements",
    "visible_awards",
    "visible_decisions",
    "visible_feedback",
    "visible_logs",
    "visible_memberships",
    "visible_organisations",
    "visible_programmes",
    "visible_proposals",
    "visible_reports",
    "visible_shifts",
    "visible_signups",
    "visible_task_interests",
    "visible_tasks",
]
