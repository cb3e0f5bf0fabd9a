"""The reminder sweep: one email per confirmed sign-up before its shift starts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from config import settings
from coprod.models import (
    NotificationKind,
    OutboxMessage,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
)
from coprod.services import notifications
from coprod.services.shift_state import live_shift, not_started_shift


def reminder_hours() -> int:
    """REMINDER_HOURS_BEFORE from the running app's config, else this process's settings."""
    from flask import current_app, has_app_context

    config: Any = current_app.config if has_app_context() else settings()
    return int(config["REMINDER_HOURS_BEFORE"])


def send_reminders(session: Session, *, now: datetime, hours_before: int | None = None) -> int:
    """Queue a reminder for each confirmed sign-up whose shift starts within the next
    REMINDER_HOURS_BEFORE hours; the outbox's dedupe key makes a second sweep queue nothing."""
    hours = hours_before if hours_before is not None else reminder_hours()
    due = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .join(Shift.task)
            .options(
                contains_eager(Signup.shift).contains_eager(Shift.task),
                joinedload(Signup.volunteer),
            )
            .where(
                Signup.status == SignupStatus.CONFIRMED,
                not_started_shift(now),
                live_shift(),
                Shift.starts_at <= now + timedelta(hours=hours),
                Task.status.in_((TaskStatus.OPEN, TaskStatus.CLOSED)),
            )
            .order_by(Shift.starts_at, Signup.id)
        )
    )
    keys = {
        notifications.dedupe_key(
            NotificationKind.REMINDER, notifications.reminder_occasion(s), s.volunteer
        ): s
        for s in due
    }
    if not keys:
        return 0
    done = set(
        session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys)))
    )
    return sum(
        notifications.reminder(session, signup, now=now) is not None
        for key, signup in keys.items()
        if key not in done
    )
