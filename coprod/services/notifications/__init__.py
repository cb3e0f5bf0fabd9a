"""Notifications: every email is an outbox row added in the caller's transaction, rendered from
templates/emails/<kind>.txt and .html, only for people who want that kind, and never queued
twice for the same occasion (the row's unique dedupe key).

Each email is written in its recipient's language (user.language; English when they chose
none), whoever's request or job queues it: `queue` renders the subject and both bodies inside
`in_language`. So a subject is handed over as a `Later` (or a lazy `_l`), worked out there, and
anything language-dependent in a template's context (a shift's time) is a `Later` too.

Links in emails are absolute: PUBLIC_BASE_URL from config.py (http://127.0.0.1:5000 by default;
in development the address `make run` serves, which follows PORT)."""

from coprod.services.notifications._common import shift_context, when
from coprod.services.notifications.answers import (
    LOG_SUBJECTS,
    log_reviewed,
    proposal_answered,
    supporters_told,
)
from coprod.services.notifications.emails import (
    TEMPLATES,
    Later,
    base_url,
    dedupe_key,
    describe_time,
    queue,
    render,
)
from coprod.services.notifications.preferences import (
    ACCOUNT_KINDS,
    DEFAULT_OFF,
    KIND_LABELS,
    Kind,
    get_preferences,
    set_preferences,
    wants,
)
from coprod.services.notifications.roster import MAX_BODY, MAX_SUBJECT, message_roster
from coprod.services.notifications.shifts import (
    place_cancelled,
    promoted,
    reminder,
    reminder_occasion,
    shift_cancelled,
    shift_changed,
    signup_booked,
    task_cancelled,
    waitlist_skipped,
)

__all__ = [
    "ACCOUNT_KINDS",
    "DEFAULT_OFF",
    "KIND_LABELS",
    "LOG_SUBJECTS",
    "MAX_BODY",
    "MAX_SUBJECT",
    "TEMPLATES",
    "Kind",
    "Later",
    "base_url",
    "dedupe_key",
    "describe_time",
    "get_preferences",
    "log_reviewed",
    "message_roster",
    "place_cancelled",
    "promoted",
    "proposal_answered",
    "queue",
    "reminder",
    "reminder_occasion",
    "render",
    "set_preferences",
    "shift_cancelled",
    "shift_changed",
    "shift_context",
    "signup_booked",
    "supporters_told",
    "task_cancelled",
    "waitlist_skipped",
    "wants",
    "when",
]
