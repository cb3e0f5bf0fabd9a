"""Private calendar feeds: each volunteer's confirmed shifts as iCalendar, behind a secret
link (User.calendar_token) they can reset."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _, in_language, known_language
from coprod.models import Shift, Signup, SignupStatus, User
from coprod.models.accounts import new_token
from coprod.services import audit

# Sign-ups that keep a place on the shift, and places a cancelled shift ended (shown with
# STATUS:CANCELLED, so calendar apps strike the event out); cancelled, waitlisted and no-show
# ones are left out.
IN_FEED = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.SHIFT_CANCELLED)


def get_feed_user(session: Session, token: str) -> User:
    """The active person whose calendar link holds this token, or NotFound."""
    user = session.scalar(select(User).where(User.calendar_token == token)) if token else None
    if user is None or not user.is_active or user.deleted_at is not None:
        raise NotFound(_("No calendar at this address. The link may have been reset."))
    return user


def feed_signups(session: Session, user: User) -> list[Signup]:
    return list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .join(Shift.task)
            .options(contains_eager(Signup.shift).contains_eager(Shift.task))
            .where(
                Signup.user_id == user.id,
                policy.visible_signups(user),
                Signup.status.in_(IN_FEED),
            )
            .order_by(Shift.starts_at, Signup.id)
        )
    )


def build_feed(session: Session, user: User, base_url: str) -> bytes:
    """The person's confirmed and attended shifts: one event per sign-up with a stable UID,
    start and end in UTC, the location and a link to the task. Its words are in the language
    the person chose (a calendar app fetches the feed without their session), else the
    request's."""
    base = base_url.rstrip("/")
    chosen = known_language(user.language)
    with in_language(chosen) if chosen else nullcontext():
        cal = Calendar()
        cal.add("prodid", "-//coprod//shift calendar//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", _("coprod: my shifts"))
        for signup in feed_signups(session, user):
            cal.add_component(_event(signup, base))
    feed: bytes = cal.to_ical()
    return feed


def _event(signup: Signup, base: str) -> Event:
    shift, task = signup.shift, signup.shift.task
    link = f"{base}/tasks/{task.id}"
    event = Event()
    event.add("uid", f"signup-{signup.id}@coprod")
    changed = max(signup.updated_at, shift.cancelled_at or signup.updated_at)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add(
        "summary", _("Cancelled: %(title)s", title=task.title) if shift.is_cancelled else task.title
    )
    if task.location:
        event.add("location", task.location)
    description = f"{task.description.strip()}\n\n{link}" if task.description.strip() else link
    if shift.is_cancelled:
        if shift.cancel_reason:
            said = _("This shift was cancelled. Reason: %(reason)s", reason=shift.cancel_reason)
        else:
            said = _("This shift was cancelled.")
        description = f"{said}\n\n{description}"
    event.add("description", description)
    event.add("url", link)
    event.add("status", "CANCELLED" if shift.is_cancelled else "CONFIRMED")
    return event


def reset_calendar_token(session: Session, actor: User, *, now: datetime) -> str:
    """A person replaces their calendar link; the old one stops working at once."""
    actor.calendar_token = new_token()
    session.flush()
    audit.record(session, actor, "user.calendar_link_reset", actor, at=now)
    return actor.calendar_token


__all__ = ["build_feed", "get_feed_user", "reset_calendar_token"]
