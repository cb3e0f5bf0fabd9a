"""Seats taken and given back by guarded UPDATEs, and the row locks, in the package's lock order."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from coprod.errors import NotAllowed
from coprod.i18n import _
from coprod.models import Shift, Signup, User


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
