"""Building snapshots: batches of consecutive periods, one transaction each, on one or several
connections."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from typing import cast as cast_type

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from coprod.models import (
    Metric,
    PeriodKind,
    Programme,
    ReportSnapshot,
)
from coprod.services.governance import figures as commitment_figures
from coprod.services.reports import cumulative as cumulative_from
from coprod.services.reports.dialect import insert_skipping_existing
from coprod.services.reports.document import ReportDocument, partner_figures
from coprod.services.reports.figures import gather_figures, period_document, period_totals, to_cents
from coprod.services.reports.periods import (
    next_start,
    period_end,
    previous_start,
)
from coprod.services.reports.planning import Batch, plan_rebuild
from coprod.services.reports.planning import (  # where callers found it before planning.py
    missing_current_batches as missing_current_batches,
)
from coprod.services.reports.queries import Scope, programme_facts

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
    year 1 overflows the date arithmetic) costs only itself. A skipped period's stored
    cumulative totals are no longer vouched for (cumulative.forget)."""
    try:
        with session.begin_nested():
            return build_batch(session, batch, now=now)
    except Exception as err:
        if len(batch.starts) == 1:
            failed(batch, err)
            cumulative_from.forget(session, batch.programme_id, batch.kind, batch.starts[0])
            return 0
    return sum(
        build_batch_isolated(session, one, now=now, failed=failed) for one in periods_of(batch)
    )


def compute_batch(session: Session, batch: Batch) -> dict[date, ReportDocument]:
    """The snapshot document of each of the batch's periods, from approved logs (reads only)."""
    programme = session.get(Programme, batch.programme_id)
    if programme is None or not batch.starts:
        return {}
    kind, starts = batch.kind, sorted(set(batch.starts))
    lo, hi = previous_start(kind, starts[0]), period_end(kind, starts[-1])
    metrics = list(session.scalars(select(Metric).where(Metric.programme_id == programme.id)))
    metrics.sort(key=lambda m: m.id)
    facts = programme_facts(session, programme.id)
    first = facts.first_counted_day
    earlier = first is not None and first < lo  # else no outcome row before lo counts
    # A sweep's batch may start its cumulative totals from the stored period before (lo's).
    stored = None
    if batch.resumes and earlier:
        stored = cumulative_from.stored_to_date(session, programme.id, kind, lo, metrics)
    before = earlier and stored is None  # read every outcome row before lo
    flags = (earlier, facts.trains, facts.qualifies, before)
    figures = gather_figures(session, Scope(programme.id, kind, lo, hi, *flags))
    if stored is not None:
        figures.outcomes_before = cumulative_from.before_batch(stored, figures.outcomes.get(lo, {}))
    cumulative, wanted, cur = dict(figures.outcomes_before), set(starts), lo
    docs: dict[date, ReportDocument] = {}
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
        docs[start]["commitments"] = partner_figures(block)
    return docs


def store_batch(
    session: Session, batch: Batch, docs: dict[date, ReportDocument], *, now: datetime
) -> int:
    """Store the documents: new periods inserted, changed ones updated, unchanged ones left
    alone (built_at included); returns how many rows changed."""
    if not docs:
        return 0
    snap = ReportSnapshot
    mine = (snap.programme_id == batch.programme_id, snap.period == batch.kind)
    stored = select(snap.start, snap.data, snap.outcomes_to_date)
    existing: dict[date, Any] = {
        start: (data, to_date)
        for start, data, to_date in session.execute(stored.where(*mine, snap.start.in_(docs)))
    }
    fresh = {start: data for start, data in docs.items() if start not in existing}
    stale = {s: d for s, d in docs.items() if s in existing and existing[s] != _stored_as(d)}
    stale.update(_insert(session, batch.programme_id, batch.kind, fresh, now))
    _update(session, batch.programme_id, batch.kind, stale, now)
    return len(fresh) + len(stale)


def update_snapshots(
    session: Session, programme_id: int, kind: PeriodKind, stale: dict[date, Any], now: datetime
) -> None:
    """Write new documents over stored snapshots (start -> document), built_at moved."""
    _update(session, programme_id, kind, stale, now)


def _kept_beside(document: ReportDocument) -> dict[str, Any]:
    """The snapshot's columns that repeat figures of its document (read without it)."""
    return {
        "hours_total": to_cents(document["hours_total"]),
        "hours_by_sector": document["hours_by_sector"],
        "outcomes_to_date": cumulative_from.to_date_of(document),
    }


def _stored_as(document: ReportDocument) -> tuple[Any, Any]:
    """The document and its cumulative totals, as a snapshot that holds them stores them (one
    built before the totals were kept is rewritten, once, to hold them)."""
    return document, cumulative_from.to_date_of(document)


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
        .values(
            data=bindparam("d"),
            hours_total=bindparam("new_hours_total"),
            hours_by_sector=bindparam("new_hours_by_sector"),
            outcomes_to_date=bindparam("new_outcomes_to_date"),
            built_at=now,
        )
    )
    kept = [{f"new_{k}": v for k, v in _kept_beside(d).items()} for d in stale.values()]
    rows = [{"at": s, "d": d, **k} for (s, d), k in zip(stale.items(), kept, strict=True)]
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
            **_kept_beside(data),
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
        select(snap.start, snap.data, snap.outcomes_to_date).where(
            snap.programme_id == programme_id, snap.period == kind, snap.start.in_(theirs)
        )
    )
    return {s: theirs[s] for s, *kept in stored if tuple(kept) != _stored_as(theirs[s])}


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
                with unit() as session:  # its stored totals are no longer known to be exact
                    cumulative_from.forget(session, batch.programme_id, batch.kind, batch.starts[0])
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
