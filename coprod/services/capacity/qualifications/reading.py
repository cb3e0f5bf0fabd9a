"""Reading qualifications: one, an organisation's list, those a task may use, the tasks that
train one, its holders, and one award."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import (
    Organisation,
    Partner,
    Programme,
    Qualification,
    QualificationAward,
    Shift,
    Task,
    TaskStatus,
)
from coprod.services.bounds import MAX_ID
from coprod.services.capacity.qualifications.states import (
    A,
    Actor,
    Holding,
    award_state,
    notice_days,
    org_today,
)
from coprod.services.pagination import Page, paginate
from coprod.services.shift_state import live_shift, not_started_shift


def get_qualification(session: Session, actor: Actor, qualification_id: int) -> Qualification:
    """A qualification (public: what it is and how to get it), or NotFound."""
    found = (
        session.get(
            Qualification, qualification_id, options=[joinedload(Qualification.organisation)]
        )
        if 1 <= qualification_id <= MAX_ID
        else None
    )
    if found is None or not policy.can(actor, "qualification.view", found):
        raise NotFound(_("No such qualification."))
    return found


def list_qualifications(
    session: Session,
    actor: Actor,
    org: Organisation,
    *,
    archived: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> Page[Qualification]:
    """An organisation's qualifications by name (the archived ones on their own list)."""
    policy.require(actor, "org.view", org)
    stmt = select(Qualification).where(Qualification.organisation_id == org.id)
    stmt = stmt.where(
        Qualification.archived_at.is_not(None) if archived else Qualification.archived_at.is_(None)
    )
    stmt = stmt.order_by(func.lower(Qualification.name), Qualification.id)
    return paginate(session, stmt, page, per_page)


def offered_for_task(
    session: Session, programme: Programme, coordinating_organisation_id: int | None
) -> list[Qualification]:
    """What a task of the programme may require or train: the non-archived qualifications of
    its lead agency, its partners and its coordinating organisation."""
    partners = select(Partner.organisation_id).where(Partner.programme_id == programme.id)
    owners = [programme.lead_organisation_id]
    if coordinating_organisation_id is not None:
        owners.append(coordinating_organisation_id)
    return list(
        session.scalars(
            select(Qualification)
            .options(joinedload(Qualification.organisation))
            .where(
                Qualification.archived_at.is_(None),
                or_(
                    Qualification.organisation_id.in_(owners),
                    Qualification.organisation_id.in_(partners),
                ),
            )
            .order_by(func.lower(Qualification.name), Qualification.id)
        )
    )


TRAININGS_SHOWN = 20


def training_tasks(
    session: Session, actor: Actor, qualification: Qualification, *, now: datetime
) -> list[Task]:
    """The open tasks the person may see that train the qualification and have a shift to come
    (at most TRAININGS_SHOWN, the soonest first)."""
    soonest = (
        select(Shift.task_id, func.min(Shift.starts_at).label("starts_at"))
        .where(not_started_shift(now), live_shift())
        .group_by(Shift.task_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Task)
            .join(soonest, soonest.c.task_id == Task.id)
            .options(joinedload(Task.programme))
            .where(
                Task.trains_qualification_id == qualification.id,
                Task.status == TaskStatus.OPEN,
                policy.visible_tasks(actor),
            )
            .order_by(soonest.c.starts_at, Task.id)
            .limit(TRAININGS_SHOWN)
        )
    )


def list_holders(
    session: Session,
    actor: Actor,
    qualification: Qualification,
    *,
    now: datetime,
    page: int = 1,
    per_page: int = 20,
) -> Page[Holding]:
    """Who holds (or held) the qualification, the newest awards first, each with its state
    today: for its verifiers only."""
    policy.require(actor, "qualification.verify", qualification)
    stmt = (
        select(A)
        .options(joinedload(A.holder), joinedload(A.qualification))
        .where(A.qualification_id == qualification.id, policy.visible_awards(actor))
        .order_by(A.awarded_on.desc(), A.id.desc())
    )
    found = paginate(session, stmt, page, per_page)
    today, notice = org_today(qualification.organisation, now), notice_days()
    items = [Holding(a, award_state(a, today, notice)) for a in found.items]
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)


def get_award(session: Session, actor: Actor, award_id: int) -> QualificationAward:
    """One award, for its holder and the qualification's verifiers; NotFound for others."""
    found = session.get(A, award_id) if 1 <= award_id <= MAX_ID else None
    if found is None or not policy.can(actor, "award.view", found):
        raise NotFound(_("No such award."))
    return found
