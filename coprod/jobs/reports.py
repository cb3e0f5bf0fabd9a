"""Report jobs: the frequent sweep for late approvals and corrections, and the nightly rebuild."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from coprod.models import JobState
from coprod.services import digests, reports

log = logging.getLogger("coprod.reports")

SWEEP_JOB = "reports.sweep"
# Re-read a little before the cursor: a review committed just after our last read may carry a
# timestamp taken before it. Rebuilds are idempotent, so reading twice costs only time.
LOOKBACK = timedelta(minutes=10)


def _state(session: Session, job_id: str) -> JobState:
    state = session.get(JobState, job_id)
    if state is None:
        state = JobState(job_id=job_id)
        session.add(state)
    return state


def log_failure(job_id: str, batch: reports.Batch, error: Exception) -> None:
    """A period that could not be built, in the scheduler's log (job_state has no place for
    it): the programme, the period and the error; the nightly rebuild tries it again."""
    start = batch.starts[0]
    log.error(
        "%s: programme %s, %s of %s not built (skipped): %s: %s",
        *(job_id, batch.programme_id, batch.kind.value, start, type(error).__name__, error),
    )


def sweep_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every period touched by logs approved, superseded or corrected since the last
    run, and the current period of running programmes; the first run rebuilds everything. A
    period that fails is logged and skipped: the others are built and the cursor moves on."""
    state = _state(session, SWEEP_JOB)

    def failed(batch: reports.Batch, error: Exception) -> None:
        log_failure(SWEEP_JOB, batch, error)

    if state.cursor is None:
        changed = reports.rebuild_reports(session, now=now, failed=failed)
    else:
        batches = reports.touched_batches(session, state.cursor - LOOKBACK)
        batches += reports.missing_current_batches(session, now=now)
        changed = sum(
            reports.build_batch_isolated(session, b, now=now, failed=failed) for b in batches
        )
    state.cursor = state.last_run_at = now
    digests.queue_report_digests(session, now=now)  # once per month, by dedupe key
    return changed


def rebuild_all_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every report of every programme: catches changes no log records (a new hourly
    rate, a moved target) and anything a sweep missed; a period that fails is logged and
    skipped."""

    def failed(batch: reports.Batch, error: Exception) -> None:
        log_failure("reports.rebuild_all", batch, error)

    changed = reports.rebuild_reports(session, now=now, failed=failed)
    _state(session, "reports.rebuild_all").last_run_at = now
    return changed
