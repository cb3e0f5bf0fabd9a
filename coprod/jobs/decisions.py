"""Closing partnership decisions at their closing time (coprod.services.governance.decisions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.services.governance import decisions

JOB_ID = "governance.decisions"
MINUTES = 5


def close_due_decisions(session: Session, *, now: datetime) -> int:
    """Close every open decision whose closing time has passed and record its result; one
    that fails is skipped (and tried again next run); running twice closes nothing twice."""
    return decisions.close_due_decisions(session, now=now)
