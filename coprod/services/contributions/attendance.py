"""Hours from attendance: marking a volunteer attended creates their log of the shift (the
shift's local day and length), submitted, or approved at once when a reviewer of the lead
agency marks it; marking them a no-show withdraws that log while it is still unreviewed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.models import ContributionLog, LogStatus, Role, Signup, User
from coprod.services.contributions.pending import _withdraw
from coprod.services.contributions.rules import (
    HOLDS_SHIFT,
    LogInput,
    check_task_open_for_logs,
    existing_shift_log,
    fill_log,
    lock_person,
    log_state,
    record_change,
    shift_day,
    shift_hours,
    validate_log,
)


def log_from_attendance(
    session: Session, actor: User, signup: Signup, now: datetime
) -> ContributionLog | None:
    """The attended volunteer's log of the shift: made once (None when they already have one,
    or when it would break a log rule such as 24 h a day: they can still log by hand), for the
    coordinating organisation when they are its member, approved at once when the actor may
    review it. The caller has locked the shift and the sign-up; the person's lock comes last."""
    shift, volunteer = signup.shift, signup.volunteer
    task = shift.task
    lock_person(session, volunteer.id)  # one log per person and shift: decided under the lock
    if existing_shift_log(session, volunteer.id, shift.id) is not None:
        return None
    data = LogInput(shift_day(shift), shift_hours(shift), shift=shift)
    try:
        check_task_open_for_logs(task)
        outs, items, text = validate_log(session, task, volunteer.id, data, now)
    except (Invalid, Conflict):  # a log rule says no: attendance stands, no log is made
        return None
    org_id = task.coordinating_organisation_id
    member = org_id is not None and policy.has_role(volunteer, org_id, Role.MEMBER)
    log = ContributionLog(
        user_id=volunteer.id,
        created_by_id=volunteer.id,  # the volunteer's own log: they edit it, a reviewer reviews it
        organisation_id=org_id if member else None,
        task=task,
        programme_id=task.programme_id,
        status=LogStatus.SUBMITTED,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    fill_log(log, data, outs, items, text)
    session.add(log)
    session.flush()
    record_change(session, actor, "log.from_attendance", log, now, after=log_state(log))
    if policy.can(actor, "log.review", log):
        from coprod.services import review  # review imports this package

        review.approve(session, actor, log, now)
    return log


def withdraw_for_no_show(
    session: Session, actor: User, signup: Signup, now: datetime
) -> ContributionLog | None:
    """A volunteer marked a no-show: their log of the shift is withdrawn while still waiting
    for review. Returns the log that stays (approved or sent back), if any."""
    log_id = existing_shift_log(session, signup.user_id, signup.shift_id)
    if log_id is None:
        return None
    log = session.get(ContributionLog, log_id)
    assert log is not None
    if log.status == LogStatus.SUBMITTED:
        _withdraw(session, actor, log, now, "log.withdrawn_no_show")
        return None
    return log


def shift_log_of(session: Session, signup: Signup) -> ContributionLog | None:
    """The person's counted log of the sign-up's shift (submitted, approved or sent back)."""
    return session.scalar(
        select(ContributionLog)
        .where(
            ContributionLog.user_id == signup.user_id,
            ContributionLog.shift_id == signup.shift_id,
            ContributionLog.status.in_(HOLDS_SHIFT),
        )
        .order_by(ContributionLog.id.desc())
        .limit(1)
    )
