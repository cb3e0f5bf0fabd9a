"""Who may see and run an organisation, and the site administration's own pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from coprod.models import Membership, Organisation, Role, User
from coprod.policy._common import Actor, _active, _in, has_role, is_site_admin, org_ids_with_role


def _org_view(user: Actor, org: Organisation) -> bool:
    """An organisation's page (name, kind, description) is public."""
    return True


def visible_organisations(user: Actor) -> ColumnElement[bool]:
    """Twin of org.view, on Organisation."""
    return true()


def _org_view_members(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.COORDINATOR) or is_site_admin(user)


def visible_memberships(user: Actor) -> ColumnElement[bool]:
    """Twin of org.view_members, on Membership: the organisation's coordinators (and admins)
    and site admins see who belongs to it."""
    if is_site_admin(user):
        return true()
    return _in(Membership.organisation_id, org_ids_with_role(user, Role.COORDINATOR))


def _org_manage(user: Actor, org: Organisation) -> bool:
    return has_role(user, org.id, Role.ADMIN)


def _org_verify(user: Actor, org: Organisation) -> bool:
    return is_site_admin(user)


def _audit_view(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


def _accounts_manage(user: Actor, obj: Any) -> bool:
    return is_site_admin(user)


def _account_export(user: Actor, person: User) -> bool:
    """A person downloads their own data, and nobody else's (a site admin answers a request
    by signing the person in to do it, not by downloading it for them)."""
    return _active(user) and user is not None and user.id == person.id
