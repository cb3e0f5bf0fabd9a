"""Giving feedback: who may (attended a shift of the task, or logged hours on it), what a rating
and a comment may be, once per task, at most FEEDBACK_PER_HOUR comments an hour."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotAllowed, TooMany
from coprod.i18n import _, _l, ngettext
from coprod.models import (
    ContributionLog,
    Feedback,
    LogStatus,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
)
from coprod.services import audit, localtime
from coprod.services.engagement import limit
from coprod.services.engagement.feedback.reading import my_feedback
from coprod.services.text import storable

MAX_COMMENT = 2000
RATINGS = (1, 2, 3, 4, 5)
# Logs that do not show the person worked on the task: taken back, or refused by a reviewer.
NOT_WORKED = (LogStatus.WITHDRAWN, LogStatus.REJECTED)
# Control characters a comment refuses: every C0 and C1 control but tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same rule as a pattern on the whole text (the API's document states it).
COMMENT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
NOT_ELIGIBLE = _l(
    "Only people who attended one of this task's shifts, or logged hours on it, can give "
    "feedback on it."
)
ALREADY_GIVEN = _l("You have already given feedback on this task. Thank you!")


@dataclass(frozen=True)
class Eligibility:
    """Whether the person attended one of the task's shifts (and the latest such shift, which
    their feedback is about) or logged hours on the task."""

    shift_id: int | None
    logged: bool

    @property
    def attended(self) -> bool:
        return self.shift_id is not None

    @property
    def eligible(self) -> bool:
        return self.attended or self.logged


NOBODY = Eligibility(shift_id=None, logged=False)


def eligibility(session: Session, actor: User | None, task: Task) -> Eligibility:
    """Whether the person may give feedback on the task, read in one statement: the latest of
    its shifts they attended, and whether they logged hours on it."""
    if actor is None:
        return NOBODY
    latest = (
        select(Shift.id)
        .join(Signup, Signup.shift_id == Shift.id)
        .where(
            Shift.task_id == task.id,
            Signup.user_id == actor.id,
            Signup.status == SignupStatus.ATTENDED,
        )
        .order_by(Shift.starts_at.desc(), Shift.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    logged = exists().where(
        ContributionLog.task_id == task.id,
        ContributionLog.user_id == actor.id,
        ContributionLog.status.not_in(NOT_WORKED),
    )
    shift_id, has_log = session.execute(select(latest, logged)).one()
    return Eligibility(shift_id=shift_id, logged=bool(has_log))


def check_rating(raw: Any) -> int:
    """A whole number from 1 to 5 (from a form's text or a JSON integer)."""
    message = _("Choose a rating from 1 (poor) to 5 (excellent).")
    if isinstance(raw, bool):
        raise Invalid("rating", message)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text.isdigit() or len(text) > 1:
            raise Invalid("rating", message)
        value = int(text)
    if value not in RATINGS:
        raise Invalid("rating", message)
    return value


def check_comment(raw: str | None) -> str:
    """Optional text over several lines, at most MAX_COMMENT characters, without control
    characters other than tabs and line breaks."""
    value = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not storable(value) or _CONTROL.search(value):
        raise Invalid("comment", _("Your comment contains a character that is not allowed."))
    if len(value) > MAX_COMMENT:
        raise Invalid(
            "comment",
            ngettext(
                "Your comment must be %(num)d character or fewer.",
                "Your comment must be %(num)d characters or fewer.",
                MAX_COMMENT,
            ),
        )
    return value


def comments_per_hour() -> int:
    """FEEDBACK_PER_HOUR: comments one person may give in an hour."""
    return limit("FEEDBACK_PER_HOUR")


def _refuse_too_many_comments(session: Session, actor: User, now: datetime) -> None:
    limit = comments_per_hour()
    recent = session.scalar(
        select(func.count())
        .select_from(Feedback)
        .where(
            Feedback.user_id == actor.id,
            Feedback.comment != "",
            Feedback.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= limit:
        raise TooMany(
            ngettext(
                "You have written %(num)d comment in the last hour, the most allowed. Rate "
                "the task without a comment now, or come back later to add one.",
                "You have written %(num)d comments in the last hour, the most allowed. Rate "
                "the task without a comment now, or come back later to add one.",
                limit,
            )
        )


def give_feedback(
    session: Session,
    actor: User | None,
    task: Task,
    *,
    rating: Any,
    comment: str | None,
    public: bool,
    now: datetime,
) -> Feedback:
    """Record a person's rating and comment on a task they attended a shift of or logged hours
    on; once per task (a second time, or a double click, is a Conflict)."""
    policy.require(actor, "feedback.give", task)
    assert actor is not None  # the policy lets only signed-in people through
    who = eligibility(session, actor, task)
    if not who.eligible:
        raise NotAllowed(str(NOT_ELIGIBLE))
    if my_feedback(session, actor, task) is not None:
        raise Conflict(str(ALREADY_GIVEN))
    errs = FieldErrors()
    value = errs.check(lambda: check_rating(rating))
    text = errs.check(lambda: check_comment(comment))
    errs.raise_if_any()
    if text:
        _refuse_too_many_comments(session, actor, now)
    item = Feedback(
        programme_id=task.programme_id,
        task_id=task.id,
        shift_id=who.shift_id,
        user_id=actor.id,
        rating=value,
        comment=text,
        public=bool(public) and bool(text),  # "public" is about the comment
        date=localtime.local_today(task.programme, now),
        created_at=now,
        changed_at=now,
    )
    try:
        with session.begin_nested():  # two clicks at once: the unique pair keeps one row
            session.add(item)
    except IntegrityError:
        raise Conflict(str(ALREADY_GIVEN)) from None
    # The comment itself stays out of the audit log: whether there is one is enough.
    after = {
        "task_id": task.id,
        "rating": value,
        "public": item.public,
        "with_comment": bool(text),
    }
    audit.record(session, actor, "feedback.given", item, after=after, at=now)
    return item
