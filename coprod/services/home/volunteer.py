"""The volunteer's section: their next shifts, their hours this year, their open logs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.models import (
    ContributionLog,
    LogStatus,
    Programme,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
)
from coprod.services import localtime
from coprod.services.home._common import _count
from coprod.services.home.sections import NEXT_SHIFTS, OPEN_LOGS, ProgrammeHours, VolunteerSection
from coprod.services.shift_state import live_shift


def _volunteer(session: Session, actor: User, now: datetime) -> VolunteerSection:
    upcoming = (
        select(Signup)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(
            Signup.user_id == actor.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
            Shift.ends_at > now,
            live_shift(),
            policy.visible_signups(actor),
        )
    )
    shown = list(
        session.scalars(
            upcoming.options(
                joinedload(Signup.shift).joinedload(Shift.task).joinedload(Task.programme)
            )
            .order_by(Shift.starts_at, Signup.id)
            .limit(NEXT_SHIFTS)
        )
    )
    more = max(_count(session, upcoming) - len(shown), 0) if len(shown) == NEXT_SHIFTS else 0

    # Approved hours by programme and calendar year of the log's (local) date; each programme
    # keeps its own local year. At most two years a programme, so the rows are few.
    year = func.extract("year", ContributionLog.date)
    since = date(now.year - 1, 1, 1)
    sums = session.execute(
        select(ContributionLog.programme_id, year, func.sum(ContributionLog.hours))
        .where(
            ContributionLog.user_id == actor.id,
            ContributionLog.status == LogStatus.APPROVED,
            ContributionLog.date >= since,
            policy.visible_logs(actor),
        )
        .group_by(ContributionLog.programme_id, year)
    ).all()
    programmes = {
        p.id: p
        for p in session.scalars(
            select(Programme).where(Programme.id.in_({row[0] for row in sums}))
        )
    }
    hours = []
    for programme_id, log_year, total in sums:
        programme = programmes[programme_id]
        this_year = localtime.local_today(programme, now).year
        if int(log_year) == this_year and total:
            hours.append(ProgrammeHours(programme, this_year, Decimal(total)))
    hours.sort(key=lambda h: (-h.hours, h.programme.name))

    mine = select(ContributionLog).where(
        (ContributionLog.user_id == actor.id) | (ContributionLog.created_by_id == actor.id),
        ContributionLog.status.in_((LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED)),
        policy.visible_logs(actor),
    )
    sent_back_first = case((ContributionLog.status == LogStatus.CHANGES_REQUESTED, 0), else_=1)
    logs = list(
        session.scalars(
            mine.options(joinedload(ContributionLog.task))
            .order_by(sent_back_first, ContributionLog.date.desc(), ContributionLog.id.desc())
            .limit(OPEN_LOGS)
        )
    )
    more_logs = max(_count(session, mine) - len(logs), 0) if len(logs) == OPEN_LOGS else 0
    return VolunteerSection(shown, more, hours, logs, more_logs)
