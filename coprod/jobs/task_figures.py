"""Keeping the task list's figures as time passes (coprod.services.task_figures): a task whose
next shift has started shows its following one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.services import task_figures

JOB_ID = "tasks.figures"
MINUTES = 2


def refresh_started(session: Session, *, now: datetime) -> int:
    """Keep again the figures of every task whose kept next shift has started (in batches: a
    scheduler that was down catches up over a few runs); running twice changes nothing."""
    total = 0
    while (done := task_figures.refresh_stale(session, now)) == task_figures.BATCH:
        total += done
        session.flush()
    return total + done
