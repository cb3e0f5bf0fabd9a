"""Capacity building: who holds which qualification on which day, the rule that everyone on a
shift holds what its task requires on the shift's day, skill tags, and the dates of awards.

The rule is decided here once; signing up, assigning and promotion from the waitlist
(coprod.services.signups), invitations and the suggestions of tasks and people all call it.

A qualification is valid on a day when one of the person's awards of it, not revoked, was
awarded on or before the day and expires after it (`expires_on` is the first day it is no
longer valid). A shift's day is its local date in its programme's time zone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import Qualification, QualificationAward, Shift, Task, User, task_qualification
from coprod.services import localtime
from coprod.services.text import has_control

A = QualificationAward
MAX_TAG = 40
MAX_TAGS = 20
_SPACES = re.compile(r"\s+")


def shift_day(shift: Shift) -> date:
    """The shift's date in its programme's time zone: the day its requirements are checked on
    and the day a training shift's award starts."""
    return localtime.to_local(shift.starts_at, localtime.shift_zone(shift)).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 month
    is 28 or 29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on_for(qualification: Qualification, awarded_on: date) -> date | None:
    """The first day an award made on `awarded_on` is no longer valid; None if it never
    expires."""
    if qualification.validity_months is None:
        return None
    return add_months(awarded_on, qualification.validity_months)


def valid_awards(day: date | ColumnElement[date]) -> ColumnElement[bool]:
    """The awards valid on the day, on QualificationAward (twin of QualificationAward.valid_on)."""
    return and_(
        A.revoked_at.is_(None),
        A.awarded_on <= day,
        or_(A.expires_on.is_(None), A.expires_on > day),
    )


def held_on(
    session: Session, user_id: int, qualification_ids: Iterable[int], day: date
) -> set[int]:
    """Which of the qualifications the person holds on the day."""
    ids = set(qualification_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(A.qualification_id)
            .where(A.user_id == user_id, A.qualification_id.in_(ids), valid_awards(day))
            .distinct()
        )
    )


def required_of(session: Session, task: Task) -> list[Qualification]:
    """The qualifications the task requires, by name (read fresh: not the loaded relationship,
    which may be stale inside a long transaction)."""
    return list(
        session.scalars(
            select(Qualification)
            .join(task_qualification, task_qualification.c.qualification_id == Qualification.id)
            .where(task_qualification.c.task_id == task.id)
            .order_by(Qualification.name, Qualification.id)
        )
    )


def missing_for(session: Session, user_id: int, shift: Shift) -> list[Qualification]:
    """What the shift's task requires that the person does not hold on the shift's day."""
    required = required_of(session, shift.task)
    if not required:
        return []
    held = held_on(session, user_id, (q.id for q in required), shift_day(shift))
    return [q for q in required if q.id not in held]


def latest_expiry(session: Session, user_id: int, qualification_id: int) -> date | None:
    """The day the person's most recent award of the qualification expired or expires (None
    without one, or when it never expires)."""
    return session.scalar(
        select(A.expires_on)
        .where(A.user_id == user_id, A.qualification_id == qualification_id)
        .where(A.revoked_at.is_(None))
        .order_by(A.awarded_on.desc(), A.id.desc())
        .limit(1)
    )


def how_to_get(qualification: Qualification) -> str:
    """How a person gets the qualification: what its organisation wrote, or whom to ask."""
    if qualification.how_to_get.strip():
        return qualification.how_to_get.strip()
    return _(
        "Ask a coordinator of %(organisation)s how to get it.",
        organisation=qualification.organisation.name,
    )


def refusal(
    session: Session, volunteer: User, shift: Shift, missing: Qualification, *, yourself: bool
) -> str:
    """Why the person cannot be on the shift: the qualification named, why it does not count on
    the shift's day (never held, or expired before it), and how to get it."""
    day = localtime.format_day(shift_day(shift))
    expired = latest_expiry(session, volunteer.id, missing.id)
    name = missing.name
    if yourself and expired is not None:
        why = _(
            "This shift on %(day)s needs “%(name)s”, and yours is no longer valid on that day "
            "(it expires on %(expires)s).",
            day=day,
            name=name,
            expires=localtime.format_day(expired),
        )
    elif yourself:
        why = _(
            "This shift on %(day)s needs “%(name)s”, which you do not hold.", day=day, name=name
        )
    elif expired is not None:
        why = _(
            "This shift on %(day)s needs “%(name)s”, and %(person)s's is no longer valid on that "
            "day (it expires on %(expires)s).",
            day=day,
            name=name,
            person=volunteer.display_name,
            expires=localtime.format_day(expired),
        )
    else:
        why = _(
            "This shift on %(day)s needs “%(name)s”, which %(person)s does not hold.",
            day=day,
            name=name,
            person=volunteer.display_name,
        )
    return f"{why} {how_to_get(missing)}"


QUALIFICATION_FIELD = "qualification"


def require_qualified(session: Session, volunteer: User, shift: Shift, *, yourself: bool) -> None:
    """Refuse (Invalid, 422, on the field `qualification`) a person who does not hold, on the
    shift's day, every qualification its task requires; the message names the first missing one
    and how to get it."""
    missing = missing_for(session, volunteer.id, shift)
    if missing:
        err = Invalid(
            QUALIFICATION_FIELD, refusal(session, volunteer, shift, missing[0], yourself=yourself)
        )
        err.extensions["qualification_id"] = missing[0].id  # the API's problem names it
        raise err


def normalise_tag(raw: str) -> str:
    """A skill tag as stored: trimmed, single spaces, lower case; refused when empty, too long
    or holding control characters."""
    tag = _SPACES.sub(" ", raw).strip().lower()
    if not tag:
        raise Invalid("skills", _("A skill cannot be empty."))
    if len(tag) > MAX_TAG or has_control(tag):
        raise Invalid(
            "skills",
            _("“%(tag)s” is not a skill we can keep: use at most 40 letters.", tag=tag[:MAX_TAG]),
        )
    return tag


def parse_tags(raw: str | Iterable[str]) -> list[str]:
    """Skill tags from a comma-separated text (a form) or a list (the API): normalised, each
    once, in the order given; at most MAX_TAGS."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Invalid("skills", _("Skills are words or short phrases."))
        if not item.strip():
            continue
        tag = normalise_tag(item)
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid("skills", _("Give at most %(count)d skills.", count=MAX_TAGS))
    return tags


__all__ = [
    "QUALIFICATION_FIELD",
    "add_months",
    "expires_on_for",
    "held_on",
    "how_to_get",
    "missing_for",
    "normalise_tag",
    "parse_tags",
    "refusal",
    "require_qualified",
    "required_of",
    "shift_day",
    "valid_awards",
]
