"""Report jobs: the frequent sweep for late approvals and corrections, and the nightly rebuild."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from coprod.models import JobState
from coprod.services import digests, reports
from coprod.services.engagement import impact

log = logging.getLogger("coprod.reports")

SWEEP_JOB = "reports.sweep"
# Re-read a little before the cursor: a review committed just after our last read may carry a
# timestamp taken before it. Rebuilds are idempotent, so reading twice costs only time.
LOOKBACK = timedelta(minutes=10)
REBUILD_JOB = "reports.rebuild_all"
# What job_state keeps of a run's failures: their number, and the first few periods in full.
FAILURES_LISTED = 20
ERROR_CHARS = 300


def _state(session: Session, job_id: str) -> JobState:
    state = session.get(JobState, job_id)
    if state is None:
        state = JobState(job_id=job_id)
        session.add(state)
    return state


def log_failure(job_id: str, batch: reports.Batch, error: Exception) -> None:
    """A period that could not be built, in the scheduler's log: the programme, the period and
    the error; the nightly rebuild tries it again."""
    start = batch.starts[0]
    log.error(
        "%s: programme %s, %s of %s not built (skipped): %s: %s",
        *(job_id, batch.programme_id, batch.kind.value, start, type(error).__name__, error),
    )


def one_line(error: Exception) -> str:
    """The error as one line of at most ERROR_CHARS characters, for a site admin's page."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


class Failures:
    """The periods one run could not build: each logged as it happens, then recorded in the
    job's state with the cursor (None when there were none)."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.count = 0
        self.periods: list[dict[str, Any]] = []

    def __call__(self, batch: reports.Batch, error: Exception) -> None:
        log_failure(self.job_id, batch, error)
        self.count += 1
        if len(self.periods) < FAILURES_LISTED:
            self.periods.append(
                {
                    "programme_id": batch.programme_id,
                    "period": batch.kind.value,
                    "start": batch.starts[0].isoformat(),
                    "error": one_line(error),
                }
            )

    def record(self) -> dict[str, Any] | None:
        return {"count": self.count, "periods": self.periods} if self.count else None


def sweep_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every period touched by logs approved, superseded or corrected since the last
    run and the periods after them (reports.sweep_batches: the same figures as a full
    rebuild), and the current period of running programmes; the first run rebuilds everything. A
    period that fails is logged, recorded in the job's state and skipped: the others are built
    and the cursor moves on (a run without failures clears the record). The "You said, we
    did" figures of the programmes touched (and of proposals accepted since) follow."""
    state = _state(session, SWEEP_JOB)
    failed = Failures(SWEEP_JOB)

    touched: set[int] | None = None  # every programme
    if state.cursor is None:
        changed = reports.rebuild_reports(session, now=now, failed=failed)
    else:
        batches = reports.sweep_batches(session, state.cursor - LOOKBACK, now=now)
        batches += reports.missing_current_batches(session, now=now)
        changed = sum(
            reports.build_batch_isolated(session, b, now=now, failed=failed) for b in batches
        )
        touched = {b.programme_id for b in batches} | impact.unbuilt_programmes(session)
    impact.refresh_impact(session, programme_ids=touched, now=now)
    state.cursor = state.last_run_at = now
    state.failures = failed.record()
    digests.queue_report_digests(session, now=now)  # once per month, by dedupe key
    return changed


def one_after_another(session: Session) -> reports.UnitOfWork:
    """Units of work on the job's own session, one after the other: each commits what it built
    on success, or rolls it back and raises."""

    @contextmanager
    def unit() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    return unit


def rebuild_all_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every report of every programme: catches changes no log records (a new hourly
    rate, a moved target) and anything a sweep missed. Each batch of periods is built and
    committed in a transaction of its own (build_batches), so a long rebuild holds no
    transaction open for its whole run and what is built stays built; a batch that fails is
    built again period by period, and each period that still fails is logged, recorded in the
    job's state and skipped. Then every "You said, we did" figure."""
    failed = Failures(REBUILD_JOB)
    plan = reports.plan_rebuild(session, now=now)
    session.commit()  # the plan was only read: from here each batch commits its own work
    changed = reports.build_batches(one_after_another(session), plan, now=now, failed=failed)
    impact.refresh_impact(session, now=now)
    state = _state(session, REBUILD_JOB)
    state.last_run_at = now
    state.failures = failed.record()
    return changed
