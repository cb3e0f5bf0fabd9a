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
from coprod.services.home._common import _count, _with_task, _within_local_days, within_local_days
from coprod.services.home.sections import (
    DAYS_AHEAD,
    MAX_PROGRAMMES,
    MAX_SHIFTS,
    MAX_TASKS,
    MAX_UNDERSTAFFED,
    RUNNING_TASKS,
    WAITING_CAP,
    CoordinatorSection,
    ReviewerSection,
    ReviewRow,
    StaffProgramme,
    StaffSection,
)
from coprod.services.localtime import default_zone_name, programme_zone_sql
from coprod.services.shift_state import live_shift, not_over_shift, not_started_shift


def _coordinated_shifts(actor: User, org_ids: set[int]) -> Select[Any]:
    """The live shifts of running tasks that the person's organisations coordinate, whose
    roster they may open (policy.roster_tasks, on the joined task)."""
    return (
        select(Shift)
        .join(Task, Shift.task_id == Task.id)
        .where(
            Task.coordinating_organisation_id.in_(sorted(org_ids)),
            Task.status.in_(RUNNING_TASKS),
            live_shift(),
            policy.roster_tasks(actor),
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

    # Each shift's confirmed sign-ups (not yet marked attended or no-show) are counted by its
    # own entries of the sign-ups' (shift, status) index. Joined to one count grouped over
    # every confirmed sign-up, PostgreSQL aggregated all of them: 426,596 rows, 88 ms at the
    # 10x medium benchmark world, for a coordinator with 170 past shifts.
    confirmed = (Signup.shift_id == Shift.id, Signup.status == SignupStatus.CONFIRMED)
    unmarked_count = select(func.count()).where(*confirmed).correlate(Shift).scalar_subquery()
    past = base.where(Shift.ends_at <= now, exists().where(*confirmed))
    rows = session.execute(
        _with_task(past.add_columns(unmarked_count))
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
        .limit(MAX_PROGRAMMES + 1)
    ).all()
    return ReviewerSection(
        [
            ReviewRow(programme, min(int(k), WAITING_CAP), when, more=int(k) > WAITING_CAP)
            for programme, k, when in rows[:MAX_PROGRAMMES]
        ],
        programmes,
        more=len(rows) > MAX_PROGRAMMES,
    )


def _staff(session: Session, actor: User, now: datetime) -> StaffSection | None:
    """Over every programme the person runs: the first open tasks (by title) with no upcoming
    shift, and the soonest shifts of the week short of people, each list capped, grouped by
    programme."""
    managed = policy.managed_programmes(actor)
    if managed is false():
        return None
    programmes = int(session.scalar(select(func.count(Programme.id)).where(managed)) or 0)
    if not programmes:
        return None
    mine = select(Programme.id).where(managed).scalar_subquery()
    by_id: dict[int, StaffProgramme] = {}

    def row(programme: Programme) -> StaffProgramme:
        return by_id.setdefault(programme.id, StaffProgramme(programme))

    upcoming_shift = exists().where(Shift.task_id == Task.id, not_started_shift(now), live_shift())
    # A task whose kept next shift (coprod.services.task_figures) is still to come has one; only
    # the others (none kept, or kept but started since) are asked of the shifts, so the page
    # does not read every upcoming shift of the agency (22 ms at the 10x medium world).
    maybe_none = or_(Task.list_sort_at <= now, Task.list_sort_at == NEVER)
    need = list(
        session.scalars(
            select(Task)
            .where(
                Task.programme_id.in_(mine),
                Task.status == TaskStatus.OPEN,
                Task.ongoing.is_(False),  # an ongoing task has no shifts to need
                maybe_none,
                ~upcoming_shift,
                policy.visible_tasks(actor),
            )
            .options(joinedload(Task.programme))
            .order_by(Task.title, Task.id)
            .limit(MAX_TASKS + 1)
        )
    )
    for task in need[:MAX_TASKS]:
        row(task.programme).need_shifts.append(task)

    window = (
        select(Shift.id, Shift.starts_at, programme_zone_sql())
        .join(Task, Shift.task_id == Task.id)
        .join(Programme, Task.programme_id == Programme.id)
        .where(
            Task.programme_id.in_(mine),
            Task.status == TaskStatus.OPEN,
            Shift.confirmed < Shift.capacity,
            live_shift(),
            policy.roster_tasks(actor),
            not_over_shift(session, now),
            Shift.starts_at < now + timedelta(DAYS_AHEAD + 2),
        )
    )
    # The window is a day wider than the week, to cover every zone: its rows are read light
    # (id, start, zone), kept by each programme's local days, and only the shown ones are
    # loaded whole. Loading them all whole (with task, programme and agency) cost 11 ms of CPU
    # at the 10x medium benchmark world; this, about half. One row past those shown is read:
    # with a few, PostgreSQL walks the shifts by start and stops (3 ms at that world); with 30,
    # it sorted every understaffed shift of the agency's week (10 ms). A row a zone's week
    # leaves out makes the list shorter but still the soonest, and says "and more".
    read = MAX_UNDERSTAFFED + 1
    light = session.execute(window.order_by(Shift.starts_at, Shift.id).limit(read)).all()
    kept = [
        shift_id
        for shift_id, starts_at, zone_name in light
        if within_local_days(starts_at, zone_name or default_zone_name(), now, DAYS_AHEAD)
    ]
    shown = kept[:MAX_UNDERSTAFFED]
    if shown:
        whole = session.scalars(
            select(Shift)
            .where(Shift.id.in_(shown))
            .options(joinedload(Shift.task).joinedload(Task.programme))
            .order_by(Shift.starts_at, Shift.id)
        )
        for shift in whole:
            row(shift.task.programme).understaffed.append(shift)

    rows = sorted(by_id.values(), key=lambda r: (r.programme.name, r.programme.id))
    # Past the rows read the week may hold more: "and more" all the same.
    more_short = len(kept) > MAX_UNDERSTAFFED or len(light) == read
    return StaffSection(
        rows,
        programmes,
        more_need_shifts=len(need) > MAX_TASKS,
        more_understaffed=more_short and bool(shown),
    )
