"""Who may create, manage and see a programme, and read its reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true

from coprod.models import Organisation, Partner, Programme, ReportSnapshot, Role
from coprod.models.grants import grants_of
from coprod.policy._common import (
    Actor,
    _active,
    _in,
    _lead_staff,
    _programme_member,
    has_role,
    is_site_admin,
    org_ids_with_role,
)


def _programme_create(user: Actor, org: Organisation) -> bool:
    return org.can_post and has_role(user, org.id, Role.STAFF)


def _programme_manage(user: Actor, programme: Programme) -> bool:
    return _lead_staff(user, programme) and programme.lead_organisation.can_post


def _posting_agencies(user: Actor) -> set[int]:
    """The verified agencies in which the user holds the staff role (who may post there)."""
    if not _active(user) or user is None:
        return set()
    grants = grants_of(user)
    return {org_id for org_id in grants.posting if Role.STAFF in grants.roles[org_id]}


def managed_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.manage, on Programme: those led by a verified agency where the user
    is staff."""
    return _in(Programme.lead_organisation_id, _posting_agencies(user))


def _programme_create_any(user: Actor, obj: Any) -> bool:
    """May create a programme led by some organisation (the "Create a programme" link)."""
    return bool(_posting_agencies(user))


def _programme_view(user: Actor, programme: Programme) -> bool:
    """A programme's page (partners, objectives, public impact) is public."""
    return True


def visible_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view, on Programme."""
    return true()


def _programme_view_reports(user: Actor, programme: Programme) -> bool:
    return _programme_member(user, programme) or is_site_admin(user)


def report_programmes(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view_reports, on Programme: members of the lead agency or of a partner
    organisation, and site admins."""
    if is_site_admin(user):
        return true()
    org_ids = sorted(org_ids_with_role(user, Role.MEMBER))
    if not org_ids:
        return false()
    partnered = select(Partner.programme_id).where(Partner.organisation_id.in_(org_ids))
    return or_(Programme.lead_organisation_id.in_(org_ids), Programme.id.in_(partnered))


def visible_reports(user: Actor) -> ColumnElement[bool]:
    """Twin of programme.view_reports, on ReportSnapshot: the snapshots of those programmes."""
    if is_site_admin(user):
        return true()
    readable = select(Programme.id).where(report_programmes(user))
    return ReportSnapshot.programme_id.in_(readable)
