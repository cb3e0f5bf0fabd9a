"""The daily pilot sweep: build the evaluation of every pilot whose window has ended
(coprod.services.governance.pilots)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from coprod.services.governance import pilots

log = logging.getLogger("coprod.pilots")

JOB_ID = "pilots.evaluate"
HOUR = 5  # UTC: after every programme's local midnight in Europe, before the working day


def evaluate_pilots(session: Session, *, now: datetime) -> int:
    """Build the evaluation of each pilot whose window has ended and that has none, and rebuild
    those older than a late approval or correction in their periods; each pilot in its own
    savepoint, so one that fails is logged and skipped. The number built."""
    built = 0
    for programme in pilots.due_pilots(session, now=now):
        try:
            with session.begin_nested():
                pilots.build_evaluation(session, None, programme, now=now)
            built += 1
        except Exception as err:  # one bad pilot costs only itself
            log.error(
                "pilots.evaluate: programme %s not evaluated (skipped): %s: %s",
                programme.id,
                type(err).__name__,
                err,
            )
    return built
