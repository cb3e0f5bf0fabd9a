"""Shared by the home page's sections: counting a query's rows, shifts with their task."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import Shift, Task
from coprod.services import localtime


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _with_task(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(joinedload(Shift.task).joinedload(Task.programme))


def within_local_days(starts_at: datetime, zone_name: str, now: datetime, days: int) -> bool:
    """The instant falls by the end of the `days`-th local day after today in the zone."""
    tz = localtime.zone(zone_name)
    last = localtime.to_local(now, tz).date() + timedelta(days=days)
    return localtime.to_local(starts_at, tz).date() <= last


def _within_local_days(shifts: list[Shift], now: datetime, days: int) -> list[Shift]:
    """The shifts starting by the end of the `days`-th local day after today in their
    programme's zone (the SQL window is a day wider, to cover every zone)."""
    return [
        s
        for s in shifts
        if within_local_days(
            s.starts_at, localtime.programme_zone_name(s.task.programme), now, days
        )
    ]
