"""Booking: seats taken and given back only through guarded UPDATEs, the rules (no overlap, not
after the start), signing up, assigning, cancelling, promoting from the waitlist, attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, contains_eager

from coprod import policy
from coprod.db import utcnow
from coprod.errors import Conflict, Invalid
from coprod.models import (
    ACTIVE,
    SEATED,
    Shift,
    Signup,
    SignupStatus,
    TaskStatus,
    User,
)
from coprod.services import audit, notifications
from coprod.services.accounts import get_user_by_email, normalise_email, require_confirmed
from coprod.services.signups.reading import describe_time

AUDIT_FIELDS = ["status", "shift_id", "user_id", "queued_at", "assigned_by_id"]
DUPLICATE = "You are already signed up for this shift."


# --- seats: guarded updates ---------------------------------------------------------------


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _take_seat(session: Session, shift: Shift) -> bool:
    """Take one seat if one is free, in one statement; False when the shift is full."""
    result = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.confirmed < Shift.capacity)
        .values(confirmed=Shift.confirmed + 1),
        execution_options={"synchronize_session": False},
    )
    session.expire(shift, ["confirmed"])
    return _rowcount(result) == 1


def free_seat(session: Session, shift: Shift) -> None:
    """Give one seat back, in one statement (never below zero)."""
    session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.confirmed > 0)
        .values(confirmed=Shift.confirmed - 1),
        execution_options={"synchronize_session": False},
    )
    session.expire(shift, ["confirmed"])


def _move(session: Session, signup_id: int, old: SignupStatus, new: SignupStatus) -> bool:
    """Change a sign-up's status only if it still has the old one (a concurrent change wins)."""
    result = session.execute(
        update(Signup)
        .where(Signup.id == signup_id, Signup.status == old)
        .values(status=new, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return _rowcount(result) == 1


def _lock(session: Session, signup: Signup) -> None:
    """Re-read the sign-up's row and lock it until commit (PostgreSQL; a no-op on SQLite)."""
    session.execute(
        select(Signup)
        .where(Signup.id == signup.id)
        .with_for_update(of=Signup)
        .execution_options(populate_existing=True)
    )


# --- the rules ----------------------------------------------------------------------------


def _refuse_started(shift: Shift, now: datetime, message: str) -> None:
    if now >= shift.starts_at:
        raise Conflict(message)


def _overlapping(starts_at: datetime, ends_at: datetime) -> ColumnElement[bool]:
    """The shifts that overlap this time (touching at an end is not overlapping)."""
    return and_(Shift.starts_at < ends_at, Shift.ends_at > starts_at)


def _refuse_overlap(session: Session, volunteer: User, shift: Shift, who: str) -> None:
    """Nobody holds two overlapping shifts (confirmed, waitlisted or attended)."""
    other = session.scalar(
        select(Signup)
        .join(Signup.shift)
        .options(contains_eager(Signup.shift).joinedload(Shift.task))
        .where(
            Signup.user_id == volunteer.id,
            Signup.status.in_(ACTIVE),
            Signup.shift_id != shift.id,
            _overlapping(shift.starts_at, shift.ends_at),
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
    if other is not None:
        raise Conflict(
            f"{who} already signed up for “{other.shift.task.title}” on "
            f"{describe_time(other.shift)}, which overlaps this shift."
        )


def holders_of_overlapping_shifts(
    session: Session, shift: Shift, starts_at: datetime, ends_at: datetime
) -> list[str]:
    """The names of the people on the shift who hold another shift overlapping these times
    (moving the shift there would give them two at once)."""
    mine, theirs = aliased(Signup), aliased(Signup)
    rows = session.scalars(
        select(User.display_name)
        .join(mine, mine.user_id == User.id)
        .join(theirs, theirs.user_id == User.id)
        .join(Shift, theirs.shift_id == Shift.id)
        .where(
            mine.shift_id == shift.id,
            mine.status.in_(ACTIVE),
            theirs.status.in_(ACTIVE),
            theirs.shift_id != shift.id,
            _overlapping(starts_at, ends_at),
        )
        .distinct()
        .order_by(User.display_name)
    )
    return list(rows)


def _book(
    session: Session,
    actor: User,
    shift: Shift,
    volunteer: User,
    now: datetime,
    *,
    assigned: bool,
) -> Signup:
    """Confirm the volunteer on the shift, or waitlist them when it is full."""
    who = "You are" if volunteer.id == actor.id else f"{volunteer.display_name} is"
    duplicate = DUPLICATE if who == "You are" else f"{who} already signed up for this shift."
    _refuse_started(shift, now, "This shift has already started, so sign-ups are closed.")
    # Serialise this person's bookings (PostgreSQL; SQLite renders no FOR UPDATE).
    session.execute(select(User.id).where(User.id == volunteer.id).with_for_update())
    existing = session.scalar(
        select(Signup)
        .where(Signup.shift_id == shift.id, Signup.user_id == volunteer.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        raise Conflict(duplicate)
    _refuse_overlap(session, volunteer, shift, who)
    before = audit.snapshot(existing, AUDIT_FIELDS) if existing is not None else None
    try:
        with session.begin_nested():
            status = (
                SignupStatus.CONFIRMED if _take_seat(session, shift) else SignupStatus.WAITLISTED
            )
            signup = existing or Signup(shift=shift, volunteer=volunteer)
            signup.status = status
            signup.queued_at = now
            signup.assigned_by_id = actor.id if assigned else None
            session.add(signup)
            session.flush()
    except IntegrityError:
        raise Conflict(duplicate) from None
    action = "signup.assigned" if assigned else "signup.created"
    audit.record(
        session, actor, action, signup, before=before, after=audit.snapshot(signup, AUDIT_FIELDS)
    )
    notifications.signup_booked(session, signup, assigned=assigned, now=now)
    return signup


def sign_up(session: Session, actor: User, shift: Shift, now: datetime) -> Signup:
    """Confirm the actor on a shift that has not started, or waitlist them when it is full."""
    policy.require(actor, "shift.sign_up", shift)
    require_confirmed(actor)
    return _book(session, actor, shift, actor, now, assigned=False)


UNCONFIRMED_VOLUNTEER = (
    "This person has not confirmed their email address yet, so they cannot be assigned: ask "
    "them to follow the link we emailed them."
)


def assign(session: Session, actor: User, shift: Shift, volunteer: User, now: datetime) -> Signup:
    """A coordinator books a volunteer on a shift, under the same rules as signing up."""
    policy.require(actor, "shift.assign", shift)
    if shift.task.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
        raise Conflict(f"This task is {shift.task.status}, so nobody can be assigned.")
    if not volunteer.is_active or volunteer.deleted_at is not None:
        raise Invalid("email", "This account is closed, so it cannot be assigned.")
    if volunteer.email_confirmed_at is None:
        raise Invalid("email", UNCONFIRMED_VOLUNTEER)
    return _book(session, actor, shift, volunteer, now, assigned=True)


def assign_by_email(
    session: Session, actor: User, shift: Shift, email: str, now: datetime
) -> Signup:
    """Assign the volunteer whose account uses this email address."""
    policy.require(actor, "shift.assign", shift)
    volunteer = get_user_by_email(session, normalise_email(email))
    if volunteer is None or volunteer.deleted_at is not None:
        raise Invalid("email", "No account uses this email address. Ask the person to register.")
    return assign(session, actor, shift, volunteer, now)


def _promote_oldest(session: Session, actor: User, shift: Shift) -> Signup | None:
    """Give a freed seat to the oldest waitlisted person (by queued_at, then id)."""
    tried: list[int] = []
    while True:
        candidate = session.scalar(
            select(Signup.id)
            .where(
                Signup.shift_id == shift.id,
                Signup.status == SignupStatus.WAITLISTED,
                Signup.id.not_in(tried),
            )
            .order_by(Signup.queued_at, Signup.id)
            .limit(1)
        )
        if candidate is None:
            return None
        tried.append(candidate)
        # Someone who left the waitlist meanwhile is skipped (the guarded move fails).
        if not _move(session, candidate, SignupStatus.WAITLISTED, SignupStatus.CONFIRMED):
            continue
        if not _take_seat(session, shift):
            _move(session, candidate, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
            return None
        promoted = session.get(Signup, candidate, populate_existing=True)
        assert promoted is not None
        audit.record(
            session,
            actor,
            "signup.promoted",
            promoted,
            before={"status": SignupStatus.WAITLISTED},
            after={"status": SignupStatus.CONFIRMED},
        )
        return promoted


def fill_from_waitlist(session: Session, actor: User, shift: Shift, now: datetime) -> list[Signup]:
    """Give every free seat of the shift to the waitlist, oldest first (after more places)."""
    promoted: list[Signup] = []
    while (signup := _promote_oldest(session, actor, shift)) is not None:
        notifications.promoted(session, signup, now=now)
        promoted.append(signup)
    return promoted


def cancel(session: Session, actor: User, signup: Signup, now: datetime) -> Signup:
    """Cancel before the shift starts; a freed seat goes to the oldest waitlisted person."""
    policy.require(actor, "signup.cancel", signup)
    shift = signup.shift
    _refuse_started(shift, now, "This shift has already started, so it can no longer be cancelled.")
    _lock(session, signup)  # re-read the status under a lock
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict("This sign-up is already cancelled.")
    before = audit.snapshot(signup, AUDIT_FIELDS)
    seated = signup.status in SEATED
    signup.status = SignupStatus.CANCELLED
    session.flush()
    if seated:
        free_seat(session, shift)
        promoted = _promote_oldest(session, actor, shift)
        if promoted is not None:
            notifications.promoted(session, promoted, now=now)
    audit.record(
        session,
        actor,
        "signup.cancelled",
        signup,
        before=before,
        after=audit.snapshot(signup, AUDIT_FIELDS),
    )
    notifications.place_cancelled(session, actor, signup, now=now)
    return signup


def mark_attendance(
    session: Session, actor: User, signup: Signup, attended: bool, now: datetime
) -> Signup:
    """After the start, a coordinator marks a seated volunteer as attended or no-show."""
    policy.require(actor, "signup.attendance", signup)
    if now < signup.shift.starts_at:
        raise Conflict("Attendance can be marked once the shift has started.")
    _lock(session, signup)
    if signup.status not in SEATED:
        label = signup.status.replace("_", " ")
        raise Conflict(
            f"Only confirmed volunteers can be marked as attended or no-show; "
            f"this sign-up is {label}."
        )
    before = audit.snapshot(signup, ["status"])
    signup.status = SignupStatus.ATTENDED if attended else SignupStatus.NO_SHOW
    session.flush()
    after = {"status": signup.status}
    audit.record(session, actor, "signup.attendance", signup, before=before, after=after)
    return signup
