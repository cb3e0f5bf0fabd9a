"""Notifications: every email is an outbox row added in the caller's transaction, rendered from
templates/emails/<kind>.txt and .html, only for people who want that kind, and never queued
twice for the same occasion (the row's unique dedupe key).

Each email is written in its recipient's language (user.language; English when they chose
none), whoever's request or job queues it: `queue` renders the subject and both bodies inside
`in_language`. So a subject is handed over as a `Later` (or a lazy `_l`), worked out there, and
anything language-dependent in a template's context (a shift's time) is a `Later` too.

Links in emails are absolute: PUBLIC_BASE_URL from config.py (http://127.0.0.1:5000 by default;
in development the address `make run` serves, which follows PORT).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import settings
from coprod import policy
from coprod.errors import Conflict, FieldErrors
from coprod.i18n import SOURCE, _, _l, catalogue, current_language, in_language
from coprod.models import (
    ContributionLog,
    LogStatus,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Proposal,
    ProposalSupport,
    Qualification,
    Shift,
    Signup,
    SignupStatus,
    Task,
    User,
)
from coprod.services import audit, capacity
from coprod.services.localtime import format_day, format_short_day
from coprod.services.money import format_money, format_number
from coprod.services.text import has_control, one_line, storable

if TYPE_CHECKING:
    from flask_babel import LazyString

Kind = NotificationKind
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
MAX_SUBJECT = 150
MAX_BODY = 5000

# What each kind is called on the preferences page, in the order shown.
KIND_LABELS: dict[NotificationKind, LazyString] = {
    Kind.SIGNUP: _l("When I sign up for a shift or join its waiting list"),
    Kind.PROMOTED: _l("When a place opens up for me on a waiting list"),
    Kind.WAITLIST_SKIPPED: _l(
        "When a place on a waiting list goes to the next person because I lack a qualification"
    ),
    Kind.ASSIGNED: _l("When a coordinator assigns me to a shift"),
    Kind.SHIFT_CHANGED: _l("When a shift I am on changes time or is cancelled"),
    Kind.REMINDER: _l("A reminder before each of my shifts"),
    Kind.LOG_REVIEWED: _l("When my logged hours are approved, rejected or sent back"),
    Kind.ROSTER_MESSAGE: _l("Messages from coordinators to everyone on my shift"),
    Kind.REPORT_DIGEST: _l("Monthly report digests of programmes my organisations are partners in"),
    Kind.PROPOSAL_ANSWERED: _l("When the agency answers a proposal of mine"),
    Kind.SUPPORTED_ANSWERED: _l("When the agency answers a proposal I support"),
    Kind.EXPIRING: _l("When a qualification of mine is about to expire"),
    Kind.INVITATION: _l("When a coordinator invites me to a shift that needs people"),
    Kind.AGREEMENT: _l("When a partnership agreement asks my organisation to accept it"),
    Kind.DECISION: _l(
        "When a partnership decision opens for my organisation's vote, and its result"
    ),
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
        Kind.DATA_EXPORT,
    }
)


class Later:
    """Text worked out when it is shown, not when it is made: a subject or a shift's time,
    given to `queue` and turned into text inside the recipient's language."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __str__(self) -> str:
        return self._make()


if TYPE_CHECKING:
    from typing import TypeAlias

    Text: TypeAlias = str | Later | LazyString  # what `queue` takes as a subject


def _gettext(message: str) -> str:
    # Jinja's newstyle gettext fills the placeholders itself: hand it the bare translation.
    return _(message)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return str(catalogue(current_language()).ngettext(singular, plural, num))


def _quantity(value: Any) -> str:
    """Hours in an email: as they always were in English ("12.50"), the reader's way in
    another language ("12,5")."""
    return str(value) if current_language() == SOURCE else format_number(value)


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_gettext, ngettext=_ngettext, newstyle=True
)
_env.globals["current_language"] = current_language  # <html lang>
_env.filters["money"] = format_money  # {{ amount|money(programme.currency) }}, as on pages
_env.filters["local_date"] = format_short_day  # "28 Mar 2026", "28 mar 2026"
_env.filters["quantity"] = _quantity


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
    """The plain-text and HTML bodies of a kind of email, in the current language (`queue`
    calls it inside the recipient's)."""
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
    subject: Text,
    context: Mapping[str, Any],
    *,
    now: datetime,
    recipient: str | None = None,
) -> OutboxMessage | None:
    """Add one email to the outbox, unless the person is gone, does not want this kind, or it
    is already queued for this occasion. `recipient` sends it to another address of the
    person's (a new address to confirm) instead of their current one. The subject and both
    bodies are written in the person's language."""
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    key = dedupe_key(kind, occasion, user)
    if not wants(session, user, kind) or _queued(session, key):
        return None
    base = base_url()
    with in_language(user.language):
        title = str(subject)
        ctx = {
            "user": user,
            "subject": title,
            "base_url": base,
            "settings_url": f"{base}/account/notifications",
            **context,
        }
        text, html = render(kind, ctx)
    message = OutboxMessage(
        user_id=user.id,
        recipient=recipient or user.email,
        kind=kind,
        subject=one_line(title)[:200],
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


def when(shift: Shift) -> Later:
    """The shift's local time, in the language of the email it is shown in."""
    return Later(lambda: describe_time(shift))


def _shift_context(shift: Shift) -> dict[str, Any]:
    base = base_url()
    return {
        "shift": shift,
        "task": shift.task,
        "when": when(shift),
        "task_url": f"{base}/tasks/{shift.task_id}",
        "schedule_url": f"{base}/my/schedule",
        "shift_cancelled": False,
        "reason": "",
    }


def shift_context(shift: Shift) -> dict[str, Any]:
    """What the shared shift block of an email (_shift.txt, _shift.html) shows."""
    return _shift_context(shift)


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
        subject = Later(lambda: _("You have been assigned to “%(title)s”", title=title))
    elif waitlisted:
        subject = Later(lambda: _("You are on the waiting list for “%(title)s”", title=title))
    else:
        subject = Later(lambda: _("You are signed up for “%(title)s”", title=title))
    occasion = f"signup{signup.id}:{signup.status.value}:{_stamp(signup.queued_at)}"
    ctx = _shift_context(shift) | {"waitlisted": waitlisted, "signup": signup}
    return queue(session, signup.volunteer, kind, occasion, subject, ctx, now=now)


def promoted(session: Session, signup: Signup, *, now: datetime) -> OutboxMessage | None:
    """Tell a waitlisted volunteer that a place opened and it is theirs."""
    shift = signup.shift
    title = shift.task.title
    subject = Later(lambda: _("A place opened up: you are confirmed for “%(title)s”", title=title))
    occasion = f"signup{signup.id}:{_stamp(signup.queued_at)}"
    return queue(
        session, signup.volunteer, Kind.PROMOTED, occasion, subject, _shift_context(shift), now=now
    )


def waitlist_skipped(
    session: Session, signup: Signup, qualification: Qualification, *, now: datetime
) -> OutboxMessage | None:
    """Tell a waitlisted volunteer that a place went to the next person because they will not
    hold the qualification on the shift's day, and how to get it (once per sign-up and
    qualification)."""
    shift = signup.shift
    title = shift.task.title
    name = qualification.name
    subject = Later(
        lambda: _("A place on “%(title)s” went to the next person on the waiting list", title=title)
    )
    occasion = f"signup{signup.id}:qualification{qualification.id}"
    ctx = _shift_context(shift) | {
        "qualification": name,
        "day": Later(lambda: format_day(capacity.shift_day(shift))),
        "how_to_get": Later(lambda: capacity.how_to_get(qualification)),
    }
    return queue(session, signup.volunteer, Kind.WAITLIST_SKIPPED, occasion, subject, ctx, now=now)


def task_cancelled(
    session: Session, task: Task, cancelled: Iterable[Signup], *, now: datetime
) -> int:
    """Tell everyone whose sign-up was cancelled with the task."""
    n = 0
    title = task.title
    subject = Later(lambda: _("Cancelled: “%(title)s”", title=title))
    for signup in cancelled:
        ctx = _shift_context(signup.shift) | {"cancelled": True, "by_coordinator": False}
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
    title = shift.task.title
    subject = Later(
        lambda: _("Cancelled: “%(title)s” on %(when)s", title=title, when=describe_time(shift))
    )
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
    title = signup.shift.task.title
    subject = Later(lambda: _("Your place on “%(title)s” was cancelled", title=title))
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
    title = shift.task.title
    subject = Later(lambda: _("Time changed: “%(title)s”", title=title))
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
    title = shift.task.title
    subject = Later(
        lambda: _("Reminder: “%(title)s” on %(when)s", title=title, when=describe_time(shift))
    )
    return queue(
        session,
        signup.volunteer,
        Kind.REMINDER,
        reminder_occasion(signup),
        subject,
        _shift_context(shift),
        now=now,
    )


# Each decision's subject; %(title)s is the task's.
LOG_SUBJECTS: dict[LogStatus, LazyString] = {
    LogStatus.APPROVED: _l("Your logged hours were approved: “%(title)s”"),
    LogStatus.REJECTED: _l("Your logged hours were not accepted: “%(title)s”"),
    LogStatus.CHANGES_REQUESTED: _l("Changes requested on your logged hours: “%(title)s”"),
}


def log_reviewed(session: Session, log: ContributionLog, *, now: datetime) -> OutboxMessage | None:
    """Tell the contributor (or whoever logged on their behalf) the reviewer's decision."""
    if log.status not in LOG_SUBJECTS:
        return None
    person = log.contributor or log.created_by
    wording, title = LOG_SUBJECTS[log.status], log.task.title
    subject = Later(lambda: str(wording) % {"title": title})
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
        errs.add("subject", _("Enter a subject."))
    elif len(subject) > MAX_SUBJECT or has_control(subject):
        errs.add(
            "subject",
            _("The subject must be one line of at most %(max)d characters.", max=MAX_SUBJECT),
        )
    if not body:
        errs.add("body", _("Enter the message."))
    elif len(body) > MAX_BODY or not storable(body):
        errs.add("body", _("The message must be at most %(max)d characters.", max=MAX_BODY))
    errs.raise_if_any()
    people = list(
        session.scalars(
            select(Signup).where(
                Signup.shift_id == shift.id, Signup.status != SignupStatus.CANCELLED
            )
        )
    )
    if not people:
        raise Conflict(_("Nobody is on this roster yet, so there is nobody to write to."))
    entry = audit.record(
        session, actor, "shift.roster_message", shift, after={"subject": subject, "to": len(people)}
    )
    session.flush()
    ctx = _shift_context(shift) | {"sender": actor, "message": body}
    title = shift.task.title
    full = Later(lambda: _("%(subject)s (“%(title)s”)", subject=subject, title=title))
    return sum(
        queue(session, s.volunteer, Kind.ROSTER_MESSAGE, f"msg{entry.id}", full, ctx, now=now)
        is not None
        for s in people
    )


# --- proposals (coprod/services/engagement/proposals.py) ----------------------------------


def _proposal_context(proposal: Proposal) -> dict[str, Any]:
    from coprod.services.engagement import status_label

    base = base_url()
    return {
        "proposal": proposal,
        "status": Later(lambda: status_label(proposal.status)),
        "proposal_url": f"{base}/proposals/{proposal.id}",
        "task_url": f"{base}/tasks/{proposal.task_id}" if proposal.task_id else "",
    }


def _answer_occasion(proposal: Proposal) -> str:
    return f"proposal{proposal.id}:{proposal.status.value}:{_stamp(proposal.answered_at)}"


def proposal_answered(
    session: Session, proposal: Proposal, *, now: datetime
) -> OutboxMessage | None:
    """Tell the author the agency's answer to their proposal (and of their draft task)."""
    title = proposal.title
    subject = Later(lambda: _("Your proposal “%(title)s” has an answer", title=title))
    return queue(
        session,
        proposal.author,
        Kind.PROPOSAL_ANSWERED,
        _answer_occasion(proposal),
        subject,
        _proposal_context(proposal),
        now=now,
    )


def supporters_told(session: Session, proposal: Proposal, *, now: datetime) -> int:
    """Tell each supporter of the proposal the agency's answer: one email each per answer."""
    people = session.scalars(
        select(User)
        .join(ProposalSupport, ProposalSupport.user_id == User.id)
        .where(ProposalSupport.proposal_id == proposal.id)
        .order_by(ProposalSupport.id)
    )
    title = proposal.title
    subject = Later(lambda: _("A proposal you support has an answer: “%(title)s”", title=title))
    ctx = _proposal_context(proposal)
    occasion = _answer_occasion(proposal)
    return sum(
        queue(session, person, Kind.SUPPORTED_ANSWERED, occasion, subject, ctx, now=now) is not None
        for person in people
        if person.id != proposal.author_id
    )
