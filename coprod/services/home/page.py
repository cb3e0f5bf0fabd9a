"""The whole home page: the volunteer's section and one section per role the person holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.models import User
from coprod.services.engagement import moderation
from coprod.services.engagement.proposals import overdue_proposals
from coprod.services.governance.agreement_reads import waiting_for
from coprod.services.governance.commitments import behind_partners
from coprod.services.governance.decisions import waiting_for_my_vote
from coprod.services.home.roles import _coordinator, _reviewer, _staff
from coprod.services.home.sections import Home
from coprod.services.home.volunteer import _volunteer


def home(session: Session, actor: User, now: datetime) -> Home:
    """What needs this person now: their own shifts and logs, and for each role they hold
    (coordinator, reviewer, agency staff) that role's work."""
    staff = _staff(session, actor, now)
    return Home(
        volunteer=_volunteer(session, actor, now),
        coordinator=_coordinator(session, actor, now),
        reviewer=_reviewer(session, actor),
        staff=staff,
        overdue=overdue_proposals(session, actor, now) if staff else None,
        moderation=moderation.open_flags_by_programme(session, actor),
        agreements=waiting_for(session, actor),
        decisions=waiting_for_my_vote(session, actor, now=now),
        behind=behind_partners(session, actor, now=now) if staff else [],
    )
