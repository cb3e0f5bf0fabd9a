"""Shared governance: who speaks for an organisation, and who reads a programme's agreements
and partnership decisions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from coprod.models import Agreement, Decision, Organisation, Programme, Role
from coprod.policy._common import Actor, has_role, is_site_admin, org_ids_with_role
from coprod.policy.programmes import _programme_view_reports, report_programmes


def _org_speak_for(user: Actor, org: Organisation) -> bool:
    """Answer a partnership agreement and vote on a partnership decision in the organisation's
    name: its admins (the service checks the organisation takes part in the programme)."""
    return has_role(user, org.id, Role.ADMIN)


def spoken_for(user: Actor) -> set[int]:
    """Twin of org.speak_for, as the ids of the organisations the user may speak for."""
    return org_ids_with_role(user, Role.ADMIN)


def _agreement_view(user: Actor, agreement: Agreement) -> bool:
    """Every version of a programme's agreement and every partner's answer is read by all the
    partnership (the members of the lead agency and of every partner) and by site admins."""
    return _programme_view_reports(user, agreement.programme)


def visible_agreements(user: Actor) -> ColumnElement[bool]:
    """Twin of agreement.view, on Agreement."""
    if is_site_admin(user):
        return true()
    return Agreement.programme_id.in_(select(Programme.id).where(report_programmes(user)))


def _decision_view(user: Actor, decision: Decision) -> bool:
    """A partnership decision, its votes and their comments: the whole partnership, as the
    agreement."""
    return _programme_view_reports(user, decision.programme)


def visible_decisions(user: Actor) -> ColumnElement[bool]:
    """Twin of decision.view, on Decision."""
    if is_site_admin(user):
        return true()
    return Decision.programme_id.in_(select(Programme.id).where(report_programmes(user)))
