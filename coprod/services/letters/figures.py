"""A letter's figures: the person's approved hours in a period per programme and task, with
first and last dates, days and outcomes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import (
    ContributionLog,
    LogStatus,
    Metric,
    OutcomeQuantity,
    Programme,
    ServiceLetter,
    Task,
)


def _hours(value: Any) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01'))}"


def compute_figures(
    session: Session, user_id: int, from_date: date, to_date: date, programme_id: int | None
) -> dict[str, Any]:
    """The person's approved hours in the period (dates inclusive, each log's programme-local
    date) per programme and task, with first and last dates, days and outcomes recorded."""
    where = [
        ContributionLog.user_id == user_id,
        ContributionLog.status == LogStatus.APPROVED,
        ContributionLog.date >= from_date,
        ContributionLog.date <= to_date,
    ]
    if programme_id is not None:
        where.append(ContributionLog.programme_id == programme_id)
    rows = session.execute(
        select(
            ContributionLog.programme_id,
            ContributionLog.task_id,
            func.sum(ContributionLog.hours),
            func.min(ContributionLog.date),
            func.max(ContributionLog.date),
            func.count(func.distinct(ContributionLog.date)),
        )
        .where(*where)
        .group_by(ContributionLog.programme_id, ContributionLog.task_id)
    ).all()
    outcomes = session.execute(
        select(
            ContributionLog.task_id, Metric.name, Metric.unit, func.sum(OutcomeQuantity.quantity)
        )
        .join(OutcomeQuantity, OutcomeQuantity.log_id == ContributionLog.id)
        .join(Metric, Metric.id == OutcomeQuantity.metric_id)
        .where(*where)
        .group_by(ContributionLog.task_id, Metric.id, Metric.name, Metric.unit)
        .order_by(Metric.id)
    ).all()
    return _arrange(session, rows, outcomes)


def _arrange(session: Session, rows: Any, outcomes: Any) -> dict[str, Any]:
    """Group the per-task sums under their programmes, by name."""
    programmes = {
        p.id: p
        for p in session.scalars(
            select(Programme)
            .where(Programme.id.in_({r[0] for r in rows}))
            .options(joinedload(Programme.lead_organisation))
        )
    }
    task_ids = {r[1] for r in rows}
    titles = dict(session.execute(select(Task.id, Task.title).where(Task.id.in_(task_ids))).all())
    by_task: dict[int, list[dict[str, str]]] = {}
    for task_id, name, unit, quantity in outcomes:
        by_task.setdefault(task_id, []).append(
            {"metric": name, "unit": unit, "quantity": f"{Decimal(quantity).normalize():f}"}
        )
    out: dict[int, dict[str, Any]] = {}
    for programme_id, task_id, hours, first, last, days in rows:
        programme = programmes[programme_id]
        entry = out.setdefault(
            programme_id,
            {
                "id": programme_id,
                "name": programme.name,
                "lead_agency": programme.lead_organisation.name,
                "signatory": programme.letter_signatory or "",
                "hours": Decimal(0),
                "tasks": [],
            },
        )
        entry["hours"] += Decimal(hours)
        entry["tasks"].append(
            {
                "id": task_id,
                "title": titles.get(task_id, ""),
                "hours": _hours(hours),
                "first_date": _iso(first),
                "last_date": _iso(last),
                "days": int(days),
                "outcomes": by_task.get(task_id, []),
            }
        )
    listed = sorted(out.values(), key=lambda p: (p["name"].lower(), p["id"]))
    total = sum((p["hours"] for p in listed), Decimal(0))
    for p in listed:
        p["hours"] = _hours(p["hours"])
        p["tasks"].sort(key=lambda t: (t["title"].lower(), t["id"]))
    return {"hours_total": _hours(total), "programmes": listed}


def _iso(day: Any) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def letter_figures(letter: ServiceLetter) -> dict[str, Any]:
    """The figures as issued."""
    return dict(json.loads(letter.figures))
