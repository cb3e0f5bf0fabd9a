"""Capacity building: who defines qualifications, awards them and sees the awards."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select

from coprod.models import Organisation, Qualification, QualificationAward, Role, Verifier
from coprod.policy._common import (
    Actor,
    _active,
    _any,
    _in,
    _lead_staff,
    _led_by,
    _own,
    has_role,
    org_ids_with_role,
    roles_in,
)


def _org_manage_qualifications(user: Actor, org: Organisation) -> bool:
    """An organisation's coordinators (a nonprofit's) and staff (an agency's) define its
    qualifications."""
    return bool(roles_in(user, org.id) & {Role.COORDINATOR, Role.STAFF})


def _qualification_view(user: Actor, qualification: Qualification) -> bool:
    """What a qualification is and how to get it is public: tasks name what they require."""
    return True


def _qualification_verify(user: Actor, qualification: Qualification) -> bool:
    """Who awards the qualification, sees its holders and revokes awards: the defining
    organisation's coordinators, or the staff of the agency leading the chosen programme."""
    if qualification.verifier == Verifier.LEAD_AGENCY:
        programme = qualification.programme
        return programme is not None and _lead_staff(user, programme)
    return has_role(user, qualification.organisation_id, Role.COORDINATOR)


def verified_qualifications(user: Actor) -> ColumnElement[bool]:
    """Twin of qualification.verify, on Qualification."""
    q = Qualification
    conditions = []
    coordinators = _in(q.organisation_id, org_ids_with_role(user, Role.COORDINATOR))
    if coordinators is not false():
        conditions.append(and_(q.verifier == Verifier.COORDINATORS, coordinators))
    lead = _led_by(q.programme_id, user, Role.STAFF)
    if lead is not false():
        conditions.append(and_(q.verifier == Verifier.LEAD_AGENCY, lead))
    return _any(*conditions)


def _award_view(user: Actor, award: QualificationAward) -> bool:
    """An award is seen by its holder and the qualification's verifiers, nobody else."""
    own = _active(user) and user is not None and award.user_id == user.id
    return own or _qualification_verify(user, award.qualification)


def visible_awards(user: Actor) -> ColumnElement[bool]:
    """Twin of award.view, on QualificationAward."""
    verified = verified_qualifications(user)
    by_verifier = (
        false()
        if verified is false()
        else QualificationAward.qualification_id.in_(select(Qualification.id).where(verified))
    )
    return _any(_own(user, QualificationAward.user_id), by_verifier)


def _award_revoke(user: Actor, award: QualificationAward) -> bool:
    return _qualification_verify(user, award.qualification)
