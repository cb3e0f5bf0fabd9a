"""Shared by the pilot modules: the settings, the periods, and reading a pilot, its controls
and its stored evaluation."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import ComparisonKind, PilotControl, PilotEvaluation, Programme
from coprod.services.bounds import MAX_ID
from coprod.services.localtime import local_today


def _setting(name: str, default: int) -> int:
    from config import settings

    return int(settings().get(name, default))


def samples_setting() -> int:
    """How many bootstrap resamples an evaluation draws (PILOT_BOOTSTRAP_SAMPLES)."""
    return _setting("PILOT_BOOTSTRAP_SAMPLES", 2000)


def min_contributors_setting() -> int:
    """Fewest people in each group for an interval (PILOT_MIN_CONTRIBUTORS)."""
    return _setting("PILOT_MIN_CONTRIBUTORS", 5)


def seed_for(programme_id: int) -> int:
    """The bootstrap's fixed seed for a pilot: the same on every rebuild and every machine."""
    return zlib.crc32(f"coprod.pilot.{programme_id}".encode())


@dataclass(frozen=True)
class Periods:
    pilot: tuple[date, date]
    comparison: tuple[date, date]


def periods(programme: Programme) -> Periods | None:
    """The pilot's period and its comparison's, or None while the window has no end."""
    end = programme.evaluation_ends_on
    if end is None:
        return None
    start = programme.evaluation_starts_on or programme.starts_on
    start = min(start, end)
    if programme.comparison == ComparisonKind.CONTROL:
        return Periods((start, end), (start, end))
    length = timedelta(days=(end - start).days + 1)
    return Periods((start, end), (start - length, start - timedelta(days=1)))


def window_ended(programme: Programme, now: datetime) -> bool:
    """The evaluation window is over in the programme's own calendar."""
    end = programme.evaluation_ends_on
    return end is not None and local_today(programme, now) > end


def list_controls(session: Session, programme: Programme) -> list[PilotControl]:
    """The tasks and programmes a pilot is compared with, tasks first, by name."""
    rows = session.scalars(
        select(PilotControl)
        .where(PilotControl.programme_id == programme.id)
        .order_by(PilotControl.task_id.is_(None), PilotControl.id)
    )
    return list(rows)


def _refuse_not_pilot(programme: Programme) -> None:
    if not programme.is_pilot:
        raise Conflict(_("This programme is not a pilot: tick “This programme is a pilot” first."))


def _bounded_get(session: Session, model: Any, ident: int | None, where: Any) -> Any:
    if ident is None or not 1 <= ident <= MAX_ID:
        return None
    return session.scalar(select(model).where(model.id == ident, where))


def _locked_evaluation(session: Session, programme_id: int) -> PilotEvaluation | None:
    return session.scalar(
        select(PilotEvaluation)
        .where(PilotEvaluation.programme_id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def get_stored(session: Session, programme: Programme) -> PilotEvaluation | None:
    return session.scalar(
        select(PilotEvaluation).where(PilotEvaluation.programme_id == programme.id)
    )


def get_pilot(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id) if 1 <= programme_id <= MAX_ID else None
    if programme is None or not programme.is_pilot:
        raise NotFound(_("There is no such pilot."))
    return programme
