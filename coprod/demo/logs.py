"""The demo world's contribution logs in every review state: approved, waiting, corrected,
flagged, and given on someone's behalf."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.demo.people import DEMO_ZONE, VOLUNTEER_NAMES
from coprod.models import (
    ContributionLog,
    InKindItem,
    LogStatus,
    Organisation,
    OutcomeQuantity,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
)
from coprod.services import audit


def make_logs(
    session: Session,
    tasks: list[Task],
    p: dict[str, User],
    o: dict[str, Organisation],
    now: datetime,
) -> None:
    cycle = (
        [LogStatus.APPROVED] * 6
        + [LogStatus.SUBMITTED] * 3
        + [LogStatus.REJECTED, LogStatus.CHANGES_REQUESTED]
    )
    people = [p["volunteer"]] + [p[f"v{i}"] for i in range(len(VOLUNTEER_NAMES))]
    people += [p["coordinator"], p["green"], p["staff"]]
    # Coordinators (and org admins) log for their organisation, so every sector has hours.
    for_org = {
        p["coordinator"].id: o["foodbank"],
        p["green"].id: o["green"],
        p["staff"].id: o["agency"],
        p["v2"].id: o["residents"],
        p["v3"].id: o["bakery"],
    }
    n = 0
    for task in tasks:
        if task.status == TaskStatus.DRAFT:
            continue
        for shift in task.shifts:
            if shift.starts_at >= now:
                continue
            for k in range(3):
                person = people[(n + k) % len(people)]
                status = cycle[n % len(cycle)]
                n += 1
                on_behalf = for_org.get(person.id)
                log = _log(session, task, shift, person, status, now, on_behalf, n, p["reviewer"])
                if task.metrics:
                    log.outcomes.append(
                        OutcomeQuantity(metric_id=task.metrics[0].id, quantity=Decimal(5 + n % 20))
                    )
    # An organisation's log with an in-kind donation, and a corrected log.
    bread = tasks[3]
    past = next(s for s in bread.shifts if s.starts_at < now)
    gift = _log(
        session, bread, past, p["v3"], LogStatus.APPROVED, now, o["bakery"], 1, p["reviewer"]
    )
    gift.in_kind.append(InKindItem(description="40 loaves of bread", value=Decimal("120.00")))
    original = _log(
        session,
        tasks[0],
        tasks[0].shifts[0],
        p["coordinator"],
        LogStatus.SUPERSEDED,
        now,
        o["foodbank"],
        2,
        p["reviewer"],
    )
    session.flush()
    fix = _log(
        session,
        tasks[0],
        tasks[0].shifts[0],
        p["coordinator"],
        LogStatus.APPROVED,
        now,
        o["foodbank"],
        3,
        p["reviewer"],
    )
    fix.corrects_id = original.id
    fix.notes = "Correction: we stayed an extra hour."
    session.flush()
    _flagged_log(session, tasks, p, now)


def _flagged_log(session: Session, tasks: list[Task], p: dict[str, User], now: datetime) -> None:
    """A log waiting in the review queue with a flag: more hours than its shift lasted, by the
    demo volunteer, who held the shift and had not logged it."""
    logged = select(ContributionLog.id).where(
        ContributionLog.user_id == Signup.user_id, ContributionLog.shift_id == Signup.shift_id
    )
    row = session.execute(
        select(Signup, Shift)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(
            Shift.task_id.in_([t.id for t in tasks if t.status != TaskStatus.DRAFT]),
            Shift.ends_at < now,
            Signup.status.in_([SignupStatus.ATTENDED, SignupStatus.CONFIRMED]),
            Signup.user_id == p["volunteer"].id,  # Vera can change or withdraw it, too
            ~logged.exists(),
        )
        .order_by(Shift.starts_at.desc(), Signup.id)
        .limit(1)
    ).first()
    if row is None:
        return
    signup, shift = row
    task = next(t for t in tasks if t.id == shift.task_id)
    log = _log(
        session, task, shift, signup.volunteer, LogStatus.SUBMITTED, now, None, 0, p["reviewer"]
    )
    length = Decimal((shift.ends_at - shift.starts_at).total_seconds()) / 3600
    log.hours = min(length + Decimal("2.5"), Decimal("24")).quantize(Decimal("0.01"))
    log.notes = "Stayed on after the shift to unload the late delivery van."
    session.flush()


def _log(
    session: Session,
    task: Task,
    shift: Shift,
    person: User,
    status: LogStatus,
    now: datetime,
    org: Organisation | None,
    n: int,
    reviewer: User,
) -> ContributionLog:
    # Never more than the shift lasted (a reviewer's queue flags that; one log does it below).
    length = Decimal((shift.ends_at - shift.starts_at).total_seconds()) / 3600
    hours = max(length - Decimal(n % 3) / 2, Decimal("0.5")).quantize(Decimal("0.01"))
    reviewed = status not in (LogStatus.SUBMITTED,)
    comment = {
        LogStatus.REJECTED: "This shift was cancelled; please log the day you came.",
        LogStatus.CHANGES_REQUESTED: "Please add how many meals you delivered.",
    }.get(status, "")
    log = ContributionLog(
        user_id=person.id,
        created_by_id=person.id,
        organisation_id=org.id if org else None,
        programme_id=task.programme_id,
        task_id=task.id,
        shift_id=shift.id,
        date=shift.starts_at.astimezone(ZoneInfo(DEMO_ZONE)).date(),
        hours=hours,
        status=status,
        notes="Good session." if n % 2 else "",
        submitted_at=shift.ends_at,
        created_at=shift.ends_at,  # logged the day it was done: not "logged long after"
        review_comment=comment,
        reviewed_by_id=reviewer.id if reviewed else None,
        reviewed_at=shift.ends_at + timedelta(days=1) if reviewed else None,
        counted_changed_at=now if status in (LogStatus.APPROVED, LogStatus.SUPERSEDED) else None,
    )
    session.add(log)
    # The history a reviewer and the contributor see on the log page, and the audit log.
    submitted = {"status": LogStatus.SUBMITTED.value, "hours": str(hours)}
    audit.record(session, person, "log.submitted", log, after=submitted, at=shift.ends_at)
    if reviewed and log.reviewed_at is not None:
        decided = LogStatus.APPROVED if status == LogStatus.SUPERSEDED else status
        after = {"status": decided.value, "review_comment": comment}
        audit.record(
            session,
            reviewer,
            f"log.{decided.value}",
            log,
            before=submitted,
            after=after,
            at=log.reviewed_at,
        )
    return log
