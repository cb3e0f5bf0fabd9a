"""The sections of the roles a person holds: coordinator, reviewer and agency staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.models import (
    ContributionLog,
    LogStatus,
    Programme,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
)
from coprod.models.tasks import NEVER
from coprod.services.capacity.rosters import upcoming_gaps
from coprod.services.home._common import _count, _with_task, _within_local_days, by_local_day
from coprod.services.home.sections import (
    DAYS_AHEAD,
    MAX_PROGRAMMES,
    MAX_SHIFTS,
    MAX_TASKS,
    RUNNING_TASKS,
    WAITING_CAP,
    CoordinatorSection,
    ReviewerSection,
    ReviewRow,
    StaffProgramme,
    StaffSection,
)
from coprod.services.shift_state import live_shift, not_over_shift, not_started_shift


def _coordinated_shifts(actor: User, org_ids: set[int]) -> Select[Any]:
    """The live shifts of running tasks that the person's organisations coordinate, whose
    roster they may open (policy.roster_shifts)."""
    return (
        select(Shift)
        .join(Task, Shift.task_id == Task.id)
        .where(
            Task.coordinating_organisation_id.in_(sorted(org_ids)),
            Task.status.in_(RUNNING_TASKS),
            live_shift(),
            policy.roster_shifts(actor),
        )
    )


def _upcoming(session: Session, base: Select[Any], now: datetime) -> tuple[list[Shift], int]:
    """Shifts of today (not over yet) and the next 7 days, understaffed first."""
    window = base.where(
        not_over_shift(session, now), Shift.starts_at < now + timedelta(DAYS_AHEAD + 2)
    )
    understaffed_first = case((Shift.confirmed < Shift.capacity, 0), else_=1)
    found = list(
        session.scalars(
            _with_task(window)
            .order_by(understaffed_first, Shift.starts_at, Shift.id)
            .limit(MAX_SHIFTS * 3)
        ).unique()
    )
    kept = _within_local_days(found, now, DAYS_AHEAD)
    return kept[:MAX_SHIFTS], max(len(kept) - MAX_SHIFTS, 0)


def _coordinator(session: Session, actor: User, now: datetime) -> CoordinatorSection | None:
    org_ids = policy.org_ids_with_role(actor, Role.COORDINATOR)
    if not org_ids:
        return None
    base = _coordinated_shifts(actor, org_ids)
    coordinates = session.scalar(
        select(
            exists().where(
                Task.coordinating_organisation_id.in_(sorted(org_ids)),
                Task.status.in_(RUNNING_TASKS),
            )
        )
    )
    if not coordinates:
        return None
    upcoming, more_upcoming = _upcoming(session, base, now)

    unmarked_count = (
        select(Signup.shift_id, func.count().label("n"))
        .where(Signup.status == SignupStatus.CONFIRMED)
        .group_by(Signup.shift_id)
        .subquery()
    )
    past = base.join(unmarked_count, unmarked_count.c.shift_id == Shift.id).where(
        Shift.ends_at <= now
    )
    rows = session.execute(
        _with_task(past.add_columns(unmarked_count.c.n))
        .order_by(Shift.starts_at.desc(), Shift.id.desc())
        .limit(MAX_SHIFTS)
    ).all()
    awaiting = [row[0] for row in rows]
    unmarked = {row[0].id: int(row[1]) for row in rows}
    more = max(_count(session, past) - len(awaiting), 0) if len(awaiting) == MAX_SHIFTS else 0
    gaps, more_gaps = upcoming_gaps(session, actor, now)
    return CoordinatorSection(upcoming, more_upcoming, awaiting, unmarked, more, gaps, more_gaps)


def _reviewer(session: Session, actor: User) -> ReviewerSection | None:
    """The programmes with logs waiting for this reviewer, the oldest waiting first, each with
    how many wait, counted up to WAITING_CAP. Each programme's figures are two probes of its
    queue's index (the oldest: the first entry; the count: at most WAITING_CAP + 1 entries);
    grouping every waiting log instead cost 143 ms at the 10x medium benchmark world."""
    if not policy.can(actor, "log.review_queue"):
        return None
    reviewed = policy.reviewed_programmes(actor)
    programmes = int(session.scalar(select(func.count(Programme.id)).where(reviewed)) or 0)
    waiting = select(ContributionLog.submitted_at).where(
        ContributionLog.programme_id == Programme.id,
        ContributionLog.status == LogStatus.SUBMITTED,
        policy.reviewable_logs(actor),
    )
    # The first of the queue's index in its order (min() would aggregate every waiting log).
    oldest = (
        waiting.order_by(ContributionLog.submitted_at, ContributionLog.id)
        .limit(1)
        .correlate(Programme)
        .scalar_subquery()
    )
    # Counted in the queue's order too: unordered, PostgreSQL built a bitmap of every waiting
    # log of the programme before stopping at the cap (0.45 ms a programme at the 10x medium
    # world, 13 ms for 30 programmes); ordered, it reads the cap's entries of the index.
    counted = (
        waiting.order_by(ContributionLog.submitted_at, ContributionLog.id)
        .correlate(Programme)
        .limit(WAITING_CAP + 1)
        .subquery()
    )
    n = select(func.count()).select_from(counted).scalar_subquery()
    first = oldest.label("oldest")
    rows = session.execute(
        select(Programme, n, first)
        .where(reviewed, first.isnot(None))
        .order_by(first, Programme.id)
        .limit(MAX_PROGRAMMES)
    ).all()
    return ReviewerSection(
        [
            ReviewRow(programme, min(int(k), WAITING_CAP), when, more=int(k) > WAITING_CAP)
            for programme, k, when in rows
        ],
        programmes,
    )


def _staff(session: Session, actor: User, now: datetime) -> StaffSection | None:
    managed = policy.managed_programmes(actor)
    if managed is false():
        return None
    programmes = list(
        session.scalars(
            select(Programme).where(managed).order_by(Programme.name).limit(MAX_PROGRAMMES)
        )
    )
    if not programmes:
        return None
    by_id = {p.id: StaffProgramme(p) for p in programmes}
    ids = sorted(by_id)

    upcoming_shift = exists().where(Shift.task_id == Task.id, not_started_shift(now), live_shift())
    # A task whose kept next shift (coprod.services.task_figures) is still to come has one; only
    # the others (none kept, or kept but started since) are asked of the shifts, so the page
    # does not read every upcoming shift of the agency (22 ms at the 10x medium world).
    maybe_none = or_(Task.list_sort_at <= now, Task.list_sort_at == NEVER)
    need = session.scalars(
        select(Task)
        .where(
            Task.programme_id.in_(ids),
            Task.status == TaskStatus.OPEN,
            Task.ongoing.is_(False),  # an ongoing task has no shifts to need
            maybe_none,
            ~upcoming_shift,
            policy.visible_tasks(actor),
        )
        .order_by(Task.title, Task.id)
        .limit(MAX_TASKS)
    )
    for task in need:
        by_id[task.programme_id].need_shifts.append(task)

    base = (
        select(Shift)
        .join(Task, Shift.task_id == Task.id)
        .where(
            Task.programme_id.in_(ids),
            Task.status == TaskStatus.OPEN,
            Shift.confirmed < Shift.capacity,
            live_shift(),
            policy.roster_shifts(actor),
        )
    )
    window = base.where(
        not_over_shift(session, now), Shift.starts_at < now + timedelta(DAYS_AHEAD + 2)
    )
    # The window is a day wider than the week, to cover every zone: its rows are read light
    # first (id, start, programme), kept by each programme's local days, and only the shown
    # ones are loaded whole. Loading all of them whole (with task, programme and agency) cost
    # 11 ms of CPU at the 10x medium benchmark world; this, about half.
    light = session.execute(
        window.with_only_columns(Shift.id, Shift.starts_at, Task.programme_id)
        .order_by(Shift.starts_at, Shift.id)
        .limit(MAX_SHIFTS * 3)
    ).all()
    shown = [
        shift_id
        for shift_id, starts_at, programme_id in light
        if by_local_day(starts_at, by_id[programme_id].programme, now, DAYS_AHEAD)
    ][:MAX_SHIFTS]
    if shown:
        whole = session.scalars(
            select(Shift)
            .where(Shift.id.in_(shown))
            .options(joinedload(Shift.task))  # its programme is one of those read above
            .order_by(Shift.starts_at, Shift.id)
        )
        for shift in whole:
            by_id[shift.task.programme_id].understaffed.append(shift)

    rows = [r for r in by_id.values() if r.need_shifts or r.understaffed]
    return StaffSection(rows, len(programmes))
