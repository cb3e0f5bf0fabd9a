"""The home page's sections as data, and how many rows each list shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from coprod.models import ContributionLog, Programme, Shift, Signup, Task, TaskStatus
from coprod.services.capacity.rosters import Gap
from coprod.services.engagement.proposals import Overdue
from coprod.services.governance.agreement_reads import Waiting as AgreementWaiting
from coprod.services.governance.commitments import Behind
from coprod.services.governance.decisions import Waiting as DecisionWaiting

NEXT_SHIFTS = 5  # a volunteer's next shifts shown
OPEN_LOGS = 10  # their logs waiting or sent back shown
DAYS_AHEAD = 7  # a coordinator's window: today and the next 7 days
MAX_SHIFTS = 30  # shifts shown in one of a coordinator's lists
# A reviewer's programmes with logs waiting, and a staff person's understaffed shifts and
# tasks needing shifts (over all their programmes): the most urgent of each, then "and more".
# A home page is a summary; each programme's page and the review queue hold the rest. (With
# 30 and 60 here, the staff home of an agency running 50 programmes listed about 120 items:
# twice the page of a small agency in time, and programmes past the 30th never looked at.)
MAX_PROGRAMMES = 10
MAX_TASKS = 10
MAX_UNDERSTAFFED = 10
WAITING_CAP = 100  # logs waiting counted per programme on a reviewer's home ("more than 100")

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
    waiting: int  # at most WAITING_CAP
    oldest: datetime
    more: bool = False  # more than WAITING_CAP wait


@dataclass
class ReviewerSection:
    rows: list[ReviewRow]  # programmes with logs waiting, the oldest waiting first
    programmes: int  # programmes the person reviews
    more: bool = False  # logs wait in more programmes than those listed


@dataclass
class StaffProgramme:
    programme: Programme
    need_shifts: list[Task] = field(default_factory=list)  # open, with no upcoming shift
    understaffed: list[Shift] = field(default_factory=list)  # next 7 days, seats free


@dataclass
class StaffSection:
    rows: list[StaffProgramme]  # programmes with something listed, by name
    programmes: int  # programmes the person runs
    more_need_shifts: bool = False  # more open tasks with no upcoming shift than listed
    more_understaffed: bool = False  # more understaffed shifts this week than listed

    @property
    def need_shifts_listed(self) -> int:
        return sum(len(r.need_shifts) for r in self.rows)

    @property
    def understaffed_listed(self) -> int:
        return sum(len(r.understaffed) for r in self.rows)


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
