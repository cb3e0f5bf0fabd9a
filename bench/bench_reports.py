"""Benchmark: a full rebuild of every monthly report against one hand-written GROUP BY.

    .venv/bin/python -m bench.bench_reports --url postgresql://postgres@127.0.0.1:5432/bench \
        --logs 1000000

Generates a world (bulk inserts with progress; COPY on PostgreSQL), then times
1. the raw query: approved hours by sector and month, one GROUP BY over every log;
2. a full rebuild of all monthly snapshots with coprod.services.reports (cold: rows written);
3. the same rebuild again (warm: nothing changes, nothing written);
4. the rebuild as `flask reports rebuild` runs it by default (--jobs: one connection per CPU
   on PostgreSQL), three times;
and reports the rebuild's peak Python memory (tracemalloc, in a separate idempotent run, so
tracing does not slow the timed runs) and the process's peak RSS. See bench/README.md.

With `--sweep` (on a generated world, `--reuse`) it times the scheduled sweep instead: 1,000
approved logs (`--changed`), most dated in the last two weeks, leave the approved set and the
sweep settles (untimed); then they are approved again, as reviewers would, and the sweep job's
service function (coprod.jobs.reports.sweep_reports) is timed, `--repeat` times.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import random
import resource
import subprocess
import sys
import time
import tracemalloc
import types
from array import array
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from bench.generate import reset
from coprod.db import deferred_begin, make_engine
from coprod.jobs.reports import SWEEP_JOB, sweep_reports
from coprod.models import (
    ContributionLog,
    InKindItem,
    JobState,
    Metric,
    Organisation,
    OutcomeQuantity,
    PeriodKind,
    Programme,
    Task,
    User,
)
from coprod.services import reports
from coprod.services.reports import default_jobs

NOW = datetime(2026, 6, 13, 10, 0, tzinfo=UTC)
FIRST_DAY = date(2023, 7, 1)
KINDS = ["agency", "nonprofit", "community", "business"]
LOG_COLS = [
    "id", "user_id", "organisation_id", "programme_id", "task_id", "date", "hours", "notes",
    "status", "review_comment", "counted_changed_at", "submitted_at", "created_at", "updated_at",
]  # fmt: skip

RAW_SQL = {
    "postgresql": """
        SELECT date_trunc('month', l.date)::date AS month, coalesce(o.kind, 'citizen') AS sector,
               sum(l.hours)
        FROM contribution_log l LEFT JOIN organisation o ON o.id = l.organisation_id
        WHERE l.status = 'approved'
        GROUP BY 1, 2""",
    "sqlite": """
        SELECT date(l.date, 'start of month') AS month, coalesce(o.kind, 'citizen') AS sector,
               sum(l.hours)
        FROM contribution_log l LEFT JOIN organisation o ON o.id = l.organisation_id
        WHERE l.status = 'approved'
        GROUP BY 1, 2""",
}


def progress(label: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{label}: {done:,}/{total:,} ({100 * done // max(total, 1)}%)")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def small_world(engine: Engine, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """Organisations, people, programmes, tasks and metrics (thousands of rows, via the ORM)."""
    with Session(engine) as s:
        orgs = [Organisation(name=f"Org {i}", kind=KINDS[i % 4]) for i in range(args.orgs)]
        s.add_all(orgs)
        s.flush()
        agencies = [o for o in orgs if o.kind == "agency"]
        s.execute(
            insert(User),
            [
                {"email": f"u{i}@bench.example", "stored_name": f"U{i}", "password_hash": "x",
                 "calendar_token": f"tok{i}"}
                for i in range(args.users)
            ],
        )  # fmt: skip
        progs = [
            Programme(name=f"P{i}", lead_organisation_id=agencies[i % len(agencies)].id,
                      starts_on=FIRST_DAY, hourly_rate=Decimal("30"))
            for i in range(args.programmes)
        ]  # fmt: skip
        s.add_all(progs)
        s.flush()
        tasks, metrics = {}, {}
        for p in progs:
            tasks[p.id] = [Task(programme_id=p.id, title=f"T{p.id}-{j}") for j in range(args.tasks)]
            metrics[p.id] = [
                Metric(programme_id=p.id, name=f"M{p.id}-{j}", unit="units",
                       target=Decimal(100000), target_date=date(2027, 6, 30))
                for j in range(2)
            ]  # fmt: skip
            s.add_all(tasks[p.id] + metrics[p.id])
        s.flush()
        world = {
            "orgs": [o.id for o in orgs],
            "users": list(s.scalars(select(User.id))),
            "tasks": {pid: [t.id for t in ts] for pid, ts in tasks.items()},
            "metrics": {pid: [m.id for m in ms] for pid, ms in metrics.items()},
        }  # fmt: skip
        s.commit()
    return world


def log_rows(args: argparse.Namespace, world: dict[str, Any], rng: random.Random):
    days = (NOW.date() - FIRST_DAY).days
    pids = list(world["tasks"])
    for i in range(1, args.logs + 1):
        pid = pids[i % len(pids)]
        day = FIRST_DAY + timedelta(days=rng.randrange(days))
        org = rng.choice(world["orgs"]) if rng.random() < 0.6 else None
        hours = Decimal(rng.randrange(1, 33)) / 4
        yield (i, rng.choice(world["users"]), org, pid, rng.choice(world["tasks"][pid]), day, hours,
               "", "approved", "", NOW, NOW, NOW, NOW)  # fmt: skip


def extra_rows(args: argparse.Namespace, world: dict[str, Any], rng: random.Random, days: Any):
    """Outcome quantities on a third of the logs, in-kind items on one in twenty (each with its
    log's programme and date, as the application copies them)."""
    pids = list(world["tasks"])
    outcomes, in_kind = [], []
    for i in range(1, args.logs + 1):
        pid = pids[i % len(pids)]
        if i % 3 == 0:
            metric = world["metrics"][pid][i % 2]
            outcomes.append((i, pid, days[i - 1], metric, Decimal(rng.randrange(1, 50))))
        if i % 20 == 0:
            value = Decimal(rng.randrange(100, 10000)) / 100
            in_kind.append((i, pid, days[i - 1], "Supplies", value))
    return outcomes, in_kind


def bulk_insert(engine: Engine, table: str, cols: list[str], rows: Any, total: int) -> None:
    chunk = 20000
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with (
                raw.cursor() as cur,
                cur.copy(  # type: ignore[attr-defined]
                    f"COPY {table} ({', '.join(cols)}) FROM STDIN"
                ) as copy,
            ):
                for n, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if n % chunk == 0 or n == total:
                        progress(table, n, total)
            raw.commit()
        finally:
            raw.close()
        return
    tbl = {
        "contribution_log": ContributionLog.__table__,
        "outcome_quantity": OutcomeQuantity.__table__,
        "in_kind_item": InKindItem.__table__,
    }[table]
    batch: list[dict[str, Any]] = []
    done = 0
    with engine.begin() as conn:
        for row in rows:
            batch.append(dict(zip(cols, row, strict=True)))
            if len(batch) == chunk:
                conn.execute(insert(tbl), batch)
                done += len(batch)
                batch = []
                progress(table, done, total)
        if batch:
            conn.execute(insert(tbl), batch)
            done += len(batch)
        progress(table, done, total)


class _Dates:
    def __init__(self, ordinals: array[int]) -> None:
        self.ordinals = ordinals

    def __getitem__(self, i: int) -> date:
        return date.fromordinal(self.ordinals[i])


def generate(engine: Engine, args: argparse.Namespace) -> None:
    rng = random.Random(42)
    started = time.perf_counter()
    world = small_world(engine, args, rng)
    days = array("l")  # each log's date (ordinal), for its outcome and in-kind rows

    def logs() -> Any:
        for row in log_rows(args, world, rng):
            days.append(row[5].toordinal())
            yield row

    bulk_insert(engine, "contribution_log", LOG_COLS, logs(), args.logs)
    dates = _Dates(days)
    outcomes, in_kind = extra_rows(args, world, rng, dates)
    bulk_insert(engine, "outcome_quantity",
                ["log_id", "programme_id", "date", "metric_id", "quantity"],
                outcomes, len(outcomes))  # fmt: skip
    bulk_insert(engine, "in_kind_item", ["log_id", "programme_id", "date", "description", "value"],
                in_kind, len(in_kind))  # fmt: skip
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('contribution_log_id_seq', :n)"), {"n": args.logs})
    vacuum(engine)
    print(f"generated {args.logs:,} approved logs in {time.perf_counter() - started:.1f} s")


def vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE, as autovacuum would after a bulk load: fresh statistics, and on
    PostgreSQL the visibility map that lets index-only scans skip the table."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:  # SQLite: inside the BEGIN coprod.db always emits
            conn.execute(text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def time_raw(engine: Engine, *, serial: bool = False) -> tuple[float, int]:
    """The raw query; `serial` forbids PostgreSQL's parallel workers (one process, as each
    statement of the rebuild runs)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        if serial and engine.dialect.name == "postgresql":
            conn.execute(text("SET max_parallel_workers_per_gather = 0"))
        rows = conn.execute(text(RAW_SQL[engine.dialect.name])).all()
        conn.rollback()
    return time.perf_counter() - started, len(rows)


def _unit(engine: Engine) -> Any:
    """One session in one transaction, committed on success (as coprod.db.unit_of_work)."""

    @contextmanager
    def unit() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as s, s.begin():
            yield s

    return unit


def _read_unit(engine: Engine) -> Any:
    """A transaction that only reads, deferred BEGIN on SQLite (as read_only_unit_of_work)."""

    @contextmanager
    def unit() -> Iterator[Session]:
        with deferred_begin(), Session(engine) as s:
            yield s
            s.rollback()

    return unit


def rebuild_months(engine: Engine, jobs: int = 1) -> tuple[float, int, int]:
    """Every monthly snapshot of every programme, one transaction per batch, on `jobs`
    connections at once: what `flask reports rebuild --period month --jobs N` does."""
    started = time.perf_counter()
    with Session(engine) as s:
        plan = reports.plan_rebuild(s, now=NOW, kinds=[PeriodKind.MONTH])
    if hasattr(reports, "build_batches"):
        # As the CLI passes it (a builder from before read_unit had none).
        takes = "read_unit" in inspect.signature(reports.build_batches).parameters
        sqlite = engine.dialect.name == "sqlite"
        extra = {"read_unit": _read_unit(engine)} if takes and sqlite else {}
        # A batch allocates tens of thousands of short-lived objects, and each full collection
        # of the garbage collector would walk every object of the process (the app,
        # SQLAlchemy's tables and caches: ~120,000): the benchmark freezes those while the
        # batches run (the services leave the process's collector alone).
        gc.freeze()
        try:
            changed = reports.build_batches(_unit(engine), plan, now=NOW, jobs=jobs, **extra)
        finally:
            gc.unfreeze()
    else:  # an older builder (--builder REV): its batches one after the other, or in threads
        unit = _unit(engine)

        def build(batch: Any) -> int:
            with unit() as s:
                return int(reports.build_batch(s, batch, now=NOW))

        with ThreadPoolExecutor(jobs) as pool:
            changed = sum(pool.map(build, plan))
    return time.perf_counter() - started, sum(len(b.starts) for b in plan), changed


def builder_at(rev: str) -> Any:
    """coprod/services/reports.py as it was at a git revision, for before/after figures (a
    revision before the module became the coprod/services/reports/ package)."""
    source = subprocess.run(  # noqa: S603 (a revision typed by whoever runs the benchmark)
        ["git", "show", f"{rev}:coprod/services/reports.py"],  # noqa: S607
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    module = types.ModuleType(f"coprod.services.reports_at_{rev}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"reports.py@{rev}", "exec"), module.__dict__)  # noqa: S102
    return module


def _pick_logs(engine: Engine, n: int, rng: random.Random, today: date) -> list[int]:
    """n approved logs spread as approvals are: nine in ten dated in the last 14 days, the
    rest in the last 120 (late logs)."""
    lc = ContributionLog
    with Session(engine) as s:

        def ids_since(days: int) -> list[int]:
            q = select(lc.id).where(
                lc.status == "approved", lc.date >= today - timedelta(days=days)
            )
            return list(s.scalars(q.order_by(lc.id)))

        recent, late = ids_since(14), ids_since(120)
    picked = set(rng.sample(recent, n * 9 // 10))
    while len(picked) < n:
        picked.add(rng.choice(late))
    return sorted(picked)


def _set_status(engine: Engine, ids: list[int], status: str, at: datetime) -> None:
    lc = ContributionLog
    with Session(engine) as s, s.begin():
        s.execute(
            lc.__table__.update()  # type: ignore[attr-defined]
            .where(lc.id.in_(ids))
            .values(status=status, counted_changed_at=at)
        )


def _sweep(engine: Engine, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as s, s.begin():
        changed = sweep_reports(s, now=now)
    return time.perf_counter() - started, changed


def time_sweeps(engine: Engine, args: argparse.Namespace) -> None:
    """The scheduled sweep after args.changed approvals, args.repeat times (a clock that moves
    on from the job's cursor, so runs on the same world follow each other)."""
    with Session(engine) as s, s.begin():
        state = s.get(JobState, SWEEP_JOB)
        if state is None:  # never swept: start from the world's "now", as if built then
            state = JobState(job_id=SWEEP_JOB)
            s.add(state)
        if state.cursor is None:
            state.cursor = state.last_run_at = NOW
        clock = max(state.cursor, NOW)
    rng = random.Random(args.seed)
    timed: list[tuple[float, int, float]] = []
    for _ in range(args.repeat):
        ids = _pick_logs(engine, args.changed, rng, NOW.date())
        clock += timedelta(hours=1)
        _set_status(engine, ids, "submitted", clock - timedelta(minutes=30))
        settle_s, _n = _sweep(engine, clock)
        clock += timedelta(hours=1)
        _set_status(engine, ids, "approved", clock - timedelta(minutes=1))
        before = time_raw(engine)[0]
        with Session(engine) as s:
            since = clock - timedelta(hours=1) - timedelta(minutes=10)
            touched = sum(len(b.starts) for b in reports.sweep_batches(s, since, now=clock))
        sweep_s, changed = _sweep(engine, clock)
        timed.append((sweep_s, changed, before))
        print(f"sweep after {len(ids):,} approvals  {sweep_s:.3f} s ({touched} periods touched, "
              f"{changed} snapshots changed; raw GROUP BY just before: {before:.3f} s; "
              f"sweep after they left the approved set: {settle_s:.3f} s)")  # fmt: skip
    times = sorted(t[0] for t in timed)
    print(f"sweep median        {times[len(times) // 2]:.3f} s of {len(times)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url", default="sqlite:////tmp/coprod-bench.sqlite")
    ap.add_argument("--logs", type=int, default=1_000_000)
    ap.add_argument("--programmes", type=int, default=10)
    ap.add_argument("--orgs", type=int, default=200)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="connections for the parallel rebuild (default: as flask reports rebuild, one per "
        "CPU on PostgreSQL, 1 on SQLite)",
    )
    ap.add_argument("--builder", metavar="REV", help="time reports.py as of this git revision")
    ap.add_argument("--reuse", action="store_true", help="keep the generated world")
    ap.add_argument("--sweep", action="store_true", help="time the sweep after approvals")
    ap.add_argument("--changed", type=int, default=1000, help="approvals before each sweep")
    ap.add_argument("--repeat", type=int, default=3, help="sweeps timed")
    ap.add_argument("--seed", type=int, default=7, help="which logs are approved")
    args = ap.parse_args()
    if args.builder:
        global reports
        reports = builder_at(args.builder)
    engine = make_engine(args.url) if args.reuse else reset(args.url)
    if not args.reuse:
        generate(engine, args)
    if args.sweep:
        time_raw(engine)
        time_sweeps(engine, args)
        return
    time_raw(engine)  # warm the cache for both contenders alike
    # On a shared machine the load changes from minute to minute: time the raw query right
    # before and after each rebuild and compare each rebuild with the mean of its neighbours.
    raws = [time_raw(engine)]
    cold_s, periods, changed = rebuild_months(engine)
    raws.append(time_raw(engine))
    warm_s, _, unchanged = rebuild_months(engine)
    raws.append(time_raw(engine))
    raw_rows = raws[0][1]
    raw_cold, raw_warm = (raws[0][0] + raws[1][0]) / 2, (raws[1][0] + raws[2][0]) / 2
    raw_s = sorted(r[0] for r in raws)[1]
    serial_s = sorted(time_raw(engine, serial=True)[0] for _ in range(3))[1]
    # As the CLI: one per CPU on PostgreSQL; SQLite serialises writers (BEGIN IMMEDIATE), so a
    # rebuild on several connections there only waits.
    jobs = args.jobs or default_jobs()
    # The rebuild as `flask reports rebuild` runs it by default, three times, each against the
    # raw query timed right before and after it.
    par: list[tuple[float, float]] = []
    for _ in range(3):
        before = time_raw(engine)[0]
        par_one = rebuild_months(engine, jobs)[0]
        par.append((par_one, (before + time_raw(engine)[0]) / 2))
    par_s, par_raw = sorted(par, key=lambda p: p[0] / p[1])[1]  # the median ratio
    peaks = {}
    for n in sorted({1, jobs}):
        tracemalloc.start()
        rebuild_months(engine, n)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    peak = peaks[1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database            {engine.dialect.name}")
    print(f"approved logs       {args.logs:,} in {args.programmes} programmes")
    print(f"raw GROUP BY        {raw_s:.3f} s median of "
          f"{', '.join(f'{r[0]:.3f}' for r in raws)} ({raw_rows} sector-month rows)")  # fmt: skip
    print(f"rebuild, cold       {cold_s:.3f} s ({periods} monthly snapshots, {changed} written)")
    print(f"rebuild, warm       {warm_s:.3f} s ({unchanged} written: idempotent)")
    print(f"ratio cold / raw    {cold_s / raw_cold:.2f}x (raw before and after: {raw_cold:.3f} s)")
    print(f"ratio warm / raw    {warm_s / raw_warm:.2f}x (raw before and after: {raw_warm:.3f} s)")
    print(f"raw, one process    {serial_s:.3f} s (median of 3; no parallel workers)")
    print(f"warm / raw, one process each    {warm_s / serial_s:.2f}x")
    print(f"rebuild on {jobs} connection(s)  {par_s:.3f} s: {par_s / par_raw:.2f}x the raw "
          f"query (before and after: {par_raw:.3f} s; median ratio of "
          f"{', '.join(f'{a / b:.2f}x' for a, b in par)})")  # fmt: skip
    print(f"rebuild peak memory {peak / 1e6:.1f} MB (tracemalloc, one connection; "
          f"{peaks[jobs] / 1e6:.1f} MB on {jobs}); process peak RSS {rss:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
