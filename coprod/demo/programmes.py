"""The demo world's programmes with their metrics and partners, and the tasks with their
shifts laid around the moment of loading."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE
from coprod.models import (
    Metric,
    Organisation,
    Partner,
    Programme,
    Shift,
    Task,
    TaskStatus,
)
from coprod.services import localtime


def make_programmes(
    session: Session, o: dict[str, Organisation], now: datetime
) -> dict[str, Programme]:
    year_start = date(now.year, 1, 1)
    meals = Programme(
        name="Community Meals",
        lead_organisation_id=o["agency"].id,
        starts_on=year_start,
        description="Hot meals and food parcels for older and isolated residents, cooked and "
        "delivered by the council, the food bank, neighbours and local businesses.",
        hourly_rate=Decimal("28.50"),
        currency="GBP",
    )
    green = Programme(
        name="Green Streets",
        lead_organisation_id=o["agency"].id,
        starts_on=year_start,
        description="Planting street trees and keeping parks clean, together with residents.",
        is_pilot=True,
        hypothesis="Residents who plant a tree keep watering it: survival > 90%.",
        evaluation_starts_on=year_start,
        evaluation_ends_on=date(now.year + 1, 6, 30),
        hourly_rate=Decimal("25.00"),
        currency="GBP",
    )
    session.add_all([meals, green])
    session.flush()
    partners = [
        (
            meals,
            "foodbank",
            "Food sourcing and volunteer coordination",
            "Collect surplus food weekly; run the Saturday kitchen roster.",
        ),
        (meals, "residents", "Delivery rounds", "Recruit neighbours for delivery rounds."),
        (meals, "bakery", "Donations", "Donate unsold bread every Friday."),
        (green, "green", "Planting and training", "Train volunteers; supply tools and trees."),
        (green, "residents", "Watering", "Adopt and water new trees through the summer."),
    ]
    for programme, org, role, commitments in partners:
        session.add(
            Partner(
                programme_id=programme.id,
                organisation_id=o[org].id,
                role=role,
                commitments=commitments,
            )
        )
    target = date(now.year + 1, 6, 30)
    session.add_all(
        [
            Metric(
                programme_id=meals.id,
                name="Meals delivered",
                unit="meals",
                target=Decimal("5000"),
                target_date=target,
            ),
            Metric(
                programme_id=meals.id,
                name="Food collected",
                unit="kg",
                target=Decimal("2000"),
                target_date=target,
            ),
            Metric(
                programme_id=green.id,
                name="Trees planted",
                unit="trees",
                target=Decimal("500"),
                target_date=target,
            ),
            Metric(
                programme_id=green.id,
                name="Litter collected",
                unit="bags",
                target=Decimal("1200"),
                target_date=target,
            ),
        ]
    )
    session.flush()
    return {"meals": meals, "green": green}


TASK_SPECS = [
    (
        "meals",
        "Saturday community kitchen",
        "Cook and pack hot meals.",
        "Riverside Hall",
        "foodbank",
        0,
        6,
    ),
    (
        "meals",
        "Meal delivery round — Northside",
        "Deliver meals to older residents.",
        "Northside depot",
        "residents",
        0,
        4,
    ),
    (
        "meals",
        "Food bank sorting",
        "Sort and date-check donated food.",
        "Food bank warehouse",
        "foodbank",
        1,
        8,
    ),
    (
        "meals",
        "Bread collection run",
        "Collect donated bread from the bakery.",
        "Harbour Bakery",
        None,
        0,
        2,
    ),
    (
        "meals",
        "Winter warm-meal pop-up",
        "Serve soup at the winter market.",
        "Market square",
        None,
        None,
        10,
    ),
    (
        "green",
        "Street tree planting — Elm Road",
        "Plant new street trees.",
        "Elm Road",
        "green",
        0,
        8,
    ),
    (
        "green",
        "Park litter pick",
        "Collect litter in Riverside Park.",
        "Riverside Park gate",
        "green",
        1,
        12,
    ),
    (
        "green",
        "Tree watering rota",
        "Water the newly planted trees.",
        "Northside streets",
        "residents",
        1,
        5,
    ),
    ("green", "Tool shed tidy-up", "Clean and sort the planting tools.", "Depot", "green", 0, 3),
    (
        "green",
        "Pond clearance (completed)",
        "Clear the pond of weeds.",
        "Riverside Park",
        None,
        None,
        6,
    ),
]


def make_tasks(
    session: Session, pr: dict[str, Programme], o: dict[str, Organisation], now: datetime
) -> list[Task]:
    metrics: dict[int, list[Metric]] = {}
    ids = [p.id for p in pr.values()]
    for m in session.scalars(select(Metric).where(Metric.programme_id.in_(ids))):
        metrics.setdefault(m.programme_id, []).append(m)
    today = now.date()
    tasks: list[Task] = []
    for i, (prog, title, desc, place, coord, metric_index, capacity) in enumerate(TASK_SPECS):
        programme = pr[prog]
        status = TaskStatus.OPEN
        if "completed" in title:
            status = TaskStatus.COMPLETED
        elif metric_index is None:
            status = TaskStatus.DRAFT
        task = Task(
            programme_id=programme.id,
            title=title.replace(" (completed)", ""),
            description=desc,
            location=place,
            status=status,
            coordinating_organisation_id=o[coord].id if coord else None,
            # Posted before its first (past) shift: a log of a day it was held is not refused
            # as "before the task was created".
            created_at=now - timedelta(days=30),
        )
        task.metrics = list(metrics[programme.id]) if metric_index is not None else []
        session.add(task)
        session.flush()
        # Two past shifts and three upcoming, weekly, two hours long at staggered hours.
        for week in (-2, -1, 1, 2, 3):
            day = today + timedelta(days=7 * week + (i % 5) - 2)
            # Round local times in the agency's zone (09:00 in London is 08:00 UTC in summer).
            starts = localtime.from_local(day, time(9 + (i % 4) * 2, 0), ZoneInfo(DEMO_ZONE))
            if status == TaskStatus.COMPLETED and week > 0:
                continue
            session.add(
                Shift(
                    task_id=task.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=capacity,
                )
            )
        tasks.append(task)
    session.flush()
    for task in tasks:
        session.refresh(task, ["shifts"])
    return tasks
