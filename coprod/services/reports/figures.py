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
    or_,
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
    Qualification,
    QualificationAward,
    Sector,
    Task,
    task_qualification,
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


NOT_COUNTED = [s for s in LogStatus if s != LogStatus.APPROVED]
# Which figure a grouped row holds (the first column of gather_figures's rows).
BY_ORG, BY_TASK, OUTCOME, IN_KIND, FEEDBACK = 1, 2, 3, 4, 5
# Training hours by (period, organisation received) and (period, organisation delivering):
# on PostgreSQL grouping(o, d) + 5 of GROUPING SETS ((b, o), (b, d)), as BY_ORG/BY_TASK above.
RECEIVED, DELIVERED = 6, 7
AWARDED, EXPIRING = 8, 9


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
        # Training hours are capacity building, not service: in no service figure (a hashed
        # lookup per row in the covering index's order, which the window below relies on).
        L.task_id.not_in(_training_tasks(programme_id)),
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
        groups = [
            select(func.grouping(fl.o, fl.t).label("g"), fl.b, fl.o, fl.t)
            .add_columns(cents.label("hours"))
            .add_columns(func.count().filter(fl.first_in_period).label("people"))
            .add_columns(func.count().filter(fl.first_ever).label("new"))
            .group_by(func.grouping_sets(tuple_(fl.b, fl.o), tuple_(fl.b, fl.t)))
        ]
    else:  # no GROUPING SETS: two groupings of the flagged rows, materialised once
        fl = flagged.cte("fl").c
        groups = [
            select(literal(BY_ORG).label("g"), fl.b, fl.o, null().label("t"))
            .add_columns(func.sum(fl.hours).label("hours"))
            .add_columns(null().label("people"), null().label("new"))
            .group_by(fl.b, fl.o),
            select(literal(BY_TASK), fl.b, null(), fl.t, func.sum(fl.hours))
            .add_columns(func.count().filter(fl.first_in_period))
            .add_columns(func.count().filter(fl.first_ever))
            .group_by(fl.b, fl.t),
        ]
    groups += _training_groups(pg, kind, programme_id, lo, hi)
    g = list(union_all(*groups).subquery("g").c)
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
    return union_all(
        named,
        outcomes,
        in_kind,
        _feedback_rows(pg, kind, programme_id, lo, hi),
        *_award_rows(pg, kind, programme_id, lo, hi),
    )


def _training_tasks(programme_id: Any) -> Any:
    """The programme's training tasks (those that train a qualification): a handful."""
    return select(Task.id).where(
        Task.programme_id == programme_id, Task.trains_qualification_id.is_not(None)
    )


def _training_groups(pg: bool, kind: PeriodKind, programme_id: Any, lo: Any, hi: Any) -> list[Any]:
    """Approved training hours between lo and hi grouped by (period, organisation received: the
    log's, None for a citizen) and (period, organisation delivering: the task's coordinating
    organisation, else the lead agency), in the columns of the service groups (g, b, o, t,
    hours, people, new). Read from the training tasks' logs only (the (status, task) index)."""
    delivering = func.coalesce(Task.coordinating_organisation_id, Programme.lead_organisation_id)
    rows = (
        select(bucket(pg, kind, L.date).label("b"), L.organisation_id.label("o"))
        .add_columns(delivering.label("d"), L.hours)
        .join(Task, Task.id == L.task_id)
        .join(Programme, Programme.id == Task.programme_id)
        .where(
            Task.programme_id == programme_id,
            Task.trains_qualification_id.is_not(None),
            L.programme_id == programme_id,
            L.status == LogStatus.APPROVED,
            L.date.between(lo, hi),
        )
    )
    if pg:
        tr = rows.subquery("tr").c
        cents = func.sum(cast(tr.hours * literal_column("100"), Integer))
        return [
            select(
                (func.grouping(tr.o, tr.d) + literal_column("5")).label("g"),
                tr.b,
                func.coalesce(tr.o, tr.d),  # one of them is grouped away (NULL)
                cast(null(), Integer),
            )
            .add_columns(cents, cast(null(), BigInteger), cast(null(), BigInteger))
            .group_by(func.grouping_sets(tuple_(tr.b, tr.o), tuple_(tr.b, tr.d)))
        ]
    tr = rows.cte("tr").c
    return [
        select(literal(RECEIVED), tr.b, tr.o, null(), func.sum(tr.hours), null(), null()).group_by(
            tr.b, tr.o
        ),
        select(literal(DELIVERED), tr.b, tr.d, null(), func.sum(tr.hours), null(), null()).group_by(
            tr.b, tr.d
        ),
    ]


def _programme_qualifications(programme_id: Any) -> Any:
    """The qualifications the programme's tasks require or train."""
    required = (
        select(task_qualification.c.qualification_id)
        .join(Task, Task.id == task_qualification.c.task_id)
        .where(Task.programme_id == programme_id)
    )
    trained = select(Task.trains_qualification_id).where(
        Task.programme_id == programme_id, Task.trains_qualification_id.is_not(None)
    )
    return union_all(required, trained)


def _award_rows(pg: bool, kind: PeriodKind, programme_id: Any, lo: Any, hi: Any) -> list[Any]:
    """Per period between lo and hi and qualification of the programme: the awards made (not
    revoked), and the awards expiring unrenewed (see the module's docstring)."""
    a, q = QualificationAward, Qualification
    ours = (a.qualification_id.in_(_programme_qualifications(programme_id)), a.revoked_at.is_(None))
    awarded_b = bucket(pg, kind, a.awarded_on)
    awarded = (
        select(literal(AWARDED), awarded_b, a.qualification_id, null(), q.name, func.count())
        .add_columns(null(), null())
        .join(q, q.id == a.qualification_id)
        .where(*ours, a.awarded_on.between(lo, hi))
        .group_by(awarded_b, a.qualification_id, q.name)
    )
    other = aliased(QualificationAward)
    renewed = (
        select(other.id)
        .where(
            other.user_id == a.user_id,
            other.qualification_id == a.qualification_id,
            other.id != a.id,
            other.revoked_at.is_(None),
            other.awarded_on <= a.expires_on,
            or_(other.expires_on.is_(None), other.expires_on > a.expires_on),
        )
        .exists()
    )
    expiring_b = bucket(pg, kind, a.expires_on)
    expiring = (
        select(literal(EXPIRING), expiring_b, a.qualification_id, null(), q.name, func.count())
        .add_columns(null(), null())
        .join(q, q.id == a.qualification_id)
        .where(*ours, a.expires_on.between(lo, hi), ~renewed)
        .group_by(expiring_b, a.qualification_id, q.name)
    )
    return [awarded, expiring]


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
        elif what in (RECEIVED, DELIVERED) and start is not None:
            received = what == RECEIVED
            by_sector = f.received_sectors if received else f.delivered_sectors
            sectors = by_sector.get(start)
            if sectors is None:
                sectors = by_sector[start] = dict.fromkeys(SECTORS, 0)
            sectors[kind or citizen] += cents
            if key is not None:
                (f.received_orgs if received else f.delivered_orgs)[start].append(
                    (-cents, name or "", key)
                )
        elif what in (AWARDED, EXPIRING) and start is not None:
            (f.awarded if what == AWARDED else f.expiring)[start].append(
                (-int(cents), name or "", key)
            )
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


def capacity_figures(f: _Figures, start: date) -> dict[str, Any]:
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


def empty_capacity() -> dict[str, Any]:
    """The capacity block of a period without training or awards (and of a snapshot built
    before capacity was reported, until its next rebuild)."""
    return capacity_figures(_Figures(), date.min)


def _counted(rows: list[tuple[int, str, int]]) -> list[dict[str, Any]]:
    """(-count, name, id) rows, most first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "count": -c} for c, n, i in rows]


def _ranked(rows: list[tuple[int, str, int]]) -> list[dict[str, Any]]:
    """(-cents, name, id) rows, most hours first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "hours": -c / 100} for c, n, i in rows]
