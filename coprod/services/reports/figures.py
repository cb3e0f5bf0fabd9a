"""A report's figures: every figure of a run of periods of one programme in one statement
(aggregated in the database: no log row reaches Python), and each period's snapshot document.

Capacity building (issue 17) is reported apart from the service:

- A *training task* is a task with `trains_qualification_id` set. Approved hours logged on a
  training task are **training hours**: they count nowhere in the service figures (hours_total,
  by sector, by organisation, by task, contributors, new contributors, hours value), which stay
  "service hours". Attendance makes the attendee's log, so training hours are the attendees'.
- **Training hours received**, by sector and by organisation, are credited as service hours
  are: to the log's organisation, else to citizens.
- **Training hours delivered**, by sector and by organisation, are the same hours credited to
  the organisation that ran the training: the task's coordinating organisation, else the
  programme's lead agency.
- **Qualifications awarded** in a period: awards not revoked whose `awarded_on` falls in it, of
  the qualifications the programme's tasks require or train, per qualification; **expiring**:
  such awards whose `expires_on` (the first day not valid) falls in the period and that were
  not renewed -- no other award (not revoked) of the same qualification to the same person is
  valid on that day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from coprod.models import Metric, PeriodKind, Programme, Sector
from coprod.services.reports import document, queries, training
from coprod.services.reports.periods import period_end, previous_start
from coprod.services.reports.queries import Scope

SECTORS = [s.value for s in Sector]
CITIZEN = Sector.CITIZEN.value
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def to_cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, ROUND_HALF_UP)


def as_number(value: Any) -> float:
    return float(to_cents(value))


def percent(part: Decimal, whole: Decimal) -> float:
    if whole <= 0:
        return 0.0
    return float((part * 100 / whole).quantize(TENTH, ROUND_HALF_UP))


@dataclass
class _Figures:
    """Grouped rows of one programme over a range of periods, keyed by period start.

    Amounts are integer cents (SQL rounds each group's exact sum to cents), so Python adds and
    compares plain ints. Organisations and tasks are kept as (-cents, name, id): sorting those
    tuples is the ranking of the report (most hours first, then name, then id).
    """

    orgs: dict[date, list[tuple[int, str, int]]] = field(default_factory=lambda: defaultdict(list))
    sectors: dict[date, dict[str, int]] = field(default_factory=dict)
    tasks: dict[date, list[tuple[int, str, int]]] = field(default_factory=lambda: defaultdict(list))
    people: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    new_people: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    in_kind: dict[date, int] = field(default_factory=dict)
    outcomes: dict[date, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    outcomes_before: dict[int, Decimal] = field(default_factory=dict)
    # Volunteers' ratings per period and task: (task id, title, sum of ratings, responses).
    feedback: dict[date, list[tuple[int, str, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Capacity building: training hours received (the log's organisation or citizens) and
    # delivered (the organisation that ran the training), as cents by sector and ranked tuples.
    received_sectors: dict[date, dict[str, int]] = field(default_factory=dict)
    received_orgs: dict[date, list[tuple[int, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    delivered_sectors: dict[date, dict[str, int]] = field(default_factory=dict)
    delivered_orgs: dict[date, list[tuple[int, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Awards per period and qualification, as (-count, name, id): sorted, most first.
    awarded: dict[date, list[tuple[int, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    expiring: dict[date, list[tuple[int, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def gather_figures(session: Session, scope: Scope) -> _Figures:
    """Every figure of every period of the scope, each family from its own query (see
    queries.py), filed by period."""
    f = _Figures()
    hours = queries.service_hours(session, scope)
    for o in hours.by_organisation:
        _sectors(f.sectors, o.start)[o.sector or CITIZEN] += o.cents
        if o.organisation_id is not None:  # hours of no organisation are citizens' hours
            f.orgs[o.start].append((-o.cents, o.name or "", o.organisation_id))
    for t in hours.by_task:
        f.tasks[t.start].append((-t.cents, t.title, t.task_id))
        f.people[t.start] += t.contributors
        f.new_people[t.start] += t.new_contributors
    for q in queries.outcome_totals(session, scope):
        qty = Decimal(q.cents).scaleb(-2)
        if q.start is None:
            f.outcomes_before[q.metric_id] = qty
        else:
            f.outcomes[q.start][q.metric_id] = qty
    for item in queries.in_kind_totals(session, scope):
        f.in_kind[item.start] = item.cents
    for r in queries.task_ratings(session, scope):
        f.feedback[r.start].append((r.task_id, r.title, int(r.rating_sum), int(r.responses)))
    for tr in training.training_hours(session, scope) if scope.training else []:
        sectors = f.delivered_sectors if tr.delivered else f.received_sectors
        _sectors(sectors, tr.start)[tr.sector or CITIZEN] += tr.cents
        if tr.organisation_id is not None:
            orgs = f.delivered_orgs if tr.delivered else f.received_orgs
            orgs[tr.start].append((-tr.cents, tr.name or "", tr.organisation_id))
    for a in training.award_counts(session, scope) if scope.qualifications else []:
        (f.expiring if a.expiring else f.awarded)[a.start].append(
            (-a.awards, a.name, a.qualification_id)
        )
    return f


def _sectors(by_period: dict[date, dict[str, int]], start: date) -> dict[str, int]:
    """The period's cents by sector, every sector at 0 to begin with."""
    sectors = by_period.get(start)
    if sectors is None:
        sectors = by_period[start] = dict.fromkeys(SECTORS, 0)
    return sectors


def _share(part: int, whole: int) -> float:
    """part / whole in per cent, to one decimal rounded half up (as percent), in integers."""
    if whole <= 0:
        return 0.0
    tenths, rest = divmod(part * 1000, whole)
    return (tenths + (2 * rest >= whole)) / 10


def average_rating(total: int, responses: int) -> float | None:
    """total / responses to one decimal rounded half up (as percent), in integers; None
    without responses."""
    if responses <= 0:
        return None
    tenths, rest = divmod(total * 10, responses)
    return (tenths + (2 * rest >= responses)) / 10


def feedback_figures(rows: list[tuple[int, str, int, int]]) -> document.Feedback:
    """A period's ratings: responses and average overall (every response weighs the same)
    and per task, most responses first, then by title and id."""
    total, responses = sum(r[2] for r in rows), sum(r[3] for r in rows)
    by_task: list[document.RatedTask] = [
        {"id": i, "name": n, "responses": c, "average_rating": average_rating(s, c)}
        for i, n, s, c in sorted(rows, key=lambda r: (-r[3], r[1], r[0]))
    ]
    return {
        "responses": responses,
        "average_rating": average_rating(total, responses),
        "by_task": by_task,
    }


def period_totals(f: _Figures, start: date, rate: Decimal) -> document.Totals:
    by_sector = f.sectors.get(start) or dict.fromkeys(SECTORS, 0)
    total = sum(by_sector.values())
    return {
        "hours_total": total / 100,
        "hours_by_sector": {k: v / 100 for k, v in by_sector.items()},
        "share_by_sector": {k: _share(v, total) for k, v in by_sector.items()},
        "contributors": f.people.get(start, 0),
        "new_contributors": f.new_people.get(start, 0),
        "in_kind_value": f.in_kind.get(start, 0) / 100,
        "hours_value": as_number(Decimal(total).scaleb(-2) * rate),
    }


def _expected_fraction(programme: Programme, metric: Metric, end: date) -> Decimal:
    """The part of the time from programme start to target date that has passed by `end`."""
    whole = (metric.target_date - programme.starts_on).days + 1
    if whole <= 0:
        return Decimal(1)
    passed = min(max((end - programme.starts_on).days + 1, 0), whole)
    return Decimal(passed) / Decimal(whole)


def period_document(
    programme: Programme,
    metrics: list[Metric],
    kind: PeriodKind,
    start: date,
    f: _Figures,
    cumulative: dict[int, Decimal],
    totals: document.Totals,
    previous_totals: document.Totals,
) -> document.ReportDocument:
    end = period_end(kind, start)
    prev = previous_start(kind, start)
    previous: document.Previous = {
        "start": prev.isoformat(),
        "end": period_end(kind, prev).isoformat(),
        **previous_totals,
    }
    outcomes: list[document.Outcome] = []
    for m in metrics:
        qty = f.outcomes.get(start, {}).get(m.id, Decimal(0))
        so_far = cumulative.get(m.id, Decimal(0))
        expected = to_cents(m.target * _expected_fraction(programme, m, end))
        outcomes.append(
            {
                "metric_id": m.id,
                "name": m.name,
                "unit": m.unit,
                "quantity": as_number(qty),
                "cumulative": as_number(so_far),
                "target": as_number(m.target),
                "target_date": m.target_date.isoformat(),
                "percent_of_target": percent(so_far, to_cents(m.target)),
                "expected": as_number(expected),
                "on_track": so_far >= expected,
            }
        )
    change = totals["hours_total"] - previous["hours_total"]
    return {
        "programme_id": programme.id,
        "period": kind.value,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours_total": totals["hours_total"],
        "hours_by_sector": totals["hours_by_sector"],
        "share_by_sector": totals["share_by_sector"],
        "contributors": totals["contributors"],
        "new_contributors": totals["new_contributors"],
        "in_kind_value": totals["in_kind_value"],
        "hours_value": totals["hours_value"],
        "hours_by_organisation": _ranked(f.orgs.get(start, [])),
        "hours_by_task": _ranked(f.tasks.get(start, [])),
        "outcomes": outcomes,
        "feedback": feedback_figures(f.feedback.get(start, [])),
        "capacity": capacity_figures(f, start),
        "previous": previous,
        "change": {
            "hours_total": round(change, 2),
            "hours_total_percent": percent(Decimal(str(change)), to_cents(previous["hours_total"]))
            if previous["hours_total"]
            else None,
            "contributors": totals["contributors"] - previous["contributors"],
        },
    }


def capacity_figures(f: _Figures, start: date) -> document.Capacity:
    """A period's capacity building: training hours received and delivered (in hours, by
    sector and by organisation, ranked as hours_by_organisation) and qualifications awarded
    and expiring unrenewed (per qualification, most first, then by name and id)."""
    received = f.received_sectors.get(start) or dict.fromkeys(SECTORS, 0)
    delivered = f.delivered_sectors.get(start) or dict.fromkeys(SECTORS, 0)
    return {
        "training_hours_total": sum(received.values()) / 100,
        "training_received_by_sector": {k: v / 100 for k, v in received.items()},
        "training_received_by_organisation": _ranked(f.received_orgs.get(start, [])),
        "training_delivered_by_sector": {k: v / 100 for k, v in delivered.items()},
        "training_delivered_by_organisation": _ranked(f.delivered_orgs.get(start, [])),
        "qualifications_awarded": _counted(f.awarded.get(start, [])),
        "qualifications_expiring": _counted(f.expiring.get(start, [])),
    }


def empty_capacity() -> document.Capacity:
    """The capacity block of a period without training or awards (and of a snapshot built
    before capacity was reported, until its next rebuild)."""
    return capacity_figures(_Figures(), date.min)


def _counted(rows: list[tuple[int, str, int]]) -> list[document.Counted]:
    """(-count, name, id) rows, most first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "count": -c} for c, n, i in rows]


def _ranked(rows: list[tuple[int, str, int]]) -> list[document.Ranked]:
    """(-cents, name, id) rows, most hours first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "hours": -c / 100} for c, n, i in rows]
