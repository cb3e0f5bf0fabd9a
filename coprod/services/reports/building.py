"""Building snapshots: batches of consecutive periods, one transaction each, on one or several
connections; planning a full rebuild and finding the periods touched since the last sweep."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from typing import cast as cast_type
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    ContributionLog,
    Feedback,
    LogStatus,
    Metric,
    PeriodKind,
    Programme,
    QualificationAward,
    ReportSnapshot,
    Task,
    task_qualification,
)
from coprod.services.contributions.rules import EARLIEST_LOG_DATE
from coprod.services.governance import figures as commitment_figures
from coprod.services.localtime import programme_zone_sql
from coprod.services.reports.dialect import insert_skipping_existing
from coprod.services.reports.figures import gather_figures, period_document, period_totals, to_cents
from coprod.services.reports.periods import (
    local_todays,
    next_start,
    period_end,
    period_start,
    previous_start,
    starts_between,
)
from coprod.services.reports.queries import Scope, first_counted_day

L = ContributionLog
# Longest run of consecutive periods built with one set of queries (bounds memory per batch).
BATCH = 53


@dataclass(frozen=True)
class Batch:
    """Consecutive periods of one programme, built with one set of queries."""

    programme_id: int
    kind: PeriodKind
    starts: tuple[date, ...]


# Told of each period that could not be built (a batch of one period) and why; it is skipped.
Failed = Callable[[Batch, Exception], None]


def build_batch(session: Session, batch: Batch, *, now: datetime) -> int:
    """Rebuild the batch's snapshots from approved logs in the session's transaction; returns
    how many rows changed."""
    return store_batch(session, batch, compute_batch(session, batch), now=now)


def periods_of(batch: Batch) -> list[Batch]:
    """The batch split into batches of one period each."""
    return [Batch(batch.programme_id, batch.kind, (start,)) for start in batch.starts]


def build_batch_isolated(session: Session, batch: Batch, *, now: datetime, failed: Failed) -> int:
    """Build the batch in a savepoint; if it fails, build its periods one by one, and skip
    (telling `failed`) each period that fails on its own, so one bad period (a log dated in
    year 1 overflows the date arithmetic) costs only itself."""
    try:
        with session.begin_nested():
            return build_batch(session, batch, now=now)
    except Exception as err:
        if len(batch.starts) == 1:
            failed(batch, err)
            return 0
    return sum(
        build_batch_isolated(session, one, now=now, failed=failed) for one in periods_of(batch)
    )


def compute_batch(session: Session, batch: Batch) -> dict[date, dict[str, Any]]:
    """The snapshot document of each of the batch's periods, from approved logs (reads only)."""
    programme = session.get(Programme, batch.programme_id)
    if programme is None or not batch.starts:
        return {}
    kind, starts = batch.kind, sorted(set(batch.starts))
    lo, hi = previous_start(kind, starts[0]), period_end(kind, starts[-1])
    first = first_counted_day(session, programme.id)
    scope = Scope(programme.id, kind, lo, hi, earlier_logs=first is not None and first < lo)
    figures = gather_figures(session, scope)
    metrics = list(session.scalars(select(Metric).where(Metric.programme_id == programme.id)))
    metrics.sort(key=lambda m: m.id)
    cumulative, wanted, cur = dict(figures.outcomes_before), set(starts), lo
    docs: dict[date, dict[str, Any]] = {}
    totals = period_totals(figures, cur, programme.hourly_rate)
    while cur <= starts[-1]:
        for metric_id, qty in figures.outcomes.get(cur, {}).items():
            cumulative[metric_id] = cumulative.get(metric_id, Decimal(0)) + qty
        previous_totals = totals
        totals = period_totals(figures, cur, programme.hourly_rate)
        if cur in wanted:
            args = (figures, cumulative, totals, previous_totals)
            docs[cur] = period_document(programme, metrics, kind, cur, *args)
        cur = next_start(kind, cur)
    # Partners' commitments as figures against what they delivered (issue 18).
    blocks = commitment_figures.programme_blocks(session, programme, kind, sorted(docs))
    for start, block in blocks.items():
        docs[start]["commitments"] = block
    return docs


def store_batch(
    session: Session, batch: Batch, docs: dict[date, dict[str, Any]], *, now: datetime
) -> int:
    """Store the documents: new periods inserted, changed ones updated, unchanged ones left
    alone (built_at included); returns how many rows changed."""
    if not docs:
        return 0
    snap = ReportSnapshot
    mine = (snap.programme_id == batch.programme_id, snap.period == batch.kind)
    existing: dict[date, Any] = dict(
        session.execute(select(snap.start, snap.data).where(*mine, snap.start.in_(docs))).all()
    )
    fresh = {start: data for start, data in docs.items() if start not in existing}
    stale = {s: d for s, d in docs.items() if s in existing and existing[s] != d}
    stale.update(_insert(session, batch.programme_id, batch.kind, fresh, now))
    _update(session, batch.programme_id, batch.kind, stale, now)
    return len(fresh) + len(stale)


def update_snapshots(
    session: Session, programme_id: int, kind: PeriodKind, stale: dict[date, Any], now: datetime
) -> None:
    """Write new documents over stored snapshots (start -> document), built_at moved."""
    _update(session, programme_id, kind, stale, now)


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
    rows = [{"at": s, "d": d, "h": to_cents(d["hours_total"])} for s, d in stale.items()]
    session.connection().execute(stmt, rows)


def _insert(
    session: Session, programme_id: int, kind: PeriodKind, fresh: dict[date, Any], now: datetime
) -> dict[date, Any]:
    """Insert new snapshots in one statement. Those another builder inserted meanwhile are
    left out of `fresh`; the ones among them with other figures are returned, to update."""
    if not fresh:
        return {}
    rows = [
        {
            "programme_id": programme_id,
            "period": kind,
            "start": start,
            "end": period_end(kind, start),
            "hours_total": to_cents(data["hours_total"]),
            "data": data,
            "built_at": now,
        }
        for start, data in fresh.items()
    ]
    table = cast_type(Table, ReportSnapshot.__table__)
    stmt = insert_skipping_existing(session, table).returning(table.c.start)
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
    runs), optionally only from `since`, split into batches.

    The run of periods starts no earlier than the log-date rule's lower bound: a log stored
    before that rule, dated earlier (year 1), adds only its own periods, planned apart, which
    are built or fail on their own -- never the thousands of empty periods in between."""
    q = select(Programme.id, Programme.starts_on, Programme.ends_on, programme_zone_sql())
    q = q.order_by(Programme.id)
    if programme_id is not None:
        q = q.where(Programme.id == programme_id)
    batches: list[Batch] = []
    for pid, starts_on, ends_on, zone_name in session.execute(q).all():
        today = now.astimezone(ZoneInfo(zone_name)).date()  # the programme's own "today"
        running = starts_on <= today and (ends_on is None or ends_on >= today)
        approved = (L.programme_id == pid, L.status == LogStatus.APPROVED)
        in_range = (*approved, L.date >= EARLIEST_LOG_DATE)
        first = session.scalar(select(func.min(L.date)).where(*in_range))
        last = session.scalar(select(func.max(L.date)).where(*approved))
        stray = list(  # dated before the rule's bound: their periods only
            session.scalars(select(L.date).where(*approved, L.date < EARLIEST_LOG_DATE).distinct())
        )
        first, last = _with_feedback(session, pid, first, last)
        if running:
            first, last = min(first or today, today), max(last or today, today)
        if last is None:
            continue
        for kind in kinds:
            starts: set[date] = set()
            if first is not None:
                lo = max(first, since) if since else first
                starts.update(starts_between(kind, lo, last) if lo <= last else [])
            floor = period_start(kind, since) if since else None
            starts.update(
                s for s in (period_start(kind, d) for d in stray) if floor is None or s >= floor
            )
            batches += [Batch(pid, kind, run) for run in _runs(kind, starts)]
    return batches


def _with_feedback(
    session: Session, programme_id: int, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """The run of periods widened to the days the programme's volunteers gave feedback (a
    rating given after its last approved log still has its period)."""
    fb = Feedback
    lo, hi = session.execute(
        select(func.min(fb.date), func.max(fb.date)).where(
            fb.programme_id == programme_id, fb.date >= EARLIEST_LOG_DATE
        )
    ).one()
    if lo is None:
        return first, last
    return min(first or lo, lo), max(last or hi, hi)


def rebuild_reports(
    session: Session, *, now: datetime, failed: Failed | None = None, **plan: Any
) -> int:
    """Rebuild every planned period (see plan_rebuild); returns how many snapshots changed.
    With `failed`, a period that cannot be built is skipped and reported there instead of
    stopping the rest."""
    batches = plan_rebuild(session, now=now, **plan)
    if failed is None:
        return sum(build_batch(session, b, now=now) for b in batches)
    return sum(build_batch_isolated(session, b, now=now, failed=failed) for b in batches)


# Opens a session in a transaction of its own, committed on success (coprod.db.unit_of_work).
UnitOfWork = Callable[[], AbstractContextManager[Session]]


def default_jobs() -> int:
    """Batches built at once unless told: one per CPU (on SQLite too, where only the writing
    is serialised: see build_batches)."""
    return os.cpu_count() or 1


def build_batches(
    unit: UnitOfWork,
    batches: Sequence[Batch],
    *,
    now: datetime,
    jobs: int = 1,
    done: Callable[[Batch, int], None] | None = None,
    read_unit: UnitOfWork | None = None,
    failed: Failed | None = None,
) -> int:
    """Build each batch in its own transaction (`unit()`), up to `jobs` at once, each on its
    own session and connection; returns how many snapshots changed.

    With several jobs and a `read_unit` (a transaction that only reads), a batch's figures are
    computed in one of those and written in a short `unit()` after: on SQLite, which lets one
    writer in at a time, the batches then compute side by side and queue only to write (the
    command passes one there; on PostgreSQL, whose writers do not queue, one transaction per
    batch is as fast). A log approved in between is in the next sweep, which rebuilds every
    period touched since it last ran.

    `done(batch, changed)` runs in the caller's thread after each batch commits (a progress
    bar). With `failed`, a batch that fails is built again period by period, each in its own
    transaction, and each period that still fails is passed to `failed` (from the building
    thread) and skipped. Without it, the first error cancels the batches not yet started and
    is raised once those running have ended; batches already committed stay, and building is
    idempotent, so running again finishes the job.
    """

    def build(batch: Batch) -> int:
        try:
            return build_once(batch)
        except Exception as err:
            if failed is None:
                raise
            if len(batch.starts) == 1:
                failed(batch, err)
                return 0
        return sum(build(one) for one in periods_of(batch))

    def build_once(batch: Batch) -> int:
        try:
            if read_unit is not None and jobs > 1:
                with read_unit() as session:
                    docs = compute_batch(session, batch)
                with unit() as session:
                    return store_batch(session, batch, docs, now=now)
            with unit() as session:
                return build_batch(session, batch, now=now)
        except Exception as err:
            err.add_note(f"while building {batch}")
            raise

    return _build_all(build, batches, jobs, done)


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


def _awards_touched(since: datetime) -> list[Any]:
    """(programme, day) of the awards made or revoked after `since`, for each programme whose
    tasks require or train their qualification: the day awarded, the day it expires, and the
    expiry days of the same person's other awards of it that it keeps valid (it renews them, or
    no longer does once revoked). The awards table has no index on these times: a sweep reads
    it whole, which is small beside the logs."""
    a, other = QualificationAward, aliased(QualificationAward)
    uses = union_all(
        select(Task.programme_id, Task.trains_qualification_id.label("q")).where(
            Task.trains_qualification_id.is_not(None)
        ),
        select(Task.programme_id, task_qualification.c.qualification_id).join(
            Task, Task.id == task_qualification.c.task_id
        ),
    ).subquery("uses")
    moved = or_(a.created_at > since, a.revoked_at > since)

    def days(day: Any, *joins: Any) -> Any:
        q = select(uses.c.programme_id, day).join(a, a.qualification_id == uses.c.q)
        for target, on in joins:
            q = q.join(target, on)
        return q.where(moved, day.is_not(None))

    keeps_valid = and_(
        other.user_id == a.user_id,
        other.qualification_id == a.qualification_id,
        other.id != a.id,
        other.expires_on >= a.awarded_on,
        or_(a.expires_on.is_(None), other.expires_on < a.expires_on),
    )
    return [days(a.awarded_on), days(a.expires_on), days(other.expires_on, (other, keeps_valid))]


def touched_batches(session: Session, since: datetime) -> list[Batch]:
    """Periods holding a log that entered or left the approved set after `since` -- and for a
    correction, also the period of the log it replaces, so moved hours leave the old one --
    periods holding feedback given or hidden after `since` (Feedback.changed_at), and the
    periods whose qualifications awarded or expiring an award made or revoked after `since`
    changes (see _awards_touched)."""
    original = aliased(ContributionLog)
    changed = select(L.programme_id, L.date).where(L.counted_changed_at > since)
    replaced = (
        select(original.programme_id, original.date)
        .join(L, L.corrects_id == original.id)
        .where(L.counted_changed_at > since)
    )
    rated = select(Feedback.programme_id, Feedback.date).where(Feedback.changed_at > since)
    per: dict[tuple[int, PeriodKind], set[date]] = defaultdict(set)
    awards = _awards_touched(since)
    for pid, day in session.execute(changed.union(replaced, rated, *awards)):
        for kind in PeriodKind:
            per[(pid, kind)].add(period_start(kind, day))
    return [
        Batch(pid, kind, run) for (pid, kind), starts in per.items() for run in _runs(kind, starts)
    ]


def missing_current_batches(session: Session, *, now: datetime) -> list[Batch]:
    """The current period (in the programme's own time zone) of each running programme that
    has no snapshot yet."""
    out = []
    for today, in_zone in local_todays(session, now):
        for kind in PeriodKind:
            start = period_start(kind, today)
            have = select(ReportSnapshot.programme_id).where(
                ReportSnapshot.period == kind, ReportSnapshot.start == start
            )
            q = select(Programme.id).where(_running(today), in_zone, Programme.id.not_in(have))
            out += [Batch(pid, kind, (start,)) for pid in session.scalars(q)]
    return out
