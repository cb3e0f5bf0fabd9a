"""Assignments: a coordinator books a volunteer on a shift, under the rules of signing up, but
only someone they may assign (a member of the organisation coordinating the task, or someone
who signed up to the programme themselves before); anyone else is answered exactly as an
unknown address or id, and nothing is sent, so accounts cannot be probed or harvested.
Invitations of other people are not built yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, Invalid
from coprod.i18n import _, _l
from coprod.models import Shift, Signup, TaskStatus, User
from coprod.services.accounts import get_user_by_email, normalise_email
from coprod.services.signups.booking import book
from coprod.services.signups.reading import is_assignable

# Nobody one may assign, by what was given (an email address, an account id, a name picked).
NO_SUCH_VOLUNTEER = {
    "email address": _l(
        "No one you can assign has this email address. You can assign members of the "
        "organisation coordinating this task and people who have signed up to this programme "
        "before; ask anyone else to sign up themselves."
    ),
    "account id": _l(
        "No one you can assign has this account id. You can assign members of the organisation "
        "coordinating this task and people who have signed up to this programme before; ask "
        "anyone else to sign up themselves."
    ),
    "name": _l(
        "No one you can assign has this name. You can assign members of the organisation "
        "coordinating this task and people who have signed up to this programme before; ask "
        "anyone else to sign up themselves."
    ),
}


UNCONFIRMED_VOLUNTEER = _l(
    "This person has not confirmed their email address yet, so they cannot be assigned: ask "
    "them to follow the link we emailed them."
)
# Why nobody can be assigned to a task in this status.
TASK_CLOSED = {
    TaskStatus.COMPLETED: _l("This task is completed, so nobody can be assigned."),
    TaskStatus.CANCELLED: _l("This task is cancelled, so nobody can be assigned."),
}


def _assign(
    session: Session,
    actor: User,
    shift: Shift,
    volunteer: User | None,
    now: datetime,
    *,
    field: str = "email",
    what: str = "email address",
) -> Signup:
    """Book a volunteer one may assign; anyone else is answered exactly as nobody at all."""
    policy.require(actor, "shift.assign", shift)
    if shift.task.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED):
        raise Conflict(str(TASK_CLOSED[shift.task.status]))
    if (
        volunteer is None
        or volunteer.deleted_at is not None
        or not is_assignable(session, shift, volunteer.id)
    ):
        raise Invalid(field, str(NO_SUCH_VOLUNTEER[what]))
    if not volunteer.is_active:
        raise Invalid(field, _("This account is closed, so it cannot be assigned."))
    if volunteer.email_confirmed_at is None:
        raise Invalid(field, str(UNCONFIRMED_VOLUNTEER))
    return book(session, actor, shift, volunteer, now, assigned=True)


def assign(session: Session, actor: User, shift: Shift, volunteer: User, now: datetime) -> Signup:
    """A coordinator books a volunteer on a shift, under the same rules as signing up: only a
    member of the coordinating organisation or someone who signed up to the programme before."""
    return _assign(session, actor, shift, volunteer, now)


def assign_by_email(
    session: Session, actor: User, shift: Shift, email: str, now: datetime
) -> Signup:
    """Assign the volunteer whose account uses this email address (the web form)."""
    policy.require(actor, "shift.assign", shift)
    volunteer = get_user_by_email(session, normalise_email(email))
    return _assign(session, actor, shift, volunteer, now)


def assign_by_id(
    session: Session, actor: User, shift: Shift, user_id: int, now: datetime
) -> Signup:
    """Assign the volunteer with this account id (the API), refused on the field `user_id`."""
    volunteer = session.get(User, user_id)
    return _assign(session, actor, shift, volunteer, now, field="user_id", what="account id")


def assign_member(
    session: Session, actor: User, shift: Shift, user_id: int | None, now: datetime
) -> Signup:
    """Assign the person picked from the coordinating organisation's members (the web's
    list), under the same rules; refused on the field `user_id`."""
    policy.require(actor, "shift.assign", shift)
    if user_id is None:
        raise Invalid("user_id", _("Choose the member to assign."))
    volunteer = session.get(User, user_id)
    return _assign(session, actor, shift, volunteer, now, field="user_id", what="name")
