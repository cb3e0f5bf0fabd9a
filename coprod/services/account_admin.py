"""Site admins manage people's accounts: find them, deactivate and reactivate them, and send
them a password-reset link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import Membership, User
from coprod.services import account_emails, audit
from coprod.services.accounts import revoke_api_tokens
from coprod.services.pagination import Page, paginate
from coprod.services.text import clean_text, contains

MAX_QUERY = 200
MAX_REASON = 500


def list_accounts(
    session: Session, actor: User, q: str | None, page: int, per_page: int
) -> Page[User]:
    """Accounts whose name or email holds the words, by email, with their memberships."""
    policy.require(actor, "accounts.manage")
    stmt = (
        select(User)
        .where(User.deleted_at.is_(None))
        .options(selectinload(User.memberships).selectinload(Membership.organisation))
        .order_by(User.email, User.id)
    )
    words = (q or "").strip()[:MAX_QUERY]
    if words:
        stmt = stmt.where(contains(words, User.email, User.display_name))
    return paginate(session, stmt, page, per_page)


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
