"""The person's own profile: their awards, their skills, and whether coordinators may invite
them to understaffed shifts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import Qualification, User, UserSkill
from coprod.services import audit
from coprod.services.capacity import parse_tags
from coprod.services.capacity.qualifications.states import (
    A,
    Holding,
    award_state,
    notice_days,
    org_today,
)


def my_awards(session: Session, person: User, *, now: datetime) -> list[Holding]:
    """All of a person's awards, the newest first, each with its state today."""
    awards = session.scalars(
        select(A)
        .options(joinedload(A.qualification).joinedload(Qualification.organisation))
        .where(A.user_id == person.id)
        .order_by(A.awarded_on.desc(), A.id.desc())
    ).all()
    notice = notice_days()
    return [
        Holding(a, award_state(a, org_today(a.qualification.organisation, now), notice))
        for a in awards
    ]


def my_skills(session: Session, person: User) -> list[str]:
    return list(
        session.scalars(
            select(UserSkill.tag).where(UserSkill.user_id == person.id).order_by(UserSkill.tag)
        )
    )


def set_skills(session: Session, person: User, tags: str | Iterable[str]) -> list[str]:
    """The person's skills become exactly these tags (normalised, each once, at most 20)."""
    wanted = parse_tags(tags)
    before = my_skills(session, person)
    session.execute(delete(UserSkill).where(UserSkill.user_id == person.id))
    for tag in wanted:
        session.add(UserSkill(user_id=person.id, tag=tag))
    session.flush()
    if sorted(wanted) != before:
        audit.record(
            session, person, "user.skills_set", person, before={"skills": before},
            after={"skills": sorted(wanted)},
        )  # fmt: skip
    return sorted(wanted)


def set_open_to_invitations(session: Session, person: User, open_: bool) -> None:
    """Whether coordinators may invite the person to understaffed shifts they qualify for."""
    if person.open_to_invitations == bool(open_):
        return
    before = {"open_to_invitations": person.open_to_invitations}
    person.open_to_invitations = bool(open_)
    audit.record(
        session, person, "user.invitations_set", person, before=before,
        after={"open_to_invitations": person.open_to_invitations},
    )  # fmt: skip


def update_my_profile(
    session: Session, person: User, *, skills: str | Iterable[str], open_to_invitations: bool
) -> list[str]:
    """The person's skills and invitation choice, from /my/qualifications or the API."""
    tags = set_skills(session, person, skills)
    set_open_to_invitations(session, person, open_to_invitations)
    return tags
