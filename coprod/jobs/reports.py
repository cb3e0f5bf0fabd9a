"""Report jobs: the frequent sweep for late approvals and corrections, and the nightly rebuild."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from coprod.models import JobState
from coprod.services import digests, reports

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


def sweep_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every period touched by logs approved, superseded or corrected since the last
    run, and the current period of running programmes; the first run rebuilds everything."""
    state = _state(session, SWEEP_JOB)
    if state.cursor is None:
        changed = reports.rebuild_reports(session, now=now)
    else:
        batches = reports.touched_batches(session, state.cursor - LOOKBACK)
        batches += reports.missing_current_batches(session, now=now)
        changed = sum(reports.build_batch(session, b, now=now) for b in batches)
    state.cursor = state.last_run_at = now
    digests.queue_report_digests(session, now=now)  # once per month, by dedupe key
    return changed


def rebuild_all_reports(session: Session, *, now: datetime) -> int:
    """Rebuild every report of every programme: catches changes no log records (a new hourly
    rate, a moved target) and anything a sweep missed."""
    changed = reports.rebuild_reports(session, now=now)
    _state(session, "reports.rebuild_all").last_run_at = now
    return changed
