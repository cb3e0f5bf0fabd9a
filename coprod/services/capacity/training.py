"""Training: a task with `trains_qualification_id` is a training. Marking a sign-up of one of
its shifts attended awards the qualification to the attendee (once per sign-up: the award's
unique signup_id), from the shift's day and for the qualification's validity; changing that
mark to a no-show revokes it. Called by coprod.services.signups.booking.mark_attendance under
the shift's and the sign-up's locks, so the award is decided on what is read there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import AwardSource, Qualification, QualificationAward, Signup, User
from coprod.services import audit
from coprod.services.capacity import expires_on_for, shift_day

AUDIT_FIELDS = [
    "user_id",
    "qualification_id",
    "awarded_on",
    "expires_on",
    "source",
    "signup_id",
    "revoked_at",
]


def training_award(session: Session, signup: Signup) -> QualificationAward | None:
    """The award this attended training sign-up made (revoked or not), if any."""
    return session.scalar(
        select(QualificationAward).where(QualificationAward.signup_id == signup.id)
    )


def award_for_attendance(
    session: Session, actor: User, signup: Signup, now: datetime
) -> QualificationAward | None:
    """The attendee of a training shift holds its qualification from the shift's day: a new
    award, or the one a no-show mark revoked made valid again. None when the task trains
    nothing; the award already there when the mark is repeated."""
    shift = signup.shift
    trains = shift.task.trains_qualification_id
    qualification = session.get(Qualification, trains) if trains is not None else None
    if qualification is None:
        return None
    award = training_award(session, signup)
    if award is not None and award.revoked_at is None:
        return award  # marked attended again: awarded once
    before = audit.snapshot(award, AUDIT_FIELDS) if award is not None else None
    day = shift_day(shift)
    if award is None:
        award = QualificationAward(
            user_id=signup.user_id,
            qualification_id=qualification.id,
            signup_id=signup.id,
            source=AwardSource.TRAINING,
            evidence="",
        )
        session.add(award)
    award.awarded_on = day
    award.expires_on = expires_on_for(qualification, day)
    award.awarded_by_id = actor.id
    award.revoked_at = None
    award.revoked_by_id = None
    award.expiry_notified_at = None
    session.flush()
    audit.record(
        session,
        actor,
        "award.from_training",
        award,
        before=before,
        after=audit.snapshot(award, AUDIT_FIELDS),
        at=now,
    )
    return award


def revoke_for_no_show(
    session: Session, actor: User, signup: Signup, now: datetime
) -> QualificationAward | None:
    """A training sign-up marked attended, then changed to a no-show: the award it made is
    revoked (it counts nowhere). None when there was none to revoke."""
    award = training_award(session, signup)
    if award is None or award.revoked_at is not None:
        return None
    before = audit.snapshot(award, AUDIT_FIELDS)
    award.revoked_at = now
    award.revoked_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor,
        "award.revoked_no_show",
        award,
        before=before,
        after=audit.snapshot(award, AUDIT_FIELDS),
        at=now,
    )
    return award
