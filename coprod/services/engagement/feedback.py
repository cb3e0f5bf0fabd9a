"""Volunteers' feedback on the tasks they worked on: a rating (1-5) and, if they like, a comment
that is public (shown without their name) or only for the organisers.

Who may give it: someone who attended one of the task's shifts, or logged hours on it (a log
not withdrawn or rejected); once per task (the unique (task, person) pair). Who reads what:
the task's organisers (its coordinators, its co-coordinator and the lead agency's staff) read
every item with its author's name ("task.view_feedback"); everyone else reads the average and
the public comments that are not hidden, never a name; the author reads their own."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotAllowed, NotFound, TooMany
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
from coprod.services.keyset import Key, Window, window
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


def former_volunteer() -> str:
    """The name shown for feedback whose author's account is gone."""
    return _("A former volunteer")


# --- who may give feedback ----------------------------------------------------------------


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


# --- giving it ----------------------------------------------------------------------------


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


# --- reading it ---------------------------------------------------------------------------


def my_feedback(session: Session, actor: User | None, task: Task) -> Feedback | None:
    """The person's own feedback on the task, if they gave it."""
    if actor is None:
        return None
    return session.scalar(
        select(Feedback).where(Feedback.task_id == task.id, Feedback.user_id == actor.id)
    )


def rated_tasks(session: Session, actor: User | None, task_ids: list[int]) -> set[int]:
    """Which of the tasks the person has given feedback on (one query, for a list)."""
    if actor is None or not task_ids:
        return set()
    stmt = select(Feedback.task_id).where(
        Feedback.user_id == actor.id, Feedback.task_id.in_(set(task_ids))
    )
    return set(session.scalars(stmt))


@dataclass(frozen=True)
class Summary:
    """A task's feedback in figures: `responses` and `average` count what is shown (hidden
    items left out), `comments` the public comments shown; `given` counts every item (for
    its organisers)."""

    responses: int
    average: float | None
    comments: int
    given: int


def feedback_summary(session: Session, task: Task) -> Summary:
    """The number of ratings and their average (hidden items left out), in one statement."""
    shown = Feedback.hidden_at.is_(None)
    public_comment = and_(shown, Feedback.public.is_(True), Feedback.comment != "")
    row = session.execute(
        select(
            func.count(case((shown, 1))),
            func.avg(case((shown, Feedback.rating))),
            func.count(case((public_comment, 1))),
            func.count(),
        ).where(Feedback.task_id == task.id)
    ).one()
    responses, average, comments, given = row
    mean = round(float(average), 2) if responses and average is not None else None
    return Summary(
        responses=int(responses or 0),
        average=mean,
        comments=int(comments or 0),
        given=int(given or 0),
    )


@dataclass(frozen=True)
class PublicComment:
    """A public comment as everyone sees it: no author."""

    id: int
    task_id: int
    rating: int
    comment: str
    date: date
    created_at: datetime


# Newest first, the id breaking ties: ix_feedback_task_created (task_id, created_at, id)
# serves a task's list read backwards.
FEEDBACK_KEYS = (
    Key(Feedback.created_at.expression, datetime, descending=True),
    Key(Feedback.id.expression, descending=True),
)


def public_feedback(
    session: Session,
    actor: User | None,
    task: Task,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[PublicComment]:
    """The task's public comments that are not hidden, newest first, without their authors:
    the window after (or before) a cursor."""
    policy.require(actor, "task.view", task)
    stmt = select(Feedback).where(
        Feedback.task_id == task.id,
        Feedback.public.is_(True),
        Feedback.hidden_at.is_(None),
        Feedback.comment != "",
        policy.visible_feedback(actor),
    )
    found = window(session, stmt, FEEDBACK_KEYS, after=after, before=before, per_page=per_page)
    items = [
        PublicComment(f.id, f.task_id, f.rating, f.comment, f.date, f.created_at)
        for f in found.items
    ]
    return replace(found, items=items)


def task_feedback(
    session: Session,
    actor: User | None,
    task: Task,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[Feedback]:
    """Every rating and comment on the task with its author, newest first (the window after
    or before a cursor): for its organisers (coordinators, co-coordinator, the lead agency's
    staff)."""
    policy.require(actor, "task.view_feedback", task)
    stmt = (
        select(Feedback)
        .where(Feedback.task_id == task.id, policy.visible_feedback(actor))
        .options(joinedload(Feedback.author))
    )
    return window(session, stmt, FEEDBACK_KEYS, after=after, before=before, per_page=per_page)


def author_name(item: Feedback) -> str:
    """The author's display name (for the organisers' list only)."""
    return item.author.display_name if item.author is not None else former_volunteer()


def get_feedback(session: Session, actor: User | None, feedback_id: int) -> Feedback:
    """One item of feedback, for who may see it (NotFound otherwise)."""
    item = session.get(
        Feedback, feedback_id, options=[joinedload(Feedback.task).joinedload(Task.programme)]
    )
    if item is None:
        raise NotFound(_("No such feedback."))
    policy.require(actor, "feedback.view", item)
    return item


def shows_author(actor: User | None, item: Feedback) -> bool:
    """Whether the reader may see who gave the item: the task's organisers, and the author."""
    if actor is not None and item.user_id == actor.id:
        return True
    return policy.can(actor, "task.view_feedback", item.task)
