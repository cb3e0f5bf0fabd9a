"""Which kinds of email a person receives: each kind as the preferences page names it, the
defaults, and the person's own choices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.i18n import _l
from coprod.models import NotificationKind, NotificationPreference, User
from coprod.services import audit

if TYPE_CHECKING:
    from flask_babel import LazyString

Kind = NotificationKind

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
