"""Booking: seats taken and given back only through guarded UPDATEs, the rules (no overlap, not
after the start), signing up (and the booking an assignment makes, see assigning.py),
cancelling, promoting from the waitlist, attendance.

Lock order (PostgreSQL; SQLite renders no FOR UPDATE and serialises writers with BEGIN
IMMEDIATE): every change to a sign-up takes, in this order and never the other way round,
  1. the shift's row (`lock_shifts`, by id when there are several),
  2. the sign-up's row (`_relock`, which re-reads it: the decision uses what it read),
  3. the person's user row (`lock_person`),
  4. the task's row, last, to keep its figures (coprod.services.task_figures.refresh),
each `FOR NO KEY UPDATE`, which does not block the `KEY SHARE` locks that inserting rows
referring to them takes (audit entries, outbox rows, a new sign-up). Holding the shift's row
serialises every change to the shift's sign-ups, so the seat counter and the statuses move
together. A deadlock or serialization failure left anyway is retried by the unit of work
(coprod.db.retrying), never shown as an error.

One exception: deleting an account (account_deletion.anonymise) takes the person's row
first, so that no booking of theirs commits after it has listed their places; it cannot
deadlock, as a booking waiting for the person holds only a shift they have no place on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, contains_eager

from coprod import policy
from coprod.errors import Conflict, NotAllowed
from coprod.i18n import _, _l
from coprod.models import (
    ACTIVE,
    SEATED,
    Qualification,
    Shift,
    Signup,
    SignupStatus,
    User,
)
from coprod.services import audit, capacity, contributions, notifications
from coprod.services import task_figures as figures
from coprod.services.accounts import require_confirmed
from coprod.services.capacity import rosters, training
from coprod.services.shift_state import has_started, not_started_shift
from coprod.services.signups.reading import describe_time

AUDIT_FIELDS = ["status", "shift_id", "user_id", "queued_at", "assigned_by_id"]
DUPLICATE = _l("You are already signed up for this shift.")
ALREADY_CANCELLED = _l("This place is already cancelled: nothing changed.")
# Why a place cannot be cancelled, or marked, by its status (whole sentences, to translate).
CANNOT_CANCEL = {
    SignupStatus.ATTENDED: _l("This place is marked attended, so it can no longer be cancelled."),
    SignupStatus.NO_SHOW: _l(
        "This place is marked as a no-show, so it can no longer be cancelled."
    ),
    SignupStatus.SHIFT_CANCELLED: _l(
        "This place ended when the shift was cancelled, so it can no longer be cancelled."
    ),
}
CANNOT_MARK = {
    SignupStatus.WAITLISTED: _l(
        "Only confirmed volunteers can be marked as attended or no-show; this sign-up is "
        "waitlisted."
    ),
    SignupStatus.CANCELLED: _l(
        "Only confirmed volunteers can be marked as attended or no-show; this sign-up is cancelled."
    ),
    SignupStatus.SHIFT_CANCELLED: _l(
        "Only confirmed volunteers can be marked as attended or no-show; this sign-up ended "
        "when the shift was cancelled."
    ),
}


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


def lock_shifts(session: Session, *shifts: Shift) -> None:
    """Lock the shifts' rows (first in the lock order, by id) and forget their seat counts."""
    ids = sorted({shift.id for shift in shifts})
    session.execute(
        select(Shift.id).where(Shift.id.in_(ids)).order_by(Shift.id).with_for_update(key_share=True)
    ).all()
    for shift in shifts:
        # Re-read under the lock: a seat count, a capacity and a cancellation committed
        # meanwhile count.
        session.expire(shift, ["confirmed", "capacity", "cancelled_at", "cancel_reason"])


def _relock(session: Session, signup: Signup) -> Signup:
    """Lock the sign-up's row (after its shift's) and re-read it: what another transaction
    committed meanwhile is what the caller decides on."""
    fresh = session.scalars(
        select(Signup)
        .where(Signup.id == signup.id)
        .with_for_update(of=Signup, key_share=True)
        .execution_options(populate_existing=True)
    ).one()
    assert fresh is signup  # the same identity, its attributes overwritten by the read
    return fresh


def lock_person(session: Session, user_id: int) -> None:
    """Lock the person's user row (last in the lock order): one booking of theirs at a time.
    Read under the lock: an account deleted meanwhile books nothing."""
    deleted_at = session.execute(
        select(User.deleted_at).where(User.id == user_id).with_for_update(key_share=True)
    ).scalar_one_or_none()
    if deleted_at is not None:
        raise NotAllowed(_("This account has been deleted."))


# --- the rules ----------------------------------------------------------------------------


def _refuse_started(shift: Shift, now: datetime, message: str) -> None:
    if has_started(shift, now):
        raise Conflict(message)


def _overlapping(starts_at: datetime, ends_at: datetime) -> ColumnElement[bool]:
    """The shifts that overlap this time (touching at an end is not overlapping)."""
    return and_(Shift.starts_at < ends_at, Shift.ends_at > starts_at)


def refuse_cancelled(shift: Shift, message: str = "") -> None:
    """Nobody joins a cancelled shift (checked again under the shift's lock)."""
    if message and shift.is_cancelled:
        raise Conflict(message)
    if shift.is_cancelled and shift.cancel_reason:
        raise Conflict(
            _(
                "This shift was cancelled (%(reason)s), so nobody can join it.",
                reason=shift.cancel_reason,
            )
        )
    if shift.is_cancelled:
        raise Conflict(_("This shift was cancelled, so nobody can join it."))


def _refuse_overlap(session: Session, volunteer: User, shift: Shift, yourself: bool) -> None:
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
    if other is None:
        return
    task, when = other.shift.task.title, describe_time(other.shift)
    if yourself:
        raise Conflict(
            _(
                "You are already signed up for “%(task)s” on %(when)s, which overlaps this shift.",
                task=task,
                when=when,
            )
        )
    raise Conflict(
        _(
            "%(name)s is already signed up for “%(task)s” on %(when)s, which overlaps this shift.",
            name=volunteer.display_name,
            task=task,
            when=when,
        )
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


def mark_attendance(
    session: Session, actor: User, signup: Signup, attended: bool, now: datetime
) -> Signup:
    """After the start, a coordinator marks a seated volunteer as attended or no-show: attended
    makes their log of the shift (contributions.log_from_attendance), a no-show withdraws it
    while it waits for review (contributions.withdraw_for_no_show)."""
    policy.require(actor, "signup.attendance", signup)
    if not has_started(signup.shift, now):
        raise Conflict(_("Attendance can be marked once the shift has started."))
    lock_shifts(session, signup.shift)
    _relock(session, signup)
    if signup.status not in SEATED:
        refusal = CANNOT_MARK.get(signup.status)
        raise Conflict(
            str(refusal)
            if refusal
            else _("Only confirmed volunteers can be marked as attended or no-show.")
        )
    before = audit.snapshot(signup, ["status"])
    signup.status = SignupStatus.ATTENDED if attended else SignupStatus.NO_SHOW
    session.flush()
    after = {"status": signup.status}
    audit.record(session, actor, "signup.attendance", signup, before=before, after=after)
    if attended:
        contributions.log_from_attendance(session, actor, signup, now)
        training.award_for_attendance(session, actor, signup, now)
    else:
        contributions.withdraw_for_no_show(session, actor, signup, now)
        training.revoke_for_no_show(session, actor, signup, now)
    return signup
