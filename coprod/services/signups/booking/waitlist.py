"""Promoting from the waitlist: free seats go to the oldest waiting person who qualifies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import Qualification, Shift, Signup, SignupStatus, User
from coprod.services import audit, notifications
from coprod.services.capacity import rosters
from coprod.services.signups.booking.locks import _take_seat, lock_shifts


def _promote_oldest(
    session: Session,
    actor: User | None,
    shift: Shift,
    now: datetime,
    skipped: set[int] | None = None,
) -> Signup | None:
    """Give a free seat to the oldest waitlisted person (by queued_at, then id) who holds, on
    the shift's day, what its task requires; those ahead of them who do not are skipped (they
    stay waitlisted, are told once and the skip is audited). The caller holds the shift's
    lock, so the rows read (and locked) here are the ones still waiting. `skipped` collects
    the sign-ups already skipped in this run, so a loop of promotions tells each once."""
    if shift.confirmed >= shift.capacity:
        return None
    waiting = list(
        session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.queued_at, Signup.id)
            .with_for_update(of=Signup, key_share=True)
            .execution_options(populate_existing=True)
        )
    )
    if not waiting:
        return None
    lacking = rosters.missing_by_person(session, [s.user_id for s in waiting], shift)
    skipped = skipped if skipped is not None else set()
    candidate = None
    for signup in waiting:
        missing = lacking.get(signup.user_id)
        if not missing:
            candidate = signup
            break
        if signup.id not in skipped:
            skipped.add(signup.id)
            _skip(session, actor, signup, missing[0], now)
    if candidate is None or not _take_seat(session, shift):
        return None
    candidate.status = SignupStatus.CONFIRMED
    session.flush()
    audit.record(
        session,
        actor,
        "signup.promoted",
        candidate,
        before={"status": SignupStatus.WAITLISTED},
        after={"status": SignupStatus.CONFIRMED},
    )
    return candidate


def _skip(
    session: Session,
    actor: User | None,
    signup: Signup,
    missing: Qualification,
    now: datetime,
) -> None:
    """A waitlisted person lacks what the shift requires on its day: a free place passes them
    by. Audited each time; they are emailed once per sign-up and qualification."""
    audit.record(
        session,
        actor,
        "signup.skipped",
        signup,
        before={"status": SignupStatus.WAITLISTED},
        after={"status": SignupStatus.WAITLISTED, "missing_qualification_id": missing.id},
    )
    notifications.waitlist_skipped(session, signup, missing, now=now)


def fill_from_waitlist(session: Session, actor: User, shift: Shift, now: datetime) -> list[Signup]:
    """Give every free seat of the shift to the waitlist, oldest first (after more places)."""
    lock_shifts(session, shift)
    promoted: list[Signup] = []
    if shift.is_cancelled:
        return promoted
    skipped: set[int] = set()
    while (signup := _promote_oldest(session, actor, shift, now, skipped)) is not None:
        notifications.promoted(session, signup, now=now)
        promoted.append(signup)
    return promoted
