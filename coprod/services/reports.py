"""Shared-ownership reports: figures per programme and period, aggregated in the database.

Only approved logs count. A log counts for its organisation's kind, otherwise as a citizen.
Snapshots are upserted on (programme, period, start); a rebuild that finds the same figures
leaves the row untouched (built_at included), so rebuilding twice changes nothing.
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from typing import cast as cast_type

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Select,
    String,
    Table,
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
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, defer
from sqlalchemy.sql import ColumnElement

from coprod import policy
from coprod.errors import Invalid, NotFound
from coprod.models import (
    ContributionLog,
    InKindItem,
    LogStatus,
    Metric,
    Organisation,
    OutcomeQuantity,
    PeriodKind,
    Programme,
    ReportSnapshot,
    Sector,
    Task,
    User,
)

L = ContributionLog
SECTORS = [s.value for s in Sector]
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HISTORY = 12  # periods shown in the "hours by sector over time" chart
# Longest run of consecutive periods built with one set of queries (bounds memory per batch).
BATCH = 53


# --- periods ------------------------------------------------------------------------------


def period_start(kind: PeriodKind, day: date) -> date:
    """The first day of the period containing the day: weeks start on Monday."""
    if kind == PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_start(kind: PeriodKind, start: date) -> date:
    if kind == PeriodKind.WEEK:
        return start + timedelta(days=7)
    years, month0 = divmod(start.month - 1 + (1 if kind == PeriodKind.MONTH else 3), 12)
    return date(start.year + years, month0 + 1, 1)


def period_end(kind: PeriodKind, start: date) -> date:
    """The last day of the period (inclusive)."""
    return next_start(kind, start) - timedelta(days=1)


def previous_start(kind: PeriodKind, start: date) -> date:
    return period_start(kind, start - timedelta(days=1))


def starts_between(kind: PeriodKind, first: date, last: date) -> list[date]:
    """Every period start from the period containing `first` to the one containing `last`."""
    out, cur, stop = [], period_start(kind, first), period_start(kind, last)
    while cur <= stop:
        out.append(cur)
        cur = next_start(kind, cur)
    return out


def parse_period(raw: str | None) -> PeriodKind:
    try:
        return PeriodKind(raw or PeriodKind.MONTH.value)
    except ValueError:
        raise Invalid("period", "Choose week, month or quarter.") from None


def parse_day(raw: str | None, field_name: str = "start") -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(field_name, "Enter a date as YYYY-MM-DD, for example 2026-06-01.") from None


def _bucket(pg: bool, kind: PeriodKind, col: Any) -> ColumnElement[date]:
    """SQL for the start of the period containing the date column (literals, so GROUP BY
    matches the selected expression on PostgreSQL)."""
    if pg:
        # Date arithmetic on date_part() costs less per row than date_trunc() on a timestamp.
        def part(name: str) -> ColumnElement[int]:
            return cast(func.date_part(literal_column(f"'{name}'"), col), Integer)

        one, three = literal_column("1", Integer), literal_column("3", Integer)
        if kind == PeriodKind.WEEK:
            return type_coerce(col - (part("isodow") - one), Date)
        if kind == PeriodKind.MONTH:
            return type_coerce(col - (part("day") - one), Date)
        first_month = (part("month") - one) // three * three + one
        return type_coerce(func.make_date(part("year"), first_month, one), Date)
    if kind == PeriodKind.WEEK:
        expr = func.date(col, literal_column("'-6 days'"), literal_column("'weekday 1'"))
    elif kind == PeriodKind.MONTH:
        expr = func.date(col, literal_column("'start of month'"))
    else:
        month = cast(func.strftime(literal_column("'%m'"), col), Integer)
        back = func.printf(literal_column("'-%d months'"), (month - 1) % 3)
        expr = func.date(col, literal_column("'start of month'"), back)
    return type_coerce(expr, Date)


# --- figures ------------------------------------------------------------------------------


def _d(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, ROUND_HALF_UP)


def _num(value: Any) -> float:
    return float(_d(value))


def _pct(part: Decimal, whole: Decimal) -> float:
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


NOT_COUNTED = [s for s in LogStatus if s != LogStatus.APPROVED]
# Which figure a grouped row holds (the first column of _gather's rows).
BY_ORG, BY_TASK, OUTCOME, IN_KIND = 1, 2, 3, 4


def _cents(total: Any) -> ColumnElement[int]:
    """A group's exact sum (numeric on PostgreSQL) as integer cents: one cast per group."""
    return cast(func.round(total * 100), BigInteger)


def _gather(session: Session, programme_id: int, kind: PeriodKind, lo: date, hi: date) -> _Figures:
    """Every figure of every period between lo and hi, in one statement.

    The programme's approved logs up to hi are read once, from one covering index, in (person,
    date) order: a window over that order marks each person's first log of a period and first
    log ever (distinct and new contributors) without a sort or a hash. The logs from lo on are
    then grouped by (period, organisation) and (period, task) in one pass; outcome and in-kind
    rows are read through their own programme index and joined to the approved logs.
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
    """The statement of _gather for one database and period kind, built once per process
    (the programme and the dates are bound parameters)."""
    programme_id = bindparam("programme_id", type_=Integer)
    lo, hi = bindparam("lo", type_=Date), bindparam("hi", type_=Date)
    counted = (
        L.programme_id == programme_id,
        L.status == LogStatus.APPROVED,
        L.date <= hi,
    )
    b = _bucket(pg, kind, L.date).label("b")
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
        select(case((q.date >= lo, _bucket(pg, kind, q.date))).label("b"), q.metric_id)
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
    ib = _bucket(pg, kind, item.date)
    in_kind = (
        select(literal(IN_KIND), ib, null(), null(), null(), _cents(func.sum(item.value)))
        .add_columns(null(), null())
        .where(item.programme_id == programme_id, item.date.between(lo, hi), counts(item.log_id))
        .group_by(ib)
    )
    return union_all(named, outcomes, in_kind)


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
    return f


def _share(part: int, whole: int) -> float:
    """part / whole in per cent, to one decimal rounded half up (as _pct), in integers."""
    if whole <= 0:
        return 0.0
    tenths, rest = divmod(part * 1000, whole)
    return (tenths + (2 * rest >= whole)) / 10


def _totals(f: _Figures, start: date, rate: Decimal) -> dict[str, Any]:
    by_sector = f.sectors.get(start) or dict.fromkeys(SECTORS, 0)
    total = sum(by_sector.values())
    return {
        "hours_total": total / 100,
        "hours_by_sector": {k: v / 100 for k, v in by_sector.items()},
        "share_by_sector": {k: _share(v, total) for k, v in by_sector.items()},
        "contributors": f.people.get(start, 0),
        "new_contributors": f.new_people.get(start, 0),
        "in_kind_value": f.in_kind.get(start, 0) / 100,
        "hours_value": _num(Decimal(total).scaleb(-2) * rate),
    }


def _expected_fraction(programme: Programme, metric: Metric, end: date) -> Decimal:
    """The part of the time from programme start to target date that has passed by `end`."""
    whole = (metric.target_date - programme.starts_on).days + 1
    if whole <= 0:
        return Decimal(1)
    passed = min(max((end - programme.starts_on).days + 1, 0), whole)
    return Decimal(passed) / Decimal(whole)


def _period_data(
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
        expected = _d(m.target * _expected_fraction(programme, m, end))
        outcomes.append(
            {
                "metric_id": m.id,
                "name": m.name,
                "unit": m.unit,
                "quantity": _num(qty),
                "cumulative": _num(so_far),
                "target": _num(m.target),
                "target_date": m.target_date.isoformat(),
                "percent_of_target": _pct(so_far, _d(m.target)),
                "expected": _num(expected),
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
        "previous": previous,
        "change": {
            "hours_total": round(change, 2),
            "hours_total_percent": _pct(Decimal(str(change)), _d(previous["hours_total"]))
            if previous["hours_total"]
            else None,
            "contributors": totals["contributors"] - previous["contributors"],
        },
    }


def _ranked(rows: list[tuple[int, str, int]]) -> list[dict[str, Any]]:
    """(-cents, name, id) rows, most hours first, then by name and id."""
    rows.sort()
    return [{"id": i, "name": n, "hours": -c / 100} for c, n, i in rows]


# --- building snapshots -------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Consecutive periods of one programme, built with one set of queries."""

    programme_id: int
    kind: PeriodKind
    starts: tuple[date, ...]


def build_batch(session: Session, batch: Batch, *, now: datetime) -> int:
    """Rebuild the batch's snapshots from approved logs; returns how many rows changed."""
    programme = session.get(Programme, batch.programme_id)
    if programme is None or not batch.starts:
        return 0
    kind, starts = batch.kind, sorted(set(batch.starts))
    lo, hi = previous_start(kind, starts[0]), period_end(kind, starts[-1])
    figures = _gather(session, programme.id, kind, lo, hi)
    metrics = list(session.scalars(select(Metric).where(Metric.programme_id == programme.id)))
    metrics.sort(key=lambda m: m.id)
    snap = ReportSnapshot
    mine = (snap.programme_id == programme.id, snap.period == kind)
    existing: dict[date, Any] = dict(
        session.execute(select(snap.start, snap.data).where(*mine, snap.start.in_(starts))).all()
    )
    cumulative, wanted, cur = dict(figures.outcomes_before), set(starts), lo
    fresh: dict[date, dict[str, Any]] = {}
    stale: dict[date, dict[str, Any]] = {}
    totals = _totals(figures, cur, programme.hourly_rate)
    while cur <= starts[-1]:
        for metric_id, qty in figures.outcomes.get(cur, {}).items():
            cumulative[metric_id] = cumulative.get(metric_id, Decimal(0)) + qty
        previous_totals = totals
        totals = _totals(figures, cur, programme.hourly_rate)
        if cur in wanted:
            args = (figures, cumulative, totals, previous_totals)
            data = _period_data(programme, metrics, kind, cur, *args)
            if cur not in existing:
                fresh[cur] = data
            elif existing[cur] != data:  # unchanged figures leave the row (and built_at) alone
                stale[cur] = data
        cur = next_start(kind, cur)
    stale.update(_insert(session, programme.id, kind, fresh, now))
    _update(session, programme.id, kind, stale, now)
    return len(fresh) + len(stale)


def _update(
    session: Session, programme_id: int, kind: PeriodKind, stale: dict[date, Any], now: datetime
) -> None:
    """Write new figures over the stored ones, in one statement."""
    if not stale:
        return
    table = cast_type(Table, ReportSnapshot.__table__)
    stmt = (
        table.update()
        .where(
            table.c.programme_id == programme_id,
            table.c.period == kind,
            table.c.start == bindparam("at"),
        )
        .values(data=bindparam("d"), hours_total=bindparam("h"), built_at=now)
    )
    rows = [{"at": s, "d": d, "h": _d(d["hours_total"])} for s, d in stale.items()]
    session.connection().execute(stmt, rows)


def _insert(
    session: Session, programme_id: int, kind: PeriodKind, fresh: dict[date, Any], now: datetime
) -> dict[date, Any]:
    """Insert new snapshots in one statement. Those another builder inserted meanwhile are
    left out of `fresh`; the ones among them with other figures are returned, to update."""
    if not fresh:
        return {}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "programme_id": programme_id,
            "period": kind,
            "start": start,
            "end": period_end(kind, start),
            "hours_total": _d(data["hours_total"]),
            "data": data,
            "built_at": now,
        }
        for start, data in fresh.items()
    ]
    table = cast_type(Table, ReportSnapshot.__table__)
    stmt = insert(table).on_conflict_do_nothing().returning(table.c.start)
    inserted = set(session.execute(stmt, rows).scalars())
    theirs = {start: fresh.pop(start) for start in list(fresh) if start not in inserted}
    if not theirs:
        return {}
    snap = ReportSnapshot
    stored = session.execute(
        select(snap.start, snap.data).where(
            snap.programme_id == programme_id, snap.period == kind, snap.start.in_(theirs)
        )
    )
    return {start: theirs[start] for start, data in stored if theirs[start] != data}


def _runs(kind: PeriodKind, starts: Iterable[date]) -> Iterator[tuple[date, ...]]:
    """Split sorted period starts into runs of consecutive periods, at most BATCH long."""
    run: list[date] = []
    for start in sorted(set(starts)):
        if run and (start != next_start(kind, run[-1]) or len(run) >= BATCH):
            yield tuple(run)
            run = []
        run.append(start)
    if run:
        yield tuple(run)


def _running(today: date) -> ColumnElement[bool]:
    return and_(
        Programme.starts_on <= today, or_(Programme.ends_on.is_(None), Programme.ends_on >= today)
    )


def plan_rebuild(
    session: Session,
    *,
    now: datetime,
    programme_id: int | None = None,
    kinds: Iterable[PeriodKind] = tuple(PeriodKind),
    since: date | None = None,
) -> list[Batch]:
    """Every period from a programme's first approved log to its last (and to today while it
    runs), optionally only from `since`, split into batches."""
    today = now.date()
    q = select(Programme.id, _running(today)).order_by(Programme.id)
    if programme_id is not None:
        q = q.where(Programme.id == programme_id)
    batches: list[Batch] = []
    for pid, running in session.execute(q).all():
        approved = (L.programme_id == pid, L.status == LogStatus.APPROVED)
        first = session.scalar(select(func.min(L.date)).where(*approved))
        last = session.scalar(select(func.max(L.date)).where(*approved))
        if running:
            first, last = min(first or today, today), max(last or today, today)
        if first is None or last is None:
            continue
        for kind in kinds:
            lo = max(first, since) if since else first
            starts = starts_between(kind, lo, last) if lo <= last else []
            batches += [Batch(pid, kind, run) for run in _runs(kind, starts)]
    return batches


def rebuild_reports(session: Session, *, now: datetime, **plan: Any) -> int:
    """Rebuild every planned period (see plan_rebuild); returns how many snapshots changed."""
    return sum(build_batch(session, b, now=now) for b in plan_rebuild(session, now=now, **plan))


# Opens a session in a transaction of its own, committed on success (coprod.db.unit_of_work).
UnitOfWork = Callable[[], AbstractContextManager[Session]]


def default_jobs(dialect_name: str) -> int:
    """Batches built at once unless told: one on SQLite, which serialises writers (a second
    connection would only wait), one per CPU on PostgreSQL."""
    return 1 if dialect_name == "sqlite" else os.cpu_count() or 1


def build_batches(
    unit: UnitOfWork,
    batches: Sequence[Batch],
    *,
    now: datetime,
    jobs: int = 1,
    done: Callable[[Batch, int], None] | None = None,
) -> int:
    """Build each batch in its own transaction (`unit()`), up to `jobs` at once, each on its
    own session and connection; returns how many snapshots changed.

    `done(batch, changed)` runs in the caller's thread after each batch commits (a progress
    bar). The first error cancels the batches not yet started and is raised once those
    running have ended; batches already committed stay, and building is idempotent, so
    running again finishes the job.
    """

    def build(batch: Batch) -> int:
        try:
            with unit() as session:
                return build_batch(session, batch, now=now)
        except Exception as err:
            err.add_note(f"while building {batch}")
            raise

    # A batch allocates tens of thousands of short-lived objects, and each full collection of
    # the garbage collector would walk every object of the process (the app, SQLAlchemy's
    # tables and caches: ~120,000): freeze those while the batches run.
    gc.freeze()
    try:
        return _build_all(build, batches, jobs, done)
    finally:
        gc.unfreeze()


def _build_all(
    build: Callable[[Batch], int],
    batches: Sequence[Batch],
    jobs: int,
    done: Callable[[Batch, int], None] | None,
) -> int:
    changed = 0
    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            n = build(batch)
            changed += n
            if done:
                done(batch, n)
        return changed
    with ThreadPoolExecutor(max_workers=min(jobs, len(batches))) as pool:
        running = {pool.submit(build, batch): batch for batch in batches}
        try:
            for future in as_completed(running):
                n = future.result()
                changed += n
                if done:
                    done(running[future], n)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return changed


def touched_batches(session: Session, since: datetime) -> list[Batch]:
    """Periods holding a log that entered or left the approved set after `since` -- and for a
    correction, also the period of the log it replaces, so moved hours leave the old one."""
    original = aliased(ContributionLog)
    changed = select(L.programme_id, L.date).where(L.counted_changed_at > since)
    replaced = (
        select(original.programme_id, original.date)
        .join(L, L.corrects_id == original.id)
        .where(L.counted_changed_at > since)
    )
    per: dict[tuple[int, PeriodKind], set[date]] = defaultdict(set)
    for pid, day in session.execute(changed.union(replaced)):
        for kind in PeriodKind:
            per[(pid, kind)].add(period_start(kind, day))
    return [
        Batch(pid, kind, run) for (pid, kind), starts in per.items() for run in _runs(kind, starts)
    ]


def missing_current_batches(session: Session, *, now: datetime) -> list[Batch]:
    """The current period of each running programme that has no snapshot yet."""
    today, out = now.date(), []
    for kind in PeriodKind:
        start = period_start(kind, today)
        have = select(ReportSnapshot.programme_id).where(
            ReportSnapshot.period == kind, ReportSnapshot.start == start
        )
        q = select(Programme.id).where(_running(today), Programme.id.not_in(have))
        out += [Batch(pid, kind, (start,)) for pid in session.scalars(q)]
    return out


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTotals:
    """A period's hours (in total and by sector), for the "over time" chart and table."""

    start: date
    hours_total: float
    hours_by_sector: dict[str, float]


@dataclass
class ReportPage:
    programme: Programme
    kind: PeriodKind
    start: date
    end: date
    snapshot: ReportSnapshot | None
    history: list[PeriodTotals]  # up to HISTORY periods, oldest first, ending at `start`
    newer: date | None


def _programme(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("There is no such programme.")
    return programme


def _snapshots(programme_id: int, kind: PeriodKind) -> Select[ReportSnapshot]:
    return select(ReportSnapshot).where(
        ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind
    )


def get_report(
    session: Session,
    actor: User | None,
    programme_id: int,
    *,
    period: str | None,
    start: str | None,
    now: datetime,
) -> ReportPage:
    """A programme's report for one period (the latest built when none is asked), for members
    of the lead agency and partner organisations and site admins."""
    programme = _programme(session, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    kind, day = parse_period(period), parse_day(start)
    # The history's rows without their documents, but with the two figures the chart needs;
    # the chosen period's document is read only when its figures are rendered.
    totals = (
        select(
            ReportSnapshot,
            ReportSnapshot.data["hours_total"],
            ReportSnapshot.data["hours_by_sector"],
        )
        .where(ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind)
        .options(defer(ReportSnapshot.data))
        .order_by(ReportSnapshot.start.desc())
        .limit(HISTORY)
    )
    if day is not None:
        totals = totals.where(ReportSnapshot.start <= period_start(kind, day))
    rows = session.execute(totals).all()[::-1]
    history = [PeriodTotals(snap.start, total, sectors) for snap, total, sectors in rows]
    if day is None:  # the latest built period (nothing is newer), else the current one
        first = history[-1].start if history else period_start(kind, now.date())
        newer = None
    else:
        first = period_start(kind, day)
        newer = session.scalar(
            select(func.min(ReportSnapshot.start)).where(
                ReportSnapshot.programme_id == programme_id,
                ReportSnapshot.period == kind,
                ReportSnapshot.start > first,
            )
        )
    snapshot = rows[-1][0] if rows and rows[-1][0].start == first else None
    end = period_end(kind, first)
    return ReportPage(programme, kind, first, end, snapshot, history, newer)


def get_snapshot(
    session: Session, actor: User | None, programme_id: int, period: str, start: str
) -> ReportSnapshot:
    """One stored snapshot, for export by those who may read the programme's reports."""
    programme = _programme(session, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    missing = NotFound("There is no report for that period yet.")
    try:
        kind, day = PeriodKind(period), date.fromisoformat(start)
    except ValueError:
        raise missing from None
    snap = session.scalar(_snapshots(programme_id, kind).where(ReportSnapshot.start == day))
    if snap is None:
        raise missing
    return snap


def snapshot_json(snap: ReportSnapshot) -> dict[str, Any]:
    """The snapshot as the API and the JSON export give it."""
    return {**snap.data, "built_at": snap.built_at.isoformat()}


CSV_COLUMNS = [
    "section",
    "id",
    "name",
    "hours",
    "share_percent",
    "quantity",
    "cumulative",
    "unit",
    "target",
    "percent_of_target",
    "on_track",
    "value",
]
SECTOR_LABELS = {
    "agency": "Agency",
    "nonprofit": "Nonprofits",
    "community": "Community groups",
    "business": "Businesses",
    "citizen": "Individual citizens",
}


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def snapshot_csv(snap: ReportSnapshot) -> str:
    """The snapshot's figures as CSV: one row per total, sector, organisation, task, outcome."""
    d = snap.data
    rows: list[dict[str, Any]] = [
        {"section": "summary", "name": k, "value": d[k]}
        for k in (
            "period",
            "start",
            "end",
            "hours_total",
            "contributors",
            "new_contributors",
            "in_kind_value",
            "hours_value",
        )
    ]
    rows.append(
        {
            "section": "summary",
            "name": "previous_hours_total",
            "value": d["previous"]["hours_total"],
        }
    )
    rows += [
        {
            "section": "sector",
            "id": s,
            "name": SECTOR_LABELS[s],
            "hours": d["hours_by_sector"][s],
            "share_percent": d["share_by_sector"][s],
        }
        for s in SECTORS
    ]
    for section, key in (("organisation", "hours_by_organisation"), ("task", "hours_by_task")):
        rows += [{"section": section, **r} for r in d[key]]
    rows += [
        {"section": "outcome", "id": o["metric_id"], **{k: o[k] for k in CSV_COLUMNS[2:] if k in o}}
        for o in d["outcomes"]
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


@dataclass
class Impact:
    programme: Programme
    totals: dict[str, Any]
    outcomes: list[dict[str, Any]]
    as_of: date | None


def get_impact(session: Session, programme_id: int, *, now: datetime) -> Impact:
    """A programme's public figures since it began: totals, sector shares and outcomes against
    targets, from the quarterly snapshots; never a person's name."""
    programme = _programme(session, programme_id)
    current = period_start(PeriodKind.QUARTER, now.date())
    snaps = list(
        session.scalars(
            _snapshots(programme_id, PeriodKind.QUARTER)
            .where(ReportSnapshot.start <= current)
            .order_by(ReportSnapshot.start)
        )
    )
    by_sector = dict.fromkeys(SECTORS, Decimal(0))
    sums = dict.fromkeys(("contributors", "in_kind_value", "hours_value"), Decimal(0))
    for s in snaps:
        for k in SECTORS:
            by_sector[k] += _d(s.data["hours_by_sector"][k])
        sums["contributors"] += s.data["new_contributors"]  # each person is new exactly once
        sums["in_kind_value"] += _d(s.data["in_kind_value"])
        sums["hours_value"] += _d(s.data["hours_value"])
    total = sum(by_sector.values(), Decimal(0))
    totals = {
        "hours_total": _num(total),
        "hours_by_sector": {k: _num(v) for k, v in by_sector.items()},
        "share_by_sector": {k: _pct(v, total) for k, v in by_sector.items()},
        "contributors": int(sums["contributors"]),
        "in_kind_value": _num(sums["in_kind_value"]),
        "hours_value": _num(sums["hours_value"]),
    }
    latest = snaps[-1] if snaps else None
    outcomes = latest.data["outcomes"] if latest else []
    return Impact(programme, totals, outcomes, latest.end if latest else None)
