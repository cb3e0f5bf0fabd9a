"""Taking a place (signing up, or the booking of an assignment) and giving places up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _, _l
from coprod.models import SEATED, Shift, Signup, SignupStatus, User
from coprod.services import audit, capacity, notifications
from coprod.services import task_figures as figures
from coprod.services.accounts import require_confirmed
from coprod.services.shift_state import not_started_shift
from coprod.services.signups.booking.locks import (
    _relock,
    _take_seat,
    free_seat,
    lock_person,
    lock_shifts,
)
from coprod.services.signups.booking.rules import _refuse_overlap, _refuse_started, refuse_cancelled
from coprod.services.signups.booking.waitlist import _promote_oldest

AUDIT_FIELDS = ["status", "shift_id", "user_id", "queued_at", "assigned_by_id"]
DUPLICATE = _l("You are already signed up for this shift.")
ALREADY_CANCELLED = _l("This place is already cancelled: nothing changed.")
# Why a place cannot be cancelled, by its status (whole sentences, to translate).
CANNOT_CANCEL = {
    SignupStatus.ATTENDED: _l("This place is marked attended, so it can no longer be cancelled."),
    SignupStatus.NO_SHOW: _l(
        "This place is marked as a no-show, so it can no longer be cancelled."
    ),
    SignupStatus.SHIFT_CANCELLED: _l(
        "This place ended when the shift was cancelled, so it can no longer be cancelled."
    ),
}


def book(
    session: Session,
    actor: User,
    shift: Shift,
    volunteer: User,
    now: datetime,
    *,
    assigned: bool,
) -> Signup:
    """Confirm the volunteer on the shift, or waitlist them when it is full."""
    yourself = volunteer.id == actor.id
    duplicate = (
        str(DUPLICATE)
        if yourself
        else _("%(name)s is already signed up for this shift.", name=volunteer.display_name)
    )
    _refuse_started(shift, now, _("This shift has already started, so sign-ups are closed."))
    refuse_cancelled(shift)
    lock_shifts(session, shift)
    refuse_cancelled(shift)  # cancelled while we waited for the lock: decide on what is now
    existing = session.scalar(
        select(Signup)
        .where(Signup.shift_id == shift.id, Signup.user_id == volunteer.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    lock_person(session, volunteer.id)  # serialise this person's bookings (the overlap rule)
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        raise Conflict(duplicate)
    _refuse_overlap(session, volunteer, shift, yourself)
    # Everyone on the shift holds, on its day, what its task requires (read under the locks).
    capacity.require_qualified(session, volunteer, shift, yourself=yourself)
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
    figures.refresh(session, [shift.task_id], now)  # last in the lock order
    return signup


def sign_up(session: Session, actor: User, shift: Shift, now: datetime) -> Signup:
    """Confirm the actor on a shift that has not started, or waitlist them when it is full."""
    policy.require(actor, "shift.sign_up", shift)
    require_confirmed(actor)
    return book(session, actor, shift, actor, now, assigned=False)


def cancel(session: Session, actor: User, signup: Signup, now: datetime) -> Signup:
    """Cancel a confirmed or waitlisted place before the shift starts (once: a second cancel
    is a Conflict); a freed seat goes to the oldest waitlisted person."""
    policy.require(actor, "signup.cancel", signup)
    shift = signup.shift
    _refuse_started(
        shift, now, _("This shift has already started, so it can no longer be cancelled.")
    )
    lock_shifts(session, shift)
    _relock(session, signup)  # decide on the status as it is now, not as it was loaded
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(str(ALREADY_CANCELLED))
    if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
        refusal = CANNOT_CANCEL.get(signup.status)
        raise Conflict(str(refusal) if refusal else _("This place can no longer be cancelled."))
    _give_up_place(session, actor, signup, now)
    notifications.place_cancelled(session, actor, signup, now=now)
    figures.refresh(session, [signup.shift.task_id], now)  # last in the lock order
    return signup


def _give_up_place(session: Session, actor: User | None, signup: Signup, now: datetime) -> None:
    """Cancel a locked, confirmed or waitlisted sign-up; a freed seat goes to the oldest
    waitlisted person (the caller holds the shift's lock, then the sign-up's)."""
    before = audit.snapshot(signup, AUDIT_FIELDS)
    seated = signup.status in SEATED
    signup.status = SignupStatus.CANCELLED
    session.flush()
    if seated:
        free_seat(session, signup.shift)
        promoted = _promote_oldest(session, actor, signup.shift, now)
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


def release_future_places(
    session: Session, actor: User | None, volunteer: User, now: datetime
) -> int:
    """Cancel every confirmed or waitlisted place the person holds on shifts that have not
    started (their account is being deleted): each through the cancel path above, shift lock
    then sign-up lock, shifts in id order; the waitlists are promoted and the person is not
    emailed. How many places were released."""
    signups = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .options(contains_eager(Signup.shift))
            .where(
                Signup.user_id == volunteer.id,
                Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
                not_started_shift(now),
            )
            .order_by(Shift.id)
        )
    )
    released = 0
    for signup in signups:
        lock_shifts(session, signup.shift)
        _relock(session, signup)
        if signup.status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            _give_up_place(session, actor, signup, now)
            released += 1
    # The tasks' rows after every shift's (the lock order), in id order.
    figures.refresh(session, {s.shift.task_id for s in signups}, now)
    return released
