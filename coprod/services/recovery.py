"""Getting into an account again, and proving an address: registering without telling a
stranger whether an address has an account, forgotten passwords, confirmation links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import User
from coprod.services import account_emails, audit
from coprod.services.account_links import Purpose, read_token
from coprod.services.accounts import (
    PasswordChanged,
    check_registration,
    create_account,
    get_user_by_email,
    normalise_email,
    set_password,
)
from coprod.services.passwords import check_password_rules


def _can_sign_in(user: User | None) -> bool:
    return user is not None and user.is_active and user.deleted_at is None


def register_or_notify(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    secret: str,
    now: datetime,
    confirmation_required: bool = True,
    privacy_notice_version: str | None = None,
) -> User | None:
    """Register a new account and send its confirmation link; when the address already has
    an account, create nothing and tell its owner instead. The caller answers the same words
    either way, so registering never reveals whether an address has an account. Without
    `confirmation_required` a new account counts as confirmed at once. A new account records
    `privacy_notice_version`, the privacy notice the person accepted by registering."""
    new = check_registration(email=email, password=password, display_name=display_name)
    owner = get_user_by_email(session, new.email)
    if owner is None:
        try:
            user = create_account(
                session,
                new,
                confirmed_at=None if confirmation_required else now,
                privacy_notice_version=privacy_notice_version,
            )
        except Conflict:  # registered at this very moment by someone else
            return None
        if confirmation_required:
            account_emails.confirm_address(session, user, secret=secret, now=now)
        return user
    if _can_sign_in(owner):
        account_emails.address_taken(session, owner, secret=secret, now=now, registering=True)
    audit.record(session, None, "user.register_attempt_on_existing", owner, at=now)
    return None


def request_password_reset(session: Session, email: str, *, secret: str, now: datetime) -> str:
    """Email a single-use reset link (valid an hour) when the address has an account that
    may sign in; answer the same (the address, cleaned) when it has none."""
    address = normalise_email(email)
    user = get_user_by_email(session, address)
    if user is not None and _can_sign_in(user):
        account_emails.password_reset(session, user, secret=secret, now=now)
        audit.record(session, None, "user.password_reset_requested", user, at=now)
    return address


def get_reset_account(session: Session, token: str, *, secret: str, now: datetime) -> User:
    """The person a live reset link is for (Invalid("token") when it is dead)."""
    return read_token(session, secret, Purpose.RESET, token, now=now)


def reset_password(
    session: Session, token: str, password: str, *, secret: str, now: datetime
) -> PasswordChanged:
    """Set a new password from a reset link: the link dies with the old password, every
    session ends and every API token is revoked. Following the link proves the address."""
    user = get_reset_account(session, token, secret=secret, now=now)
    check_password_rules(password, email=user.email)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    return set_password(session, user, password, now=now, action="user.password_reset")


def confirm_email(session: Session, token: str, *, secret: str, now: datetime) -> User:
    """Confirm a new account's address from the emailed link (again: nothing changes)."""
    user = read_token(session, secret, Purpose.CONFIRM, token, now=now)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        audit.record(session, user, "user.email_confirmed", user, after={"email": user.email})
    return user


def read_confirmation(session: Session, token: str, *, secret: str, now: datetime) -> User:
    """The person a live confirmation link is for (Invalid("token") when it is dead)."""
    return read_token(session, secret, Purpose.CONFIRM, token, now=now)


def resend_confirmation(session: Session, actor: User, *, secret: str, now: datetime) -> None:
    """Send the confirmation link again to the signed-in person's address."""
    if actor.email_confirmed_at is not None:
        raise Conflict(_("Your email address is already confirmed."))
    account_emails.confirm_address(session, actor, secret=secret, now=now)
