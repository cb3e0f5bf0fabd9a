"""A report's figures: every figure of a run of periods of one programme in one statement
(aggregated in the database: no log row reaches Python), and each period's snapshot document."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    ContributionLog,
    Feedback,
    InKindItem,
    LogStatus,
    Metric,
    Organisation,
    OutcomeQuantity,
    PeriodKind,
    Programme,
    Sector,
    Task,
)
from coprod.services.reports.periods import bucket, period_end, previous_start

L = ContributionLog
SECTORS = [s.value for s in Sector]
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


NOT_COUNTED = [s for s in LogStatus if s != LogStatus.APPROVED]
# Which figure a grouped row holds (the first column of gather_figures's rows).
BY_ORG, BY_TASK, OUTCOME, IN_KIND, FEEDBACK = 1, 2, 3, 4, 5


def _cents(total: Any) -> ColumnElement[int]:
    """A group's exact sum (numeric on PostgreSQL) as integer cents: one cast per group."""
    return cast(func.round(total * 100), BigInteger)


def gather_figures(
    session: Session, programme_id: int, kind: PeriodKind, lo: date, hi: date
) -> _Figures:
    """Every figure of every period between lo and hi, in one statement.

    The programme's approved logs up to hi are read once, from one covering index, in (person,
    date) order: a window over that order marks each person's first log of a period and first
    log ever (distinct and new contributors) without a sort or a hash. The logs from lo on are
    then grouped by (period, organisation) and (period, task) in one pass; outcome and in-kind
    rows are read through their own programme index and joined to the approved logs; the
    volunteers' ratings of each period and task (not hidden) through the feedback's own index.
    """
    pg = session.get_bind().dialect.name == "postgresql"
    if pg:
        # Hash the groups in memory instead of sorting them on disk (this transaction only).
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    params = {"programme_id": programme_id, "lo": lo, "hi": hi}
    # ~8,000 rows per batch, taken a thousand at a time: Python's garbage collector then never
    # sees thousands of live rows (a full collection per batch otherwise).
    result = session.execute(_figures_statement(pg, kind), params)
    return _file(row for part in result.partitions(1000) for row in part)


@functools.cache
def _figures_statement(pg: bool, kind: PeriodKind) -> Any:
    """The statement of gather_figures for one database and period kind, built once per process
    (the programme and the dates are bound parameters)."""
    programme_id = bindparam("programme_id", type_=Integer)
    lo, hi = bindparam("lo", type_=Date), bindparam("hi", type_=Date)
    counted = (
        L.programme_id == programme_id,
        L.status == LogStatus.APPROVED,
        L.date <= hi,
    )
    b = bucket(pg, kind, L.date).label("b")
    logs = select(L.date, b, L.user_id, L.organisation_id, L.task_id, L.hours).where(*counted)
    c = logs.subquery("c")
    person: dict[str, Any] = {"partition_by": c.c.user_id, "order_by": c.c.date}
    marked = select(
        c,
        func.lag(c.c.b).over(**person).label("pb"),  # NULL only on a person's first log
    ).subquery("m")
    m = marked.c
    someone = m.user_id.is_not(None)
    flagged = select(
        m.b,
        m.organisation_id.label("o"),
        m.task_id.label("t"),
        m.hours,
        and_(someone, m.pb.is_distinct_from(m.b)).label("first_in_period"),
        and_(someone, m.pb.is_(None)).label("first_ever"),
    ).where(m.date >= lo)
    if pg:
        fl = flagged.subquery("fl").c
        # Hours are numeric(5, 2): times 100 each is an exact int, and an int8 sum of those
        # is the exact sum in cents, for less than a numeric sum costs per row.
        cents = func.sum(cast(fl.hours * literal_column("100"), Integer))
        grouped = (
            select(func.grouping(fl.o, fl.t).label("g"), fl.b, fl.o, fl.t)
            .add_columns(cents.label("hours"))
            .add_columns(func.count().filter(fl.first_in_period).label("people"))
            .add_columns(func.count().filter(fl.first_ever).label("new"))
            .group_by(func.grouping_sets(tuple_(fl.b, fl.o), tuple_(fl.b, fl.t)))
            .subquery("g")
        )
    else:  # no GROUPING SETS: two groupings of the flagged rows, materialised once
        fl = flagged.cte("fl").c
        grouped = union_all(
            select(literal(BY_ORG).label("g"), fl.b, fl.o, null().label("t"))
            .add_columns(func.sum(fl.hours).label("hours"))
            .add_columns(null().label("people"), null().label("new"))
            .group_by(fl.b, fl.o),
            select(literal(BY_TASK), fl.b, null(), fl.t, func.sum(fl.hours))
            .add_columns(func.count().filter(fl.first_in_period))
            .add_columns(func.count().filter(fl.first_ever))
            .group_by(fl.b, fl.t),
        ).subquery("g")
    g = list(grouped.c)
    org = aliased(Organisation)
    named = (
        select(g[0], g[1], func.coalesce(g[2], g[3]), type_coerce(org.kind, String))  # as text
        .add_columns(func.coalesce(org.name, Task.title))
        .add_columns(g[4] if pg else _cents(g[4]), g[5], g[6])  # SQLite sums floats
        .outerjoin(org, org.id == g[2])
        .outerjoin(Task, Task.id == g[3])
    )

    # Outcome and in-kind rows carry their log's programme and date: read the programme's
    # own rows, less those of its logs that do not count (few; none need the approved ones).
    def counts(log_id: Any) -> ColumnElement[bool]:
        not_counted = select(L.id).where(
            L.programme_id == programme_id, L.status.in_(NOT_COUNTED), L.id == log_id
        )
        return ~not_counted.exists()

    q = OutcomeQuantity
    per_row = (
        select(case((q.date >= lo, bucket(pg, kind, q.date))).label("b"), q.metric_id)
        .add_columns(q.quantity)
        .where(q.programme_id == programme_id, q.date <= hi, counts(q.log_id))
        .subquery("q")
    )  # outcomes before lo have no period: they start the cumulative totals
    oq = per_row.c
    outcomes = (
        select(literal(OUTCOME), oq.b, oq.metric_id, null(), null(), _cents(func.sum(oq.quantity)))
        .add_columns(null(), null())
        .group_by(oq.b, oq.metric_id)
    )
    item = InKindItem
    ib = bucket(pg, kind, item.date)
    in_kind = (
        select(literal(IN_KIND), ib, null(), null(), null(), _cents(func.sum(item.value)))
        .add_columns(null(), null())
        .where(item.programme_id == programme_id, item.date.between(lo, hi), counts(item.log_id))
        .group_by(ib)
    )
    return union_all(named, outcomes, in_kind, _feedback_rows(pg, kind, programme_id, lo, hi))


def _feedback_rows(pg: bool, kind: PeriodKind, programme_id: Any, lo: Any, hi: Any) -> Any:
    """The ratings given in each period between lo and hi, per task: their sum and number
    (a rating hidden by moderation counts nowhere)."""
    fb = Feedback
    b = bucket(pg, kind, fb.date)
    return (
        select(literal(FEEDBACK), b, fb.task_id, null(), Task.title, func.sum(fb.rating))
        .add_columns(func.count(), null())
        .join(Task, Task.id == fb.task_id)
        .where(fb.programme_id == programme_id, fb.date.between(lo, hi), fb.hidden_at.is_(None))
        .group_by(b, fb.task_id, Task.title)
    )


def _file(rows: Iterable[tuple[int, date | None, Any, Any, Any, int, Any, Any]]) -> _Figures:
    """Put each grouped row where _Figures keeps it."""
    f = _Figures()
    citizen = Sector.CITIZEN.value
    for what, start, key, kind, name, cents, people, new in rows:
        if what == BY_ORG:
            if start is None:
                continue
            sectors = f.sectors.get(start)
            if sectors is None:
                sectors = f.sectors[start] = dict.fromkeys(SECTORS, 0)
            sectors[kind or citizen] += cents
            if key is not None:  # hours of no organisation are citizens' hours
                f.orgs[start].append((-cents, name or "", key))
        elif what == BY_TASK:
            if start is not None:
                f.tasks[start].append((-cents, name or "", key))
                f.people[start] += people
                f.new_people[start] += new
        elif what == OUTCOME:
            qty = Decimal(cents).scaleb(-2)
            if start is None:
                f.outcomes_before[key] = qty
            else:
                f.outcomes[start][key] = qty
        elif what == IN_KIND and start is not None:
            f.in_kind[start] = cents
        elif what == FEEDBACK and start is not None:
            f.feedback[start].append((key, name or "", int(cents), int(people)))
    return f


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


def feedback_figures(rows: list[tuple[int, str, int, int]]) -> dict[str, Any]:
    """A period's ratings: responses and average overall (every response weighs the same)
    and per task, most responses first, then by title and id."""
    total, responses = sum(r[2] for r in rows), sum(r[3] for r in rows)
    by_task = [
        {"id": i, "name": n, "responses": c, "average_rating": average_rating(s, c)}
        for i, n, s, c in sorted(rows, key=lambda r: (-r[3], r[1], r[0]))
    ]
    return {
        "responses": responses,
        "average_rating": average_rating(total, responses),
        "by_task": by_task,
    }


def period_totals(f: _Figures, start: date, rate: Decimal) -> dict[str, Any]:
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
    totals: dict[str, Any],
    previous_totals: dict[str, Any],
) -> dict[str, Any]:
    end = period_end(kind, start)
    prev = previous_start(kind, start)
    previous = {"start": prev.isoformat(), "end": period_end(kind, prev).isoformat()}
    previous.update(previous_totals)
    outcomes = []
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
        **totals,
        "hours_by_organisation": _ranked(f.orgs.get(start, [])),
        "hours_by_task": _ranked(f.tasks.get(start, [])),
        "outcomes": outcomes,
        "feedback": feedback_figures(f.feedback.get(start, [])),
        "previous": previous,
        "change": {
            "hours_total": round(change, 2),
            "hours_total_percent": percent(Decimal(str(change)), to_cents(previous["hours_total"]))
            if previous["hours_total"]
            else None,
            "contributors": totals["contributors"] - previous["contributors"],
        },
    }


def _ranked(rows: list[tuple[int, str, int]]) -> list[dict[str, Any]]:
    """(-cents, name, id) rows, most hours first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "hours": -c / 100} for c, n, i in rows]
