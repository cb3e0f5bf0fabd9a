"""The signed-in home page: what needs this person, one section per role they hold.

`home(session, actor, now)` reads everything in a handful of bounded queries (never one per
row). Each section is None when the role does not apply to the person, and an object with
empty lists when it applies but nothing needs them (the page says so plainly).

Every shift query adds `shift_state.live_shift()`, the one place that decides which shifts
still count (a cancelled shift does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, exists, false, func, select
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
from coprod.services import localtime
from coprod.services.capacity.rosters import Gap, upcoming_gaps
from coprod.services.engagement import moderation
from coprod.services.engagement.proposals import Overdue, overdue_proposals
from coprod.services.governance.agreement_reads import Waiting as AgreementWaiting
from coprod.services.governance.agreement_reads import waiting_for
from coprod.services.governance.commitments import Behind, behind_partners
from coprod.services.governance.decisions import Waiting as DecisionWaiting
from coprod.services.governance.decisions import waiting_for_my_vote
from coprod.services.shift_state import live_shift, not_started_shift

NEXT_SHIFTS = 5  # a volunteer's next shifts shown
OPEN_LOGS = 10  # their logs waiting or sent back shown
DAYS_AHEAD = 7  # a coordinator's window: today and the next 7 days
MAX_SHIFTS = 30  # shifts shown in one list
MAX_PROGRAMMES = 30  # programmes shown in one list
MAX_TASKS = 60  # tasks needing shifts, over all of a person's programmes

# The tasks whose shifts still take place (a draft has no sign-ups; a cancelled task none).
RUNNING_TASKS = (TaskStatus.OPEN, TaskStatus.CLOSED, TaskStatus.COMPLETED)


@dataclass
class ProgrammeHours:
    programme: Programme
    year: int
    hours: Decimal


@dataclass
class VolunteerSection:
    next_shifts: list[Signup]
    more_shifts: int  # upcoming shifts beyond those shown
    hours: list[ProgrammeHours]
    open_logs: list[ContributionLog]  # waiting for review or sent back, sent back first
    more_logs: int


@dataclass
class CoordinatorSection:
    upcoming: list[Shift]  # today and the next 7 days, understaffed first
    more_upcoming: int
    awaiting: list[Shift]  # over, with confirmed sign-ups not marked attended or no-show
    unmarked: dict[int, int]  # shift id -> confirmed sign-ups still to mark
    more_awaiting: int
    # places on upcoming shifts whose person will not hold a required qualification that day
    gaps: list[Gap] = field(default_factory=list)
    more_gaps: bool = False


@dataclass
class ReviewRow:
    programme: Programme
    waiting: int
    oldest: datetime


@dataclass
class ReviewerSection:
    rows: list[ReviewRow]  # programmes with logs waiting, the oldest waiting first
    programmes: int  # programmes the person reviews


@dataclass
class StaffProgramme:
    programme: Programme
    need_shifts: list[Task] = field(default_factory=list)  # open, with no upcoming shift
    understaffed: list[Shift] = field(default_factory=list)  # next 7 days, seats free


@dataclass
class StaffSection:
    rows: list[StaffProgramme]  # programmes with something to do
    programmes: int  # programmes the person runs


@dataclass
class Home:
    volunteer: VolunteerSection
    coordinator: CoordinatorSection | None
    reviewer: ReviewerSection | None
    staff: StaffSection | None
    overdue: Overdue | None = None  # proposals waiting too long for their agency's answer
    # Programmes the person moderates with open reports, and how many (lead agency staff).
    moderation: list[tuple[Programme, int]] = field(default_factory=list)
    # Partnership agreements waiting for an organisation the person is admin of to answer.
    agreements: list[AgreementWaiting] = field(default_factory=list)
    # Open decisions waiting for the vote of an organisation the person is an admin of (None
    # for someone who is an admin of no organisation).
    decisions: list[DecisionWaiting] | None = None
    # Partners behind a commitment figure in the programmes the person runs (lead staff).
    behind: list[Behind] = field(default_factory=list)


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


# --- volunteer ---------------------------------------------------------------------------


def _volunteer(session: Session, actor: User, now: datetime) -> VolunteerSection:
    upcoming = (
        select(Signup)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(
            Signup.user_id == actor.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
            Shift.ends_at > now,
            live_shift(),
            policy.visible_signups(actor),
        )
    )
    shown = list(
        session.scalars(
            upcoming.options(
                joinedload(Signup.shift).joinedload(Shift.task).joinedload(Task.programme)
            )
            .order_by(Shift.starts_at, Signup.id)
            .limit(NEXT_SHIFTS)
        )
    )
    more = max(_count(session, upcoming) - len(shown), 0) if len(shown) == NEXT_SHIFTS else 0

    # Approved hours by programme and calendar year of the log's (local) date; each programme
    # keeps its own local year. At most two years a programme, so the rows are few.
    year = func.extract("year", ContributionLog.date)
    since = date(now.year - 1, 1, 1)
    sums = session.execute(
        select(ContributionLog.programme_id, year, func.sum(ContributionLog.hours))
        .where(
            ContributionLog.user_id == actor.id,
            ContributionLog.status == LogStatus.APPROVED,
            ContributionLog.date >= since,
            policy.visible_logs(actor),
        )
        .group_by(ContributionLog.programme_id, year)
    ).all()
    programmes = {
        p.id: p
        for p in session.scalars(
            select(Programme).where(Programme.id.in_({row[0] for row in sums}))
        )
    }
    hours = []
    for programme_id, log_year, total in sums:
        programme = programmes[programme_id]
        this_year = localtime.local_today(programme, now).year
        if int(log_year) == this_year and total:
            hours.append(ProgrammeHours(programme, this_year, Decimal(total)))
    hours.sort(key=lambda h: (-h.hours, h.programme.name))

    mine = select(ContributionLog).where(
        (ContributionLog.user_id == actor.id) | (ContributionLog.created_by_id == actor.id),
        ContributionLog.status.in_((LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED)),
        policy.visible_logs(actor),
    )
    sent_back_first = case((ContributionLog.status == LogStatus.CHANGES_REQUESTED, 0), else_=1)
    logs = list(
        session.scalars(
            mine.options(joinedload(ContributionLog.task))
            .order_by(sent_back_first, ContributionLog.date.desc(), ContributionLog.id.desc())
            .limit(OPEN_LOGS)
        )
    )
    more_logs = max(_count(session, mine) - len(logs), 0) if len(logs) == OPEN_LOGS else 0
    return VolunteerSection(shown, more, hours, logs, more_logs)


# --- coordinator -------------------------------------------------------------------------


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


def _with_task(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(joinedload(Shift.task).joinedload(Task.programme))


def _within_local_days(shifts: list[Shift], now: datetime, days: int) -> list[Shift]:
    """The shifts starting by the end of the `days`-th local day after today in their
    programme's zone (the SQL window is a day wider, to cover every zone)."""
    kept = []
    for shift in shifts:
        tz = localtime.shift_zone(shift)
        last = localtime.local_today(shift.task.programme, now) + timedelta(days=days)
        if localtime.to_local(shift.starts_at, tz).date() <= last:
            kept.append(shift)
    return kept


def _upcoming(session: Session, base: Select[Any], now: datetime) -> tuple[list[Shift], int]:
    """Shifts of today (not over yet) and the next 7 days, understaffed first."""
    window = base.where(Shift.ends_at > now, Shift.starts_at < now + timedelta(DAYS_AHEAD + 2))
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


# --- reviewer ----------------------------------------------------------------------------


def _reviewer(session: Session, actor: User) -> ReviewerSection | None:
    if not policy.can(actor, "log.review_queue"):
        return None
    reviewed = policy.reviewed_programmes(actor)
    programmes = int(session.scalar(select(func.count(Programme.id)).where(reviewed)) or 0)
    oldest = func.min(ContributionLog.submitted_at)
    rows = session.execute(
        select(Programme, func.count(ContributionLog.id), oldest)
        .join(ContributionLog, ContributionLog.programme_id == Programme.id)
        .where(
            reviewed,
            ContributionLog.status == LogStatus.SUBMITTED,
            policy.reviewable_logs(actor),
        )
        .group_by(Programme.id)
        .order_by(oldest, Programme.id)
        .limit(MAX_PROGRAMMES)
    ).all()
    return ReviewerSection(
        [ReviewRow(programme, int(n), first) for programme, n, first in rows], programmes
    )


# --- agency staff ------------------------------------------------------------------------


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
    need = session.scalars(
        select(Task)
        .where(
            Task.programme_id.in_(ids),
            Task.status == TaskStatus.OPEN,
            Task.ongoing.is_(False),  # an ongoing task has no shifts to need
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
    window = base.where(Shift.ends_at > now, Shift.starts_at < now + timedelta(DAYS_AHEAD + 2))
    found = list(
        session.scalars(
            _with_task(window).order_by(Shift.starts_at, Shift.id).limit(MAX_SHIFTS * 3)
        ).unique()
    )
    for shift in _within_local_days(found, now, DAYS_AHEAD)[:MAX_SHIFTS]:
        by_id[shift.task.programme_id].understaffed.append(shift)

    rows = [r for r in by_id.values() if r.need_shifts or r.understaffed]
    return StaffSection(rows, len(programmes))


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


__all__ = ["Home", "home", "live_shift"]
