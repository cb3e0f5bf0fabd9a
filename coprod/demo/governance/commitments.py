"""The demo's commitments as figures, in Community Meals, from the start of last month:
Riverside Food Bank commits 40 volunteer hours a month and delivered 31 approved hours last
month (behind, in last month's report and on the demo staff's home page); Harbour Bakery
commits £100 of in-kind support a month (bread, on track); Northside Residents' Association
commits a number of meals delivered by the end of June next year (on track)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from coprod.models import (
    Commitment,
    CommitmentKind,
    ContributionLog,
    InKindItem,
    LogStatus,
    Organisation,
    OutcomeQuantity,
    Partner,
    PeriodKind,
    Programme,
    Task,
    User,
)
from coprod.services import localtime
from coprod.services.governance import figures
from coprod.services.reports.periods import last_complete_start, period_end

FOOD_BANK_HOURS = Decimal(40)
FOOD_BANK_DELIVERED = 3100  # cents of hours: 31 approved hours last month
ZONE = ZoneInfo("Europe/London")


def _partner(programme: Programme, org: Organisation) -> Partner:
    return next(p for p in programme.partners if p.organisation_id == org.id)


def _log(
    session: Session,
    task: Task,
    person: User,
    org: Organisation,
    day: date,
    hours: Decimal,
    reviewer: User,
) -> ContributionLog:
    submitted = localtime.from_local(day, time(17, 0), ZONE)
    log = ContributionLog(
        user_id=person.id,
        created_by_id=person.id,
        organisation_id=org.id,
        programme_id=task.programme_id,
        task_id=task.id,
        date=day,
        hours=hours,
        status=LogStatus.APPROVED,
        submitted_at=submitted,
        created_at=submitted,
        reviewed_by_id=reviewer.id,
        reviewed_at=submitted + timedelta(days=1),
        counted_changed_at=submitted + timedelta(days=1),
    )
    session.add(log)
    return log


def _delivered(session: Session, c: Commitment, start: date) -> int:
    """Cents the figure delivered in the month starting on `start` (as reports count it)."""
    end = period_end(PeriodKind.MONTH, start)
    sums = figures.delivered(session, Commitment.id == c.id, PeriodKind.MONTH, start, end)
    return sums.get(c.id, {}).get(start, 0)


def _food_bank(session: Session, meals: Programme, kitchen: Task, p: dict[str, User],
               o: dict[str, Organisation], month: date, last_day: date) -> None:  # fmt: skip
    """40 hours a month; approved logs of the food bank's people added to what the rest of
    the demo credits it last month, to make exactly 31 hours."""
    c = Commitment(
        partner=_partner(meals, o["foodbank"]),
        kind=CommitmentKind.HOURS,
        amount=FOOD_BANK_HOURS,
        period=PeriodKind.MONTH,
        starts_on=month,
    )
    session.add(c)
    session.flush()
    missing = FOOD_BANK_DELIVERED - _delivered(session, c, month)
    people = [p["coordinator"], p["v0"], p["v1"], p["v12"], p["v13"], p["v16"]]
    day = 0
    while missing > 0:
        hours = min(missing, 400)  # four hours a log, one log a person a day
        person = people[day % len(people)]
        on = min(month + timedelta(days=1 + (day * 3) % 26), last_day)
        _log(session, kitchen, person, o["foodbank"], on, Decimal(hours).scaleb(-2), p["reviewer"])
        missing -= hours
        day += 1
    session.flush()


def load(
    session: Session,
    programmes: dict[str, Programme],
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    meals = programmes["meals"]
    today = localtime.local_today(meals, now)
    month = max(last_complete_start(PeriodKind.MONTH, today), meals.starts_on)
    kitchen = next(t for t in tasks if t.programme_id == meals.id)
    session.refresh(meals, ["partners", "metrics"])
    _food_bank(
        session, meals, kitchen, p, o, month, min(period_end(PeriodKind.MONTH, month), today)
    )

    # The bakery: £100 of bread a month, and last month's donation logged.
    session.add(
        Commitment(
            partner=_partner(meals, o["bakery"]),
            kind=CommitmentKind.IN_KIND,
            amount=Decimal(100),
            period=PeriodKind.MONTH,
            starts_on=month,
        )
    )
    bread = _log(session, kitchen, p["v3"], o["bakery"], month + timedelta(days=9),
                 Decimal(1), p["reviewer"])  # fmt: skip
    bread.in_kind.append(InKindItem(description="Unsold bread, 40 loaves", value=Decimal(120)))

    # The residents: meals delivered by the end of June next year, at a pace they keep.
    metric = next(m for m in meals.metrics if m.name == "Meals delivered")
    rounds = _log(session, kitchen, p["v2"], o["residents"], month + timedelta(days=11),
                  Decimal(3), p["reviewer"])  # fmt: skip
    rounds.outcomes.append(OutcomeQuantity(metric_id=metric.id, quantity=Decimal(60)))
    session.flush()
    due = date(today.year + 1, 6, 30)
    c = Commitment(
        partner=_partner(meals, o["residents"]),
        kind=CommitmentKind.OUTCOME,
        amount=Decimal(1),
        metric_id=metric.id,
        due_on=due,
    )
    session.add(c)
    session.flush()
    start = meals.starts_on
    doc = figures.figure_doc(c, PeriodKind.MONTH, month, figures.delivered(
        session, Commitment.id == c.id, PeriodKind.MONTH, month, today)[c.id])  # fmt: skip
    so_far = Decimal(str(doc["delivered_to_date"]))
    share = Decimal((today - start).days + 1) / Decimal((due - start).days + 1)
    # A round number a little under what their pace so far makes by the due date.
    c.amount = max(Decimal(50), (so_far / share * Decimal("0.9") // 50) * 50)
    session.flush()
