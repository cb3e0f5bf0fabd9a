"""Expiry notices: once, EXPIRY_NOTICE_DAYS days (30) before a qualification expires, its
holder is emailed with the upcoming training shifts that would renew it.

An award is due when it is not revoked, expires within the window, was not notified yet, and
its holder has no other award of the same qualification still valid on its expiry day (a
renewal already made needs no notice). The email and `expiry_notified_at` are written in the
same transaction, each award in its own savepoint: one that fails is logged and skipped, and
the others are sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, exists, not_, select
from sqlalchemy.orm import Session, aliased, joinedload

from coprod import policy
from coprod.i18n import _
from coprod.models import (
    NotificationKind,
    OutboxMessage,
    QualificationAward,
    Shift,
    Task,
    TaskStatus,
)
from coprod.services import notifications
from coprod.services.capacity import how_to_get, valid_awards
from coprod.services.engagement import limit
from coprod.services.shift_state import live_shift, not_started_shift

log = logging.getLogger("coprod.capacity")

A = QualificationAward
RENEWAL_SHIFTS = 5  # training shifts named in one email
BATCH = 500  # awards read at once by one run


@dataclass(frozen=True)
class Renewal:
    """A training shift that would renew the qualification, as the email shows it."""

    title: str
    when: notifications.Later
    url: str


def due_awards(session: Session, *, now: datetime, days: int) -> list[QualificationAward]:
    """The awards to notify now (see the module), soonest expiry first."""
    due = aliased(A)
    today = now.date()
    renewed = exists().where(
        A.user_id == due.user_id,
        A.qualification_id == due.qualification_id,
        A.id != due.id,
        # due.expires_on is not NULL here (see the WHERE below).
        valid_awards(cast(ColumnElement[date], due.expires_on)),
    )
    return list(
        session.scalars(
            select(due)
            .options(joinedload(due.qualification), joinedload(due.holder))
            .where(
                due.revoked_at.is_(None),
                due.expiry_notified_at.is_(None),
                due.expires_on.is_not(None),
                due.expires_on > today,
                due.expires_on <= today + timedelta(days=days),
                not_(renewed),
            )
            .order_by(due.expires_on, due.id)
            .limit(BATCH)
        )
    )


def renewal_shifts(session: Session, award: QualificationAward, *, now: datetime) -> list[Renewal]:
    """The next training shifts for the award's qualification that its holder can see and
    that have a free place (at most RENEWAL_SHIFTS)."""
    shifts = session.scalars(
        select(Shift)
        .join(Task, Shift.task_id == Task.id)
        .options(joinedload(Shift.task).joinedload(Task.programme))
        .where(
            Task.trains_qualification_id == award.qualification_id,
            Task.status == TaskStatus.OPEN,
            policy.visible_tasks(award.holder),
            not_started_shift(now),
            live_shift(),
            Shift.confirmed < Shift.capacity,
        )
        .order_by(Shift.starts_at, Shift.id)
        .limit(RENEWAL_SHIFTS)
    ).unique()
    base = notifications.base_url()
    return [
        Renewal(s.task.title, notifications.when(s), f"{base}/tasks/{s.task_id}") for s in shifts
    ]


def notify(session: Session, award: QualificationAward, *, now: datetime) -> OutboxMessage | None:
    """Email the holder that the award is about to expire, and mark it notified."""
    qualification = award.qualification
    name = qualification.name
    subject = notifications.Later(lambda: _("Your “%(name)s” expires soon", name=name))
    ctx = {
        "qualification": qualification,
        "expires_on": award.expires_on,
        "renewals": renewal_shifts(session, award, now=now),
        "how_to_get": notifications.Later(lambda: how_to_get(qualification)),
        "tasks_url": f"{notifications.base_url()}/tasks",
    }
    message = notifications.queue(
        session,
        award.holder,
        NotificationKind.EXPIRING,
        f"award{award.id}:{award.expires_on}",
        subject,
        ctx,
        now=now,
    )
    award.expiry_notified_at = now
    session.flush()
    return message


def send_expiry_notices(session: Session, *, now: datetime, days: int | None = None) -> int:
    """Email every due award's holder once (see the module); the number of emails queued."""
    window = days if days is not None else limit("EXPIRY_NOTICE_DAYS")
    sent = 0
    for award in due_awards(session, now=now, days=window):
        try:
            with session.begin_nested():
                sent += notify(session, award, now=now) is not None
        except Exception as err:  # one bad award costs only itself
            log.error(
                "capacity.expiry: award %s not notified (skipped): %s: %s",
                award.id,
                type(err).__name__,
                err,
            )
    return sent


__all__ = ["RENEWAL_SHIFTS", "due_awards", "notify", "renewal_shifts", "send_expiry_notices"]
