"""Notifications: every email is an outbox row added in the caller's transaction, rendered from
templates/emails/<kind>.txt and .html, only for people who want that kind, and never queued
twice for the same occasion (the row's unique dedupe key).

Links in emails are absolute: PUBLIC_BASE_URL from config.py (http://127.0.0.1:5000 by default;
in development the address `make run` serves, which follows PORT).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import settings
from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.models import (
    ContributionLog,
    LogStatus,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
)
from coprod.services import audit
from coprod.services.money import format_money
from coprod.services.text import has_control, one_line, storable

Kind = NotificationKind
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
MAX_SUBJECT = 150
MAX_BODY = 5000

# What each kind is called on the preferences page, in the order shown.
KIND_LABELS: dict[NotificationKind, str] = {
    Kind.SIGNUP: "When I sign up for a shift or join its waiting list",
    Kind.PROMOTED: "When a place opens up for me on a waiting list",
    Kind.ASSIGNED: "When a coordinator assigns me to a shift",
    Kind.SHIFT_CHANGED: "When a shift I am on changes time or is cancelled",
    Kind.REMINDER: "A reminder before each of my shifts",
    Kind.LOG_REVIEWED: "When my logged hours are approved, rejected or sent back",
    Kind.ROSTER_MESSAGE: "Messages from coordinators to everyone on my shift",
    Kind.REPORT_DIGEST: "Monthly report digests of programmes my organisations are partners in",
}
# Digests are opt-in; every other kind is on until the person turns it off.
DEFAULT_OFF = frozenset({Kind.REPORT_DIGEST})
# Emails about the account itself (reset links, confirmations): no preference turns them off.
ACCOUNT_KINDS = frozenset(
    {
        Kind.PASSWORD_RESET,
        Kind.CONFIRM_EMAIL,
        Kind.REGISTER_ATTEMPT,
        Kind.EMAIL_CHANGED,
        Kind.ORG_DECLINED,
    }
)

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


_env.filters["money"] = format_money  # {{ amount|money(programme.currency) }}, as on pages


def base_url() -> str:
    """PUBLIC_BASE_URL of this process's settings (config.py; in development it follows PORT)."""
    return str(settings()["PUBLIC_BASE_URL"]).rstrip("/")


def describe_time(shift: Shift) -> str:
    from coprod.services.signups import describe_time as describe  # signups imports us

    return describe(shift)


# --- preferences --------------------------------------------------------------------------


def get_preferences(session: Session, user: User) -> dict[NotificationKind, bool]:
    """Every kind with the person's choice, or its default (all on except digests)."""
    chosen = {
        p.kind: p.enabled
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {kind: chosen.get(kind, kind not in DEFAULT_OFF) for kind in KIND_LABELS}


def wants(session: Session, user: User, kind: NotificationKind) -> bool:
    if kind in ACCOUNT_KINDS:
        return True
    pref = session.get(NotificationPreference, (user.id, kind))
    return pref.enabled if pref is not None else kind not in DEFAULT_OFF


def set_preferences(
    session: Session, actor: User, choices: Mapping[str, bool], *, now: datetime
) -> dict[NotificationKind, bool]:
    """A person chooses which kinds of email they receive (kinds not named keep their value)."""
    before = get_preferences(session, actor)
    after = dict(before)
    for raw, enabled in choices.items():
        kind = NotificationKind(raw)
        after[kind] = bool(enabled)
        pref = session.get(NotificationPreference, (actor.id, kind))
        if pref is None:
            session.add(NotificationPreference(user_id=actor.id, kind=kind, enabled=bool(enabled)))
        else:
            pref.enabled = bool(enabled)
            pref.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "notifications.preferences",
        actor,
        before={k.value: v for k, v in before.items()},
        after={k.value: v for k, v in after.items()},
    )
    return after


# --- queuing ------------------------------------------------------------------------------


def render(kind: NotificationKind, context: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of a kind of email."""
    text = _env.get_template(f"{kind.value}.txt").render(context)
    html = _env.get_template(f"{kind.value}.html").render(context)
    return text, html


def dedupe_key(kind: NotificationKind, occasion: str, user: User) -> str:
    return f"{kind.value}:{occasion}:user{user.id}"[:200]


def _queued(session: Session, key: str) -> bool:
    return (
        session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None
    )


def queue(
    session: Session,
    user: User | None,
    kind: NotificationKind,
    occasion: str,
    subject: str,
    context: Mapping[str, Any],
    *,
    now: datetime,
    recipient: str | None = None,
) -> OutboxMessage | None:
    """Add one email to the outbox, unless the person is gone, does not want this kind, or it
    is already queued for this occasion. `recipient` sends it to another address of the
    person's (a new address to confirm) instead of their current one."""
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    key = dedupe_key(kind, occasion, user)
    if not wants(session, user, kind) or _queued(session, key):
        return None
    base = base_url()
    ctx = {
        "user": user,
        "subject": subject,
        "base_url": base,
        "settings_url": f"{base}/account/notifications",
        **context,
    }
    text, html = render(kind, ctx)
    message = OutboxMessage(
        user_id=user.id,
        recipient=recipient or user.email,
        kind=kind,
        subject=one_line(subject)[:200],
        body_text=text,
        body_html=html,
        dedupe_key=key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent twin wins; this one is dropped
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


def _shift_context(shift: Shift) -> dict[str, Any]:
    base = base_url()
    return {
        "shift": shift,
        "task": shift.task,
        "when": describe_time(shift),
        "task_url": f"{base}/tasks/{shift.task_id}",
        "schedule_url": f"{base}/my/schedule",
        "shift_cancelled": False,
        "reason": "",
    }


def _stamp(value: datetime | date | None) -> str:
    return value.isoformat() if value is not None else ""


# --- one function per event ---------------------------------------------------------------


def signup_booked(
    session: Session, signup: Signup, *, assigned: bool, now: datetime
) -> OutboxMessage | None:
    """Tell the volunteer they are confirmed or waitlisted (or that a coordinator assigned
    them)."""
    shift = signup.shift
    title = shift.task.title
    waitlisted = signup.status == SignupStatus.WAITLISTED
    kind = Kind.ASSIGNED if assigned else Kind.SIGNUP
    if assigned:
        subject = f"You have been assigned to “{title}”"
    elif waitlisted:
        subject = f"You are on the waiting list for “{title}”"
    else:
        subject = f"You are signed up for “{title}”"
    occasion = f"signup{signup.id}:{signup.status.value}:{_stamp(signup.queued_at)}"
    ctx = _shift_context(shift) | {"waitlisted": waitlisted, "signup": signup}
    return queue(session, signup.volunteer, kind, occasion, subject, ctx, now=now)


def promoted(session: Session, signup: Signup, *, now: datetime) -> OutboxMessage | None:
    """Tell a waitlisted volunteer that a place opened and it is theirs."""
    shift = signup.shift
    subject = f"A place opened up: you are confirmed for “{shift.task.title}”"
    occasion = f"signup{signup.id}:{_stamp(signup.queued_at)}"
    return queue(
        session, signup.volunteer, Kind.PROMOTED, occasion, subject, _shift_context(shift), now=now
    )


def task_cancelled(
    session: Session, task: Task, cancelled: Iterable[Signup], *, now: datetime
) -> int:
    """Tell everyone whose sign-up was cancelled with the task."""
    n = 0
    for signup in cancelled:
        ctx = _shift_context(signup.shift) | {"cancelled": True, "by_coordinator": False}
        subject = f"Cancelled: “{task.title}”"
        occasion = f"signup{signup.id}:task-cancelled"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)
            is not None
        )
    return n


def shift_cancelled(
    session: Session, shift: Shift, ended: Iterable[Signup], *, now: datetime
) -> int:
    """Tell everyone whose place (or waitlist place) ended because the shift was cancelled:
    its local time and the reason."""
    ctx = _shift_context(shift) | {
        "cancelled": True,
        "by_coordinator": False,
        "shift_cancelled": True,
        "reason": shift.cancel_reason,
    }
    subject = f"Cancelled: “{shift.task.title}” on {describe_time(shift)}"
    n = 0
    for signup in ended:
        occasion = f"signup{signup.id}:shift-cancelled"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)
            is not None
        )
    return n


def place_cancelled(
    session: Session, actor: User, signup: Signup, *, now: datetime
) -> OutboxMessage | None:
    """Tell a volunteer whose place a coordinator cancelled (their own cancellation needs no
    email)."""
    if actor.id == signup.user_id:
        return None
    ctx = _shift_context(signup.shift) | {"cancelled": True, "by_coordinator": True}
    subject = f"Your place on “{signup.shift.task.title}” was cancelled"
    occasion = f"signup{signup.id}:cancelled:{_stamp(signup.updated_at or now)}"
    return queue(session, signup.volunteer, Kind.SHIFT_CHANGED, occasion, subject, ctx, now=now)


def shift_changed(
    session: Session, shift: Shift, *, old_starts_at: datetime, old_ends_at: datetime, now: datetime
) -> int:
    """Tell everyone on a shift (confirmed or waiting) that its time changed."""
    if (old_starts_at, old_ends_at) == (shift.starts_at, shift.ends_at):
        return 0
    people = session.scalars(
        select(Signup).where(
            Signup.shift_id == shift.id,
            Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
        )
    )
    subject = f"Time changed: “{shift.task.title}”"
    occasion = f"{_stamp(shift.starts_at)}-{_stamp(shift.ends_at)}"
    ctx = _shift_context(shift) | {"cancelled": False, "by_coordinator": False}
    n = 0
    for signup in people:
        key = f"signup{signup.id}:moved:{occasion}"
        n += (
            queue(session, signup.volunteer, Kind.SHIFT_CHANGED, key, subject, ctx, now=now)
            is not None
        )
    return n


def reminder_occasion(signup: Signup) -> str:
    return f"signup{signup.id}:{_stamp(signup.shift.starts_at)}"


def reminder(session: Session, signup: Signup, *, now: datetime) -> OutboxMessage | None:
    """Remind a confirmed volunteer of their shift (once per sign-up and start time)."""
    shift = signup.shift
    subject = f"Reminder: “{shift.task.title}” on {describe_time(shift)}"
    return queue(
        session,
        signup.volunteer,
        Kind.REMINDER,
        reminder_occasion(signup),
        subject,
        _shift_context(shift),
        now=now,
    )


LOG_SUBJECTS = {
    LogStatus.APPROVED: "Your logged hours were approved",
    LogStatus.REJECTED: "Your logged hours were not accepted",
    LogStatus.CHANGES_REQUESTED: "Changes requested on your logged hours",
}


def log_reviewed(session: Session, log: ContributionLog, *, now: datetime) -> OutboxMessage | None:
    """Tell the contributor (or whoever logged on their behalf) the reviewer's decision."""
    if log.status not in LOG_SUBJECTS:
        return None
    person = log.contributor or log.created_by
    subject = f"{LOG_SUBJECTS[log.status]}: “{log.task.title}”"
    occasion = f"log{log.id}:{log.status.value}:{_stamp(log.reviewed_at)}"
    ctx = {"log": log, "task": log.task, "log_url": f"{base_url()}/logs/{log.id}"}
    return queue(session, person, Kind.LOG_REVIEWED, occasion, subject, ctx, now=now)


def message_roster(
    session: Session, actor: User, shift: Shift, subject: str, body: str, *, now: datetime
) -> int:
    """A coordinator of the shift writes to everyone on its roster (confirmed, attended or
    waiting); each person gets their own email, so nobody sees the others' addresses."""
    policy.require(actor, "shift.view_roster", shift)
    errs = FieldErrors()
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        errs.add("subject", "Enter a subject.")
    elif len(subject) > MAX_SUBJECT or has_control(subject):
        errs.add("subject", f"The subject must be one line of at most {MAX_SUBJECT} characters.")
    if not body:
        errs.add("body", "Enter the message.")
    elif len(body) > MAX_BODY or not storable(body):
        errs.add("body", f"The message must be at most {MAX_BODY} characters.")
    errs.raise_if_any()
    people = list(
        session.scalars(
            select(Signup).where(
                Signup.shift_id == shift.id, Signup.status != SignupStatus.CANCELLED
            )
        )
    )
    if not people:
        raise Conflict("Nobody is on this roster yet, so there is nobody to write to.")
    entry = audit.record(
        session, actor, "shift.roster_message", shift, after={"subject": subject, "to": len(people)}
    )
    session.flush()
    ctx = _shift_context(shift) | {"sender": actor, "message": body}
    full = f"{subject} (“{shift.task.title}”)"
    return sum(
        queue(session, s.volunteer, Kind.ROSTER_MESSAGE, f"msg{entry.id}", full, ctx, now=now)
        is not None
        for s in people
    )
