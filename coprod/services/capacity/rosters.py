"""Rosters and qualifications: who, on a shift, lacks on its day what its task requires.

Coordinators see it before the day comes: each confirmed or waitlisted person on a roster
whose qualification will have expired by the shift's day (or who never held it) is marked,
and their home page lists such places on their upcoming shifts. Promotion from the waitlist
(coprod.services.signups.booking) asks the same question of everyone waiting at once.

Everything here reads in a fixed number of statements, whatever the number of people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from coprod import policy
from coprod.i18n import _
from coprod.models import (
    Qualification,
    QualificationAward,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Task,
    TaskStatus,
    User,
    task_qualification,
)
from coprod.services import localtime
from coprod.services.capacity import required_of, shift_day, valid_awards
from coprod.services.shift_state import live_shift, not_started_shift

A = QualificationAward
ON_ROSTER = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
HORIZON_DAYS = 60  # the home page looks this far ahead
MAX_GAPS = 20  # places listed on the home page


def missing_by_person(
    session: Session, user_ids: Sequence[int], shift: Shift
) -> dict[int, list[Qualification]]:
    """For each of the people, what the shift's task requires that they do not hold on the
    shift's day (only those missing something appear); two statements for any number."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    required = required_of(session, shift.task)
    if not required:
        return {}
    held: dict[int, set[int]] = {}
    rows = session.execute(
        select(A.user_id, A.qualification_id)
        .where(
            A.user_id.in_(ids),
            A.qualification_id.in_([q.id for q in required]),
            valid_awards(shift_day(shift)),
        )
        .distinct()
    )
    for user_id, qualification_id in rows:
        held.setdefault(user_id, set()).add(qualification_id)
    result: dict[int, list[Qualification]] = {}
    for user_id in ids:
        missing = [q for q in required if q.id not in held.get(user_id, set())]
        if missing:
            result[user_id] = missing
    return result


@dataclass(frozen=True)
class Gap:
    """A person on a shift who will not hold a required qualification on its day: `expired_on`
    is the day their latest award stops being valid (None: they never held it)."""

    signup: Signup
    qualification: Qualification
    day: date
    expired_on: date | None

    @property
    def message(self) -> str:
        name = self.qualification.name
        if self.expired_on is not None:
            return _(
                "%(name)s expires on %(day)s, before this shift.",
                name=name,
                day=localtime.format_day(self.expired_on),
            )
        return _("Does not hold %(name)s on the day of this shift.", name=name)


def _gaps(
    signups: Iterable[Signup],
    required: dict[int, list[Qualification]],
    awards: Iterable[QualificationAward],
) -> list[Gap]:
    """The gaps of the sign-ups, given each task's requirements (by task id) and the people's
    awards of them (any day, not revoked)."""
    by_pair: dict[tuple[int, int], list[QualificationAward]] = {}
    for award in awards:
        by_pair.setdefault((award.user_id, award.qualification_id), []).append(award)
    gaps = []
    for signup in signups:
        day = shift_day(signup.shift)
        for qualification in required.get(signup.shift.task_id, []):
            held = by_pair.get((signup.user_id, qualification.id), [])
            if any(a.valid_on(day) for a in held):
                continue
            ended = [a.expires_on for a in held if a.expires_on is not None and a.awarded_on <= day]
            gaps.append(Gap(signup, qualification, day, max(ended) if ended else None))
    return gaps


def _awards_of(
    session: Session, user_ids: set[int], qualification_ids: set[int]
) -> list[QualificationAward]:
    if not user_ids or not qualification_ids:
        return []
    return list(
        session.scalars(
            select(A).where(
                A.user_id.in_(sorted(user_ids)),
                A.qualification_id.in_(sorted(qualification_ids)),
                A.revoked_at.is_(None),
            )
        )
    )


def roster_gaps(session: Session, shift: Shift, signups: Sequence[Signup]) -> dict[int, list[Gap]]:
    """Each confirmed or waitlisted sign-up of the roster (by id) with what its person will not
    hold on the shift's day; those missing nothing are left out. Two statements at most."""
    on_roster = [s for s in signups if s.status in ON_ROSTER]
    if not on_roster:
        return {}
    required = required_of(session, shift.task)
    if not required:
        return {}
    awards = _awards_of(session, {s.user_id for s in on_roster}, {q.id for q in required})
    result: dict[int, list[Gap]] = {}
    for gap in _gaps(on_roster, {shift.task_id: required}, awards):
        result.setdefault(gap.signup.id, []).append(gap)
    return result


def upcoming_gaps(session: Session, actor: User, now: datetime) -> tuple[list[Gap], bool]:
    """The places on the coordinator's upcoming shifts (the next HORIZON_DAYS) whose person
    will not hold a required qualification on the shift's day, soonest first; and whether
    there are more than MAX_GAPS. Three statements at most, whatever the rows."""
    org_ids = policy.org_ids_with_role(actor, Role.COORDINATOR)
    if not org_ids:
        return [], False
    horizon = now + timedelta(days=HORIZON_DAYS)
    # Someone whose award is valid from before today to after the horizon (a day's margin
    # for time zones) holds it on every shift day in the window: not a candidate.
    today = now.date() - timedelta(days=1)
    last = horizon.date() + timedelta(days=2)
    covered = exists().where(
        A.user_id == Signup.user_id,
        A.qualification_id == Qualification.id,
        A.revoked_at.is_(None),
        A.awarded_on <= today,
        or_(A.expires_on.is_(None), A.expires_on > last),
    )
    rows = session.execute(
        select(Signup, Qualification)
        .join(Signup.shift)
        .join(Shift.task)
        .join(task_qualification, task_qualification.c.task_id == Task.id)
        .join(Qualification, Qualification.id == task_qualification.c.qualification_id)
        .options(  # programmes and people by queries of their own: joined in, with the five
            # tables above, PostgreSQL took 6 ms to plan a statement that runs in 0.4
            contains_eager(Signup.shift).contains_eager(Shift.task).selectinload(Task.programme),
            selectinload(Signup.volunteer),
        )
        .where(
            Task.coordinating_organisation_id.in_(sorted(org_ids)),
            Task.status.in_((TaskStatus.OPEN, TaskStatus.CLOSED)),
            live_shift(),
            policy.roster_shifts(actor),
            not_started_shift(now),
            Shift.starts_at < horizon,
            Signup.status.in_(ON_ROSTER),
            ~covered,
        )
        .order_by(Shift.starts_at, Shift.id, Signup.id, Qualification.name)
        .limit(MAX_GAPS * 5)
    ).all()
    if not rows:
        return [], False
    required: dict[int, list[Qualification]] = {}
    signups: dict[int, Signup] = {}
    for signup, qualification in rows:
        signups[signup.id] = signup
        listed = required.setdefault(signup.shift.task_id, [])
        if qualification not in listed:
            listed.append(qualification)
    qualification_ids = {q.id for listed in required.values() for q in listed}
    awards = _awards_of(session, {s.user_id for s in signups.values()}, qualification_ids)
    wanted = {(s.id, q.id) for s, q in rows}
    gaps = [
        g
        for g in _gaps(signups.values(), required, awards)
        if (g.signup.id, g.qualification.id) in wanted
    ]
    return gaps[:MAX_GAPS], len(gaps) > MAX_GAPS


__all__ = ["Gap", "missing_by_person", "roster_gaps", "upcoming_gaps"]
