"""Reading sign-ups: a shift's time in words, a person's sign-ups and schedule, a shift's
roster and waitlist positions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import (
    Membership,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
)
from coprod.services import localtime
from coprod.services.keyset import Key, Window, window


def describe_time(shift: Shift) -> str:
    """A shift's time for pages and messages, in its programme's zone:
    "Sat 28 Mar 2026, 09:00-12:00 GMT"."""
    return localtime.describe_shift(shift)


def get_my_signups(
    session: Session, user: User | None, shift_ids: Iterable[int]
) -> dict[int, Signup]:
    """The user's sign-ups (any status) for these shifts, keyed by shift id, in one query."""
    ids = list(shift_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return {}
    rows = session.scalars(
        select(Signup).where(
            Signup.user_id == user.id, Signup.shift_id.in_(ids), policy.visible_signups(user)
        )
    )
    return {s.shift_id: s for s in rows}


def get_shift(session: Session, actor: User | None, shift_id: int) -> Shift:
    """The shift with its task and programme loaded, if this person may see it (NotFound
    otherwise: a draft's shifts do not exist for the public)."""
    shift = session.get(
        Shift, shift_id, options=[joinedload(Shift.task).joinedload(Task.programme)]
    )
    if shift is None or not policy.can(actor, "shift.view", shift):
        raise NotFound(_("No such shift."))
    return shift


def get_signup(
    session: Session, actor: User | None, signup_id: int, action: str = "signup.view"
) -> Signup:
    """The sign-up, if the actor may see it or do the action on it (NotFound / NotAllowed)."""
    signup = session.get(
        Signup,
        signup_id,
        options=[
            joinedload(Signup.volunteer),
            joinedload(Signup.shift).joinedload(Shift.task).joinedload(Task.programme),
        ],
    )
    if signup is None:
        raise NotFound(_("No such sign-up."))
    policy.require(actor, action, signup)
    return signup


def waitlist_position(session: Session, signup: Signup) -> int:
    """1 for the first person on the shift's waitlist, 0 when not waitlisted."""
    if signup.status != SignupStatus.WAITLISTED:
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.shift_id == signup.shift_id,
            Signup.status == SignupStatus.WAITLISTED,
            (Signup.queued_at < signup.queued_at)
            | ((Signup.queued_at == signup.queued_at) & (Signup.id < signup.id)),
        )
    )
    return (ahead or 0) + 1


def waitlist_positions(session: Session, items: Iterable[Signup]) -> dict[int, int]:
    """Each waitlisted sign-up's place in its queue (1 = next), keyed by id, in one query."""
    ids = [s.id for s in items if s.status == SignupStatus.WAITLISTED]
    if not ids:
        return {}
    ahead = aliased(Signup)
    in_front = or_(
        ahead.queued_at < Signup.queued_at,
        and_(ahead.queued_at == Signup.queued_at, ahead.id <= Signup.id),
    )
    rows = session.execute(
        select(Signup.id, func.count(ahead.id))
        .join(
            ahead,
            and_(
                ahead.shift_id == Signup.shift_id,
                ahead.status == SignupStatus.WAITLISTED,
                in_front,
            ),
        )
        .where(Signup.id.in_(ids))
        .group_by(Signup.id)
    )
    return {signup_id: n for signup_id, n in rows}


# Past shifts all share this key in the schedule's second sort key (keys are never NULL), so
# the third one (start, newest first) orders them.
_PAST = datetime(1970, 1, 1, tzinfo=UTC)


def schedule_keys(now: datetime) -> tuple[Key, ...]:
    """My schedule's order: upcoming shifts soonest first, then past ones newest first, the
    sign-up's id breaking ties. One person's sign-ups, found by ix_signup_user_status: they sort in
    memory (a few hundred at most), so these keys need no index of their own."""
    past = case((Shift.ends_at <= now, 1), else_=0)
    upcoming = case(
        (Shift.ends_at > now, Shift.starts_at),
        else_=literal(_PAST, type_=Shift.starts_at.type),
    )
    return (
        Key(past, int),
        Key(upcoming, datetime),
        Key(Shift.starts_at.expression, datetime, descending=True),
        Key(Signup.id.expression),
    )


def list_my_schedule(
    session: Session,
    actor: User,
    now: datetime,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    include_past: bool = False,
) -> Window[Signup]:
    """The actor's sign-ups (not cancelled): upcoming soonest first, then past newest first;
    the window after (or before) a cursor."""
    stmt = (
        select(Signup)
        .join(Signup.shift)
        .join(Shift.task)
        .options(contains_eager(Signup.shift).contains_eager(Shift.task).joinedload(Task.programme))
        .where(
            Signup.user_id == actor.id,
            policy.visible_signups(actor),
            Signup.status != SignupStatus.CANCELLED,
        )
    )
    if not include_past:
        stmt = stmt.where(Shift.ends_at > now)
    keys = schedule_keys(now)
    return window(session, stmt, keys, after=after, before=before, per_page=per_page)


# A roster: seated first, then the waitlist, each in queue order (one shift's sign-ups, found
# by the shift's index and sorted in memory: its places and waitlist).
ROSTER_KEYS = (
    Key(case((Signup.status == SignupStatus.WAITLISTED, 1), else_=0), int),
    Key(Signup.queued_at.expression, datetime),
    Key(Signup.id.expression),
)


def get_roster(
    session: Session,
    actor: User,
    shift: Shift,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 50,
) -> Window[Signup]:
    """The shift's volunteers (coordinators and lead staff only): seated first, then the
    waitlist, each in queue order; the window after (or before) a cursor. Contact details:
    `roster_contacts`."""
    policy.require(actor, "shift.view_roster", shift)
    stmt = (
        select(Signup)
        .join(Signup.volunteer)
        .options(contains_eager(Signup.volunteer))
        .where(
            Signup.shift_id == shift.id,
            policy.visible_signups(actor),
            Signup.status != SignupStatus.CANCELLED,
        )
    )
    return window(session, stmt, ROSTER_KEYS, after=after, before=before, per_page=per_page)


def roster_size(session: Session, actor: User, shift: Shift) -> int:
    """How many people are on the shift's roster, waitlist included (as get_roster lists them:
    one shift's sign-ups, so an exact count is cheap)."""
    policy.require(actor, "shift.view_roster", shift)
    return (
        session.scalar(
            select(func.count())
            .select_from(Signup)
            .where(
                Signup.shift_id == shift.id,
                policy.visible_signups(actor),
                Signup.status != SignupStatus.CANCELLED,
            )
        )
        or 0
    )


def count_waitlisted(session: Session, shift: Shift) -> int:
    """How many people wait for a place on the shift."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
        )
        or 0
    )


# --- who may be assigned, whose contact details a roster shows --------------------------------


def _assignable(shift: Shift, user_id: Any) -> ColumnElement[bool]:
    """Members of the organisation coordinating the shift's task (the lead agency when the
    task names none), and people who have signed up themselves to a task of the programme."""
    task = shift.task
    org_id = task.coordinating_organisation_id or task.programme.lead_organisation_id
    member = exists().where(Membership.user_id == user_id, Membership.organisation_id == org_id)
    signed_up = exists().where(
        Signup.user_id == user_id,
        Signup.assigned_by_id.is_(None),
        Signup.shift_id == Shift.id,
        Shift.task_id == Task.id,
        Task.programme_id == task.programme_id,
    )
    return or_(member, signed_up)


def is_assignable(session: Session, shift: Shift, user_id: int) -> bool:
    """Whether a coordinator of the shift may assign this person to it (see `_assignable`):
    nobody else, so an assignment cannot reach an account picked by its id or address."""
    return bool(session.scalar(select(_assignable(shift, user_id))))


def roster_contacts(
    session: Session, actor: User | None, shift: Shift, items: Iterable[Signup]
) -> set[int]:
    """The sign-ups of the roster whose contact details (email, phone) the actor sees: only
    the roster's keepers (the shift's coordinators and the lead agency's staff) see any, and
    only of people who signed up themselves, or who were assigned and may be (an assignment
    made before that rule existed does not disclose an address)."""
    if not policy.can(actor, "shift.view_roster", shift):
        return set()
    rows = list(items)
    shown = {s.id for s in rows if s.assigned_by_id is None}
    assigned = {s.user_id for s in rows if s.assigned_by_id is not None}
    if assigned:
        ok = set(
            session.scalars(
                select(User.id).where(User.id.in_(assigned), _assignable(shift, User.id))
            )
        )
        shown |= {s.id for s in rows if s.user_id in ok}
    return shown
