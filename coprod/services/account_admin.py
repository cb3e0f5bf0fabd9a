"""Site admins manage people's accounts: find them, deactivate and reactivate them, and send
them a password-reset link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import Membership, User
from coprod.services import account_emails, audit
from coprod.services.accounts import revoke_api_tokens
from coprod.services.keyset import Count, Key, Window, capped_count, window
from coprod.services.text import clean_text, contains

MAX_QUERY = 200
MAX_REASON = 500


# By email, the id last (emails are unique, so it never decides): the unique index on email
# serves the order and the window's start.
ACCOUNT_KEYS = (Key(User.email.expression, str), Key(User.id.expression))


@dataclass(frozen=True)
class AccountList:
    """A window of accounts, and (for the admin page) how many match, counted up to a cap."""

    window: Window[User]
    count: Count | None


def list_accounts(
    session: Session,
    actor: User,
    q: str | None,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    counted: bool = False,
) -> AccountList:
    """Accounts whose name or email holds the words, by email, with their memberships: the
    window after (or before) a cursor; with `counted`, their number up to a cap."""
    policy.require(actor, "accounts.manage")
    stmt = select(User).where(User.deleted_at.is_(None))
    words = (q or "").strip()[:MAX_QUERY]
    if words:
        stmt = stmt.where(contains(words, User.email, User.display_name))
    found = window(
        session,
        stmt.options(selectinload(User.memberships).selectinload(Membership.organisation)),
        ACCOUNT_KEYS,
        after=after,
        before=before,
        per_page=per_page,
    )
    count = None
    if counted:
        if found.first and not found.has_next:  # the whole list is on this window
            count = Count(n=len(found.items), more=False)
        else:
            count = capped_count(session, stmt.with_only_columns(User.id))
    return AccountList(window=found, count=count)


def get_account(session: Session, actor: User, user_id: int) -> User:
    policy.require(actor, "accounts.manage")
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_("No such account."))
    return user


def deactivate(session: Session, actor: User, user: User, reason: str, *, now: datetime) -> User:
    """Stop an account at once: its sessions end and its API tokens are revoked; the reason is
    kept and audited. A site admin cannot deactivate themself."""
    policy.require(actor, "accounts.manage")
    why = clean_text(
        reason, "reason", _("The reason"), max_len=MAX_REASON, required=True, multiline=True
    )
    if user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise Conflict(_("%(person)s's account is already deactivated.", person=user.display_name))
    user.is_active = False
    user.deactivated_reason = why
    user.session_version += 1
    revoked = revoke_api_tokens(session, user, now=now)
    audit.record(
        session,
        actor,
        "user.deactivated",
        user,
        before={"is_active": True},
        after={"is_active": False, "reason": why, "api_tokens_revoked": revoked},
        at=now,
    )
    return user


def reactivate(session: Session, actor: User, user: User, *, now: datetime) -> User:
    """Let a deactivated person sign in again (their old API tokens stay revoked)."""
    policy.require(actor, "accounts.manage")
    if user.is_active:
        raise Conflict(_("%(person)s's account is already active.", person=user.display_name))
    user.is_active = True
    audit.record(
        session,
        actor,
        "user.reactivated",
        user,
        before={"is_active": False},
        after={"is_active": True},
        at=now,
    )
    return user


def send_password_reset(
    session: Session, actor: User, user: User, *, secret: str, now: datetime
) -> User:
    """Email the person a password-reset link (the link itself never shows to the admin)."""
    policy.require(actor, "accounts.manage")
    if not user.is_active:
        raise Conflict(_("Reactivate the account first: a deactivated account cannot sign in."))
    account_emails.password_reset(session, user, secret=secret, now=now, by_admin=True)
    audit.record(session, actor, "user.password_reset_sent", user, at=now)
    return user
