"""The demo world's pilots: a finished one and one in progress.

- "Doorstep Deliveries pilot" (led by the council): residents collect meals at the depot and
  deliver them door to door on their own street, instead of rounds driven from the depot. Its
  evaluation window ran from the first day of the month two months ago to the last day of last
  month; the period of equal length before it is its baseline (the same programme, delivering
  the old way). Eight people logged approved hours with meals in the window, seven in the
  baseline, so the evaluation has its interval. The evaluation is built and the staff decided
  to adapt it, with lessons.
- Green Streets stays a pilot in progress (its window ends next year): it measures "Trees
  planted" against its baseline, and its evaluation page is a preview for the council's staff
  only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from coprod.models import (
    ComparisonKind,
    ContributionLog,
    LogStatus,
    Metric,
    Organisation,
    OutcomeQuantity,
    Programme,
    Task,
    TaskStatus,
    User,
)
from coprod.services.governance import pilots

ZONE = ZoneInfo("Europe/London")
NAME = "Doorstep Deliveries pilot"
# (volunteer, day offsets in the period, hours, meals) -- the pilot feeds more people an hour.
PILOT_LOGS = [
    ("v10", (2, 16, 30), "2", "14"),
    ("v11", (4, 25), "3", "19"),
    ("v12", (6,), "2", "11"),
    ("v13", (9, 23, 44), "1.5", "10"),
    ("v14", (12, 40), "2.5", "15"),
    ("v15", (14,), "3", "16"),
    ("v16", (19, 33, 47), "2", "13"),
    ("v17", (21, 50), "1", "7"),
]
BASELINE_LOGS = [
    ("v10", (3, 24), "3", "12"),
    ("v11", (5, 33), "2", "9"),
    ("v12", (8, 15, 46), "2.5", "10"),
    ("v13", (11,), "3", "11"),
    ("v14", (18, 39), "2", "8"),
    ("v15", (27,), "2", "9"),
    ("v16", (30, 52), "1.5", "6"),
]
LESSONS = (
    "Residents delivering on their own street fed more people an hour than the depot rounds, "
    "and more of them came back.\n"
    "Two streets had nobody to collect on Mondays: before scaling up, pair each street with "
    "a second volunteer and keep one depot round as a fallback."
)


def load(
    session: Session,
    programmes: dict[str, Programme],
    tasks: list[Task],
    people: dict[str, User],
    orgs: dict[str, Organisation],
    now: datetime,
) -> None:
    """A finished pilot with its evaluation and decision; Green Streets measures its trees."""
    green = programmes["green"]
    green.comparison = ComparisonKind.BASELINE
    for metric in green.metrics:
        metric.pilot_measure = metric.name == "Trees planted"
    _finished_pilot(session, people, orgs, now)


def _window(now: datetime) -> tuple[date, date, date]:
    """The baseline's first day, the window's first day and its last: the window ran from the
    first day of the month two months ago to the last day of last month."""
    this_month = now.astimezone(ZONE).date().replace(day=1)
    end = this_month - timedelta(days=1)
    start = (end.replace(day=1) - timedelta(days=1)).replace(day=1)
    return start - (end - start + timedelta(days=1)), start, end


def _finished_pilot(
    session: Session, people: dict[str, User], orgs: dict[str, Organisation], now: datetime
) -> None:
    baseline_start, start, end = _window(now)
    created = datetime.combine(baseline_start - timedelta(days=7), time(9), ZONE)
    programme = Programme(
        name=NAME,
        lead_organisation_id=orgs["agency"].id,
        starts_on=baseline_start,
        description="Residents collect hot meals at the Northside depot and deliver them door "
        "to door on their own street, instead of the council's depot rounds.",
        is_pilot=True,
        hypothesis="Neighbours delivering on their own street deliver more meals per volunteer "
        "hour than depot rounds, and more of them come back.",
        evaluation_starts_on=start,
        evaluation_ends_on=end,
        comparison=ComparisonKind.BASELINE,
        hourly_rate=Decimal("28.50"),
        currency="GBP",
        created_at=created,
    )
    session.add(programme)
    session.flush()
    meals = Metric(
        programme_id=programme.id,
        name="Meals delivered",
        unit="meals",
        target=Decimal("1500"),
        target_date=end,
        pilot_measure=True,
    )
    task = Task(
        programme_id=programme.id,
        title="Doorstep delivery — your street",
        description="Collect the hot meals for your street at the depot and deliver them.",
        location="Northside depot",
        status=TaskStatus.COMPLETED,
        created_at=created,
    )
    session.add_all([meals, task])
    session.flush()
    for rows, first in ((BASELINE_LOGS, baseline_start), (PILOT_LOGS, start)):
        for person, offsets, hours, quantity in rows:
            for offset in offsets:
                day = first + timedelta(days=offset)
                _approved(
                    session, task, meals, people[person], people["reviewer"], day, hours, quantity
                )
    session.flush()
    pilots.build_evaluation(session, None, programme, now=now)
    pilots.record_decision(
        session, people["staff"], programme, decision="adapt", lessons=LESSONS, now=now
    )


def _approved(
    session: Session,
    task: Task,
    metric: Metric,
    person: User,
    reviewer: User,
    day: date,
    hours: str,
    quantity: str,
) -> None:
    done = datetime.combine(day, time(18), ZONE)
    log = ContributionLog(
        user_id=person.id,
        created_by_id=person.id,
        programme_id=task.programme_id,
        task_id=task.id,
        date=day,
        hours=Decimal(hours),
        status=LogStatus.APPROVED,
        notes="",
        submitted_at=done,
        created_at=done,
        reviewed_by_id=reviewer.id,
        reviewed_at=done + timedelta(days=1),
        counted_changed_at=done + timedelta(days=1),
    )
    log.outcomes.append(OutcomeQuantity(metric_id=metric.id, quantity=Decimal(quantity)))
    session.add(log)
