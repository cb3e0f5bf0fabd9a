"""Marking attendance: after the start, a seated volunteer attended or was a no-show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _, _l
from coprod.models import SEATED, Signup, SignupStatus, User
from coprod.services import audit, contributions
from coprod.services.capacity import training
from coprod.services.shift_state import has_started
from coprod.services.signups.booking.locks import _relock, lock_shifts

# Why a place cannot be marked attended or absent, by its status (whole sentences, to translate).
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
