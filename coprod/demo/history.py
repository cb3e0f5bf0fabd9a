"""The demo world's ongoing task and the logs of earlier months, so reports have a past."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE
from coprod.models import (
    ContributionLog,
    LogStatus,
    Metric,
    Organisation,
    OutcomeQuantity,
    Programme,
    Task,
    TaskInterest,
    TaskStatus,
    User,
)
from coprod.services import audit, localtime


def make_ongoing_task(
    session: Session,
    green: Programme,
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> Task:
    """An open ongoing task (no shifts): two approved logs and one person interested."""
    litter = session.scalars(select(Metric).where(Metric.programme_id == green.id)).all()[-1]
    task = Task(
        programme_id=green.id,
        title="Adopt a storm drain",
        description="Keep the storm drain on your street clear of leaves and litter, so the "
        "road does not flood. No shifts: clear it when it needs it, then log your hours.",
        location="Any street in Riverside",
        status=TaskStatus.OPEN,
        ongoing=True,
        coordinating_organisation_id=o["green"].id,
        created_at=now - timedelta(days=30),
    )
    task.metrics = [litter]
    session.add(task)
    session.flush()
    zone = ZoneInfo(DEMO_ZONE)
    for k, (person, days_ago) in enumerate(((p["v4"], 10), (p["v5"], 3))):
        done = max((now - timedelta(days=days_ago)).astimezone(zone).date(), green.starts_on)
        log = ContributionLog(
            user_id=person.id,
            created_by_id=person.id,
            programme_id=green.id,
            task_id=task.id,
            date=done,
            hours=Decimal(1 + k),
            status=LogStatus.APPROVED,
            notes="Cleared the drain after the storm.",
            submitted_at=now - timedelta(days=days_ago),
            reviewed_by_id=p["reviewer"].id,
            reviewed_at=now - timedelta(days=days_ago - 1),
            counted_changed_at=now,
        )
        log.outcomes.append(OutcomeQuantity(metric_id=litter.id, quantity=Decimal(2 + k)))
        session.add(log)
        sent = {"status": LogStatus.SUBMITTED.value, "hours": str(log.hours)}
        audit.record(session, person, "log.submitted", log, after=sent, at=log.submitted_at)
        approved = {"status": LogStatus.APPROVED.value, "review_comment": ""}
        audit.record(
            session,
            p["reviewer"],
            "log.approved",
            log,
            before=sent,
            after=approved,
            at=log.reviewed_at,
        )
    session.add(
        TaskInterest(task_id=task.id, user_id=p["v6"].id, created_at=now - timedelta(days=2))
    )
    return task


def make_earlier_logs(
    session: Session,
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    """Approved hours in the two months before this one (logged without a shift, on each
    programme's completed tasks or else its first published one), so the report, which opens
    on the last complete month, has figures whatever the day the demo is loaded; none before
    the programme began or the task was created."""
    today = now.astimezone(ZoneInfo(DEMO_ZONE)).date()
    first = today.replace(day=1)
    months = [(first - timedelta(days=1)).replace(day=1)]
    months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    who = [
        (p["volunteer"], None),
        (p["v0"], None),
        (p["coordinator"], o["foodbank"]),
        (p["v2"], o["residents"]),
        (p["v3"], o["bakery"]),
        (p["staff"], o["agency"]),
    ]
    # Each programme's completed tasks, or its first published one when none is completed.
    chosen = [t for t in tasks if t.status == TaskStatus.COMPLETED]
    for programme_id in sorted({t.programme_id for t in tasks} - {t.programme_id for t in chosen}):
        chosen += [
            t for t in tasks if t.programme_id == programme_id and t.status != TaskStatus.DRAFT
        ][:1]
    for i, task in enumerate(chosen):
        programme = session.get(Programme, task.programme_id)
        assert programme is not None
        shown = [m for m in months if m >= programme.starts_on]
        if not shown:
            continue
        task.created_at = localtime.from_local(shown[0], time(9, 0), ZoneInfo(DEMO_ZONE))
        for m, month in enumerate(shown):
            for k, (person, org) in enumerate(who):
                day = month.replace(day=8 + (i + k + m) % 14)
                submitted = localtime.from_local(day, time(18, 0), ZoneInfo(DEMO_ZONE))
                session.add(
                    ContributionLog(
                        user_id=person.id,
                        created_by_id=person.id,
                        organisation_id=org.id if org else None,
                        programme_id=task.programme_id,
                        task_id=task.id,
                        date=day,
                        hours=Decimal(1 + (i + k + m) % 3),
                        status=LogStatus.APPROVED,
                        submitted_at=submitted,
                        reviewed_by_id=p["reviewer"].id,
                        reviewed_at=submitted + timedelta(days=1),
                        counted_changed_at=now,
                    )
                )
