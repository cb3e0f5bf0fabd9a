"""A small pilot world built by hand, whose every evaluation figure is computed in the tests.

The pilot runs its evaluation window 1-10 March 2026 (ten days), so its baseline is 19-28
February. NOW (13 June 2026) is after the window: the evaluation is due.

Pilot (window), metric "Meals delivered" (meals), measured:
  A: 2 Mar 2 h 10 meals; 5 Mar 1 h 5 meals     -> 3 h, 15 meals, 2 days (came back)
  B: 3 Mar 4 h 8 meals                          -> 4 h,  8 meals, 1 day
  C: 4 Mar 1 h 6 meals; 4 Mar 1 h no outcome    -> 2 h,  6 meals, 1 day
  totals 9 h, 29 meals, 29/9 = 3.2222 meals an hour, 3 contributors, 1 returning (33.3 %)
Baseline (19-28 Feb), same programme:
  D: 20 Feb 2 h 4 meals; 25 Feb 2 h 4 meals     -> 4 h, 8 meals, 2 days
  E: 28 Feb 3 h 3 meals                         -> 3 h, 3 meals, 1 day
  F: 19 Feb 1 h 1 meal                          -> 1 h, 1 meal, 1 day
  totals 8 h, 12 meals, 1.5 meals an hour, 3 contributors, 1 returning (33.3 %)
Difference 29/9 - 3/2 = 31/18 = 1.7222.
Not counted: a rejected log, a log on a training task, logs outside both periods, an
approved log's outcome of a metric not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coprod.models import (
    ComparisonKind,
    LogStatus,
    Metric,
    OrgKind,
    OutcomeQuantity,
    Programme,
    Role,
    Task,
    User,
)
from tests.factories import (
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_qualification,
    make_task,
    make_user,
)

WINDOW = (date(2026, 3, 1), date(2026, 3, 10))
BASELINE = (date(2026, 2, 19), date(2026, 2, 28))


def log_with(
    session: Any,
    task: Task,
    user: User,
    on: date,
    hours: str,
    outcomes: dict[Metric, str] | None = None,
    status: LogStatus = LogStatus.APPROVED,
) -> Any:
    log = make_log(session, user=user, task=task, status=status, hours=hours, on=on)
    for metric, qty in (outcomes or {}).items():
        session.add(OutcomeQuantity(log_id=log.id, metric_id=metric.id, quantity=Decimal(qty)))
    session.flush()
    return log


@dataclass
class PilotWorld:
    programme: Programme
    metric: Metric
    other_metric: Metric
    task: Task
    staff: User
    people: dict[str, User]


def make_pilot_world(session: Any, **overrides: Any) -> PilotWorld:
    agency = make_org(session, OrgKind.AGENCY)
    staff = make_member(session, agency, Role.STAFF)
    fields: dict[str, Any] = {
        "is_pilot": True,
        "hypothesis": "Doorstep deliveries feed more people an hour.",
        "evaluation_starts_on": WINDOW[0],
        "evaluation_ends_on": WINDOW[1],
        "comparison": ComparisonKind.BASELINE,
        "starts_on": date(2026, 1, 1),
    }
    fields.update(overrides)
    programme = make_programme(session, agency, **fields)
    metric = make_metric(
        session, programme, name="Meals delivered", unit="meals", pilot_measure=True
    )
    other = make_metric(session, programme, name="Bags", unit="bags")
    task = make_task(session, programme)
    people = {k: make_user(session, display_name=f"Person {k}") for k in "ABCDEFG"}
    p = people
    log_with(session, task, p["A"], date(2026, 3, 2), "2", {metric: "10", other: "7"})
    log_with(session, task, p["A"], date(2026, 3, 5), "1", {metric: "5"})
    log_with(session, task, p["B"], date(2026, 3, 3), "4", {metric: "8"})
    log_with(session, task, p["C"], date(2026, 3, 4), "1", {metric: "6"})
    log_with(session, task, p["C"], date(2026, 3, 4), "1")
    log_with(session, task, p["D"], date(2026, 2, 20), "2", {metric: "4"})
    log_with(session, task, p["D"], date(2026, 2, 25), "2", {metric: "4"})
    log_with(session, task, p["E"], date(2026, 2, 28), "3", {metric: "3"})
    log_with(session, task, p["F"], date(2026, 2, 19), "1", {metric: "1"})
    # Not counted anywhere:
    log_with(session, task, p["G"], date(2026, 3, 6), "5", {metric: "50"}, LogStatus.REJECTED)
    training = make_task(session, programme, trains_qualification_id=make_qualification(session).id)
    log_with(session, training, p["G"], date(2026, 3, 7), "6", {metric: "60"})
    log_with(session, task, p["G"], date(2026, 3, 11), "2", {metric: "20"})
    log_with(session, task, p["G"], date(2026, 2, 18), "2", {metric: "20"})
    return PilotWorld(programme, metric, other, task, staff, people)
