"""People to ask for an understaffed shift, and the invitations coordinators send them.

A candidate for a shift is a member of its task's coordinating organisation (the lead
agency's members when the task names none) who is active, has confirmed their email address,
has opted in to be asked (User.open_to_invitations), holds every qualification the task
requires on the shift's day, holds no active place on an overlapping shift and is not on this
shift already (in any status but cancelled).

An invitation is an email with a link to the shift; taking the place goes through
signups.sign_up and every rule of booking (coprod.services.capacity's included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, not_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from coprod import policy
from coprod.errors import Conflict, Invalid, NotFound, TooMany
from coprod.i18n import _
from coprod.models import (
    Membership,
    NotificationKind,
    OutboxMessage,
    QualificationAward,
    Shift,
    ShiftInvitation,
    Signup,
    SignupStatus,
    TaskSkill,
    TaskStatus,
    User,
    UserSkill,
    task_qualification,
)
from coprod.models.tasks import ACTIVE
from coprod.services import audit, notifications
from coprod.services.capacity import shift_day, valid_awards
from coprod.services.engagement import limit
from coprod.services.pagination import Page, paginate
from coprod.services.shift_state import has_started

A = QualificationAward


@dataclass(frozen=True)
class Candidate:
    """A person who may be asked, the task's skills they have, and whether they were asked."""

    user: User
    skills: list[str] = field(default_factory=list)
    invited: bool = False


def _organisation_id(shift: Shift) -> int:
    task = shift.task
    return task.coordinating_organisation_id or task.programme.lead_organisation_id


def candidate_condition(shift: Shift) -> ColumnElement[bool]:
    """SQL on User: the person is a candidate for the shift (see the module)."""
    day = shift_day(shift)
    lacking = exists().where(
        task_qualification.c.task_id == shift.task_id,
        not_(
            select(A.id)
            .where(
                A.user_id == User.id,
                A.qualification_id == task_qualification.c.qualification_id,
                valid_awards(day),
            )
            .correlate_except(A)
            .exists()
        ),
    )
    other = aliased(Shift)
    overlapping = exists().where(
        Signup.user_id == User.id,
        Signup.status.in_(ACTIVE),
        Signup.shift_id == other.id,
        other.id != shift.id,
        other.starts_at < shift.ends_at,
        other.ends_at > shift.starts_at,
    )
    on_shift = exists().where(
        Signup.user_id == User.id,
        Signup.shift_id == shift.id,
        Signup.status != SignupStatus.CANCELLED,
    )
    member = exists().where(
        Membership.user_id == User.id, Membership.organisation_id == _organisation_id(shift)
    )
    return and_(
        member,
        User.is_active.is_(True),
        User.deleted_at.is_(None),
        User.email_confirmed_at.is_not(None),
        User.open_to_invitations.is_(True),
        not_(lacking),
        not_(overlapping),
        not_(on_shift),
    )


def list_candidates(
    session: Session, actor: User, shift: Shift, *, page: int = 1, per_page: int = 20
) -> Page[Candidate]:
    """The shift's candidates, by name, with the task's skills they have and whether they were
    invited already (three queries a page, whatever its length)."""
    policy.require(actor, "shift.view_candidates", shift)
    stmt = select(User).where(candidate_condition(shift)).order_by(User.display_name, User.id)
    found = paginate(session, stmt, page, per_page)
    ids = [u.id for u in found.items]
    skills: dict[int, list[str]] = {}
    invited: set[int] = set()
    if ids:
        task_tags = select(TaskSkill.tag).where(TaskSkill.task_id == shift.task_id)
        for user_id, tag in session.execute(
            select(UserSkill.user_id, UserSkill.tag)
            .where(UserSkill.user_id.in_(ids), UserSkill.tag.in_(task_tags))
            .order_by(UserSkill.tag)
        ):
            skills.setdefault(user_id, []).append(tag)
        invited = set(
            session.scalars(
                select(ShiftInvitation.user_id).where(
                    ShiftInvitation.shift_id == shift.id, ShiftInvitation.user_id.in_(ids)
                )
            )
        )
    items = [Candidate(u, skills.get(u.id, []), u.id in invited) for u in found.items]
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)


def refuse_closed(shift: Shift, now: datetime) -> None:
    """Nobody is invited to a shift that started, was cancelled or has no free place, nor to
    one of a task not open for sign-ups."""
    if shift.task.status != TaskStatus.OPEN:
        raise Conflict(_("This task is not open for sign-ups, so nobody can be invited to it."))
    if has_started(shift, now):
        raise Conflict(_("This shift has already started, so nobody can be invited to it."))
    if shift.is_cancelled:
        raise Conflict(_("This shift was cancelled, so nobody can be invited to it."))
    if shift.confirmed >= shift.capacity:
        raise Conflict(_("This shift has no free place, so nobody can be invited to it."))


def _refuse_too_many(session: Session, actor: User, now: datetime) -> None:
    per_hour = limit("INVITATIONS_PER_HOUR")
    sent = session.scalar(
        select(func.count())
        .select_from(ShiftInvitation)
        .where(
            ShiftInvitation.invited_by_id == actor.id,
            ShiftInvitation.created_at > now - timedelta(hours=1),
        )
    )
    if (sent or 0) >= per_hour:
        raise TooMany(
            _(
                "You have sent %(count)d invitations in the last hour, the most allowed. "
                "Try again later.",
                count=per_hour,
            )
        )


def invite(
    session: Session, actor: User, shift: Shift, person_id: int, *, now: datetime
) -> ShiftInvitation:
    """Ask a candidate to take a place on the shift: one invitation per person and shift,
    audited, emailed; at most INVITATIONS_PER_HOUR an hour per coordinator."""
    policy.require(actor, "shift.invite", shift)
    refuse_closed(shift, now)
    person = session.scalar(select(User).where(User.id == person_id, User.deleted_at.is_(None)))
    if person is None:
        raise Invalid("user_id", _("There is no such person to invite."))
    taken = session.scalar(
        select(ShiftInvitation.id).where(
            ShiftInvitation.shift_id == shift.id, ShiftInvitation.user_id == person.id
        )
    )
    if taken is not None:
        raise Conflict(_("%(name)s was already invited to this shift.", name=person.display_name))
    if not session.scalar(select(candidate_condition(shift)).where(User.id == person.id)):
        raise Invalid(
            "user_id",
            _(
                "%(name)s cannot be invited to this shift: only members who opted in, hold what "
                "it requires on its day and are free at that time can be.",
                name=person.display_name,
            ),
        )
    _refuse_too_many(session, actor, now)
    invitation = ShiftInvitation(
        shift_id=shift.id, user_id=person.id, invited_by_id=actor.id, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:
        raise Conflict(
            _("%(name)s was already invited to this shift.", name=person.display_name)
        ) from None
    audit.record(session, actor, "invitation.sent", invitation, at=now)
    invitation_email(session, invitation, now=now)
    return invitation


def invitation_email(
    session: Session, invitation: ShiftInvitation, *, now: datetime
) -> OutboxMessage | None:
    """The invited person's email: the shift, and a link to take the place."""
    shift = invitation.shift
    title = shift.task.title
    inviter = invitation.invited_by.display_name if invitation.invited_by else ""
    subject = notifications.Later(
        lambda: _("You are invited to a shift of “%(title)s”", title=title)
    )
    base = notifications.base_url()
    ctx = notifications.shift_context(shift) | {
        "inviter": inviter,
        "accept_url": f"{base}/shifts/{shift.id}/invitation",
    }
    return notifications.queue(
        session,
        invitation.person,
        NotificationKind.INVITATION,
        f"invitation{invitation.id}",
        subject,
        ctx,
        now=now,
    )


def get_invitation(session: Session, actor: User, shift: Shift) -> ShiftInvitation:
    """The person's invitation to the shift; NotFound when they have none."""
    invitation = session.scalar(
        select(ShiftInvitation).where(
            ShiftInvitation.shift_id == shift.id, ShiftInvitation.user_id == actor.id
        )
    )
    if invitation is None:
        raise NotFound(_("You have no invitation to this shift."))
    return invitation


def accept(session: Session, actor: User, shift: Shift, *, now: datetime) -> Signup:
    """Take the place one was invited to: a sign-up with every rule of signups.sign_up; the
    invitation is marked accepted."""
    from coprod.services import signups  # signups imports capacity

    invitation = get_invitation(session, actor, shift)
    signup = signups.sign_up(session, actor, shift, now)
    if invitation.accepted_at is None:
        invitation.accepted_at = now
        audit.record(session, actor, "invitation.accepted", invitation, at=now)
    return signup


__all__ = [
    "Candidate",
    "accept",
    "candidate_condition",
    "get_invitation",
    "invitation_email",
    "invite",
    "list_candidates",
    "refuse_closed",
]
