"""Cancelling one shift (bad weather): its sign-ups end and everyone on it is told why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import Shift, Signup, SignupStatus
from coprod.services import audit, notifications
from coprod.services import task_figures as figures
from coprod.services.shift_changes._common import Actor
from coprod.services.shift_state import has_started
from coprod.services.shifts import SHIFT_FIELDS
from coprod.services.signups import lock_shifts
from coprod.services.text import clean_text

MAX_REASON = 300
# Sign-ups that a shift's cancellation ends (and tells): those holding or waiting for a place.
ENDED_BY_CANCELLING = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


def check_reason(raw: str | None) -> str:
    """The optional reason for cancelling: one line of at most 300 characters."""
    return clean_text(raw, "reason", _("The reason"), max_len=MAX_REASON, required=False)


def cancel_shift(
    session: Session, actor: Actor, shift: Shift, *, reason: str = "", now: datetime
) -> list[Signup]:
    """Cancel a shift that has not started: its confirmed and waitlisted sign-ups end (status
    `shift_cancelled`) and each person is emailed the shift's local time and the reason; the
    shift stays, marked cancelled. Returns the sign-ups it ended."""
    policy.require(actor, "task.manage", shift.task)
    text = check_reason(reason)
    if has_started(shift, now):
        raise Conflict(_("This shift has already started, so it can no longer be cancelled."))
    lock_shifts(session, shift)  # first in the lock order; re-reads cancelled_at
    if shift.is_cancelled:
        raise Conflict(_("This shift is already cancelled: nothing changed."))
    ended = list(
        session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status.in_(ENDED_BY_CANCELLING))
            .order_by(Signup.id)
            .with_for_update(of=Signup, key_share=True)
            .execution_options(populate_existing=True)
        )
    )
    before = audit.snapshot(shift, SHIFT_FIELDS)
    for signup in ended:
        was = signup.status.value
        signup.status = SignupStatus.SHIFT_CANCELLED
        audit.record(
            session,
            actor,
            "signup.cancelled_with_shift",
            signup,
            before={"status": was},
            after={"status": SignupStatus.SHIFT_CANCELLED.value, "shift_id": shift.id},
        )
    # Every seat is given back in one statement (the rows above hold them all: not started).
    session.execute(
        update(Shift)
        .where(Shift.id == shift.id)
        .values(confirmed=0, cancelled_at=now, cancel_reason=text, cancelled_by_id=_id(actor)),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    session.expire(shift)
    audit.record(
        session,
        actor,
        "shift.cancelled",
        shift,
        before=before,
        after={"reason": text, "signups_ended": len(ended)},
    )
    notifications.shift_cancelled(session, shift, ended, now=now)
    figures.refresh(session, [shift.task_id], now)
    return ended


def _id(actor: Actor) -> int | None:
    return actor.id if actor is not None else None
