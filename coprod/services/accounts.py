"""Accounts: registration, signing in, passwords and site admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod.db import utcnow
from coprod.errors import Conflict, FieldErrors, Invalid, NotAllowed, NotFound
from coprod.i18n import SOURCE, _, current_language
from coprod.models import ApiToken, User
from coprod.services import audit
from coprod.services.passwords import check_password_rules, hash_password, verify_password
from coprod.services.text import clean_text

MAX_NAME = 120  # a person's display name (registration, profile, API)


def normalise_email(raw: str, field: str = "email") -> str:
    """A valid, lower-cased email address, or Invalid with a clear message."""
    raw = (raw or "").strip()
    if not raw:
        raise Invalid(field, _("Enter an email address."))
    if len(raw) > 254:
        raise Invalid(field, _("The email address is too long."))
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(field, _("Enter an email address like name@example.org.")) from None


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


class EmailNotConfirmed(NotAllowed):
    """The person has not confirmed their email address yet (they may browse and sign in)."""

    title = "Email address not confirmed"  # translated where it is shown (coprod.web)


def require_confirmed(user: User) -> None:
    """Signing up for shifts and logging hours need a confirmed email address."""
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed(
            _(
                "Confirm your email address first: follow the link we emailed you, or ask for "
                "a new link on your account page."
            )
        )


@dataclass(frozen=True)
class NewAccount:
    """What registering gives: the email and password checked (and hashed), the name."""

    email: str
    display_name: str
    password_hash: str


def check_registration(*, email: str, password: str, display_name: str) -> NewAccount:
    """Every field of a registration checked at once; the password is hashed here, so an
    address that already has an account costs as much time as a new one."""
    errs = FieldErrors()
    email = errs.check(lambda: normalise_email(email))
    name = errs.check(
        lambda: clean_text(
            display_name, "display_name", _("Your name"), max_len=MAX_NAME, required=True
        )
    )
    errs.check(lambda: check_password_rules(password, email=email or ""))
    errs.raise_if_any()
    return NewAccount(email=email, display_name=name, password_hash=hash_password(password))


def register(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    confirmed_at: datetime | None = None,
    privacy_notice_version: str | None = None,
) -> User:
    """Create a volunteer account; email addresses are unique, case-insensitively (Conflict:
    for operators and tools; the public door is coprod.services.recovery.register_or_notify)."""
    new = check_registration(email=email, password=password, display_name=display_name)
    return create_account(
        session, new, confirmed_at=confirmed_at, privacy_notice_version=privacy_notice_version
    )


def create_account(
    session: Session,
    new: NewAccount,
    *,
    confirmed_at: datetime | None = None,
    privacy_notice_version: str | None = None,
) -> User:
    """Store a checked registration; Conflict when the address already has an account. A
    person who registers in a language other than English keeps it (their confirmation email
    and their pages follow it); in English they follow their browser, as before. The version
    of the privacy notice they accepted by registering is kept with the account."""
    email = new.email
    if get_user_by_email(session, email) is not None:
        raise Conflict(_("An account with this email address already exists."))
    user = User(
        email=email,
        display_name=new.display_name,
        password_hash=new.password_hash,
        email_confirmed_at=confirmed_at,
        language=_registering_language(),
        privacy_notice_version=privacy_notice_version,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_("An account with this email address already exists.")) from None
    audit.record(session, user, "user.registered", user, after={"email": email})
    return user


def _registering_language() -> str | None:
    code = current_language()
    return code if code != SOURCE else None


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active account with this email and password, or Invalid (never saying which)."""
    user = get_user_by_email(session, (email or "").strip())
    if not verify_password(user.password_hash if user else None, password or ""):
        raise Invalid("email", _("The email address or password is not right."))
    assert user is not None
    if not user.is_active or user.deleted_at is not None:
        raise Invalid("email", _("The email address or password is not right."))
    user.last_seen_at = utcnow()
    return user


@dataclass(frozen=True)
class PasswordChanged:
    user: User
    tokens_revoked: int


def change_password(
    session: Session, user: User, *, current: str, new: str, now: datetime
) -> PasswordChanged:
    """Change the password after checking the current one; other sessions stop working and
    the person's API tokens are revoked (they create new ones)."""
    if not verify_password(user.password_hash, current or ""):
        raise Invalid("current_password", _("Your current password is not right."))
    check_password_rules(new, email=user.email, field="new_password")
    return set_password(session, user, new, now=now, action="user.password_changed")


def set_password(
    session: Session, user: User, new: str, *, now: datetime, action: str
) -> PasswordChanged:
    """Store a new (already checked) password: every session ends, every API token is
    revoked, and an audit row says how it happened."""
    user.password_hash = hash_password(new)
    user.session_version += 1
    revoked = revoke_api_tokens(session, user, now=now)
    audit.record(session, user, action, user, after={"api_tokens_revoked": revoked}, at=now)
    return PasswordChanged(user=user, tokens_revoked=revoked)


def revoke_api_tokens(session: Session, user: User, *, now: datetime) -> int:
    """Revoke every working API token of the person; how many were revoked."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def end_all_sessions(session: Session, user: User) -> None:
    """Make every existing session of the user invalid (logout everywhere)."""
    user.session_version += 1


def create_admin(session: Session, *, email: str, password: str, display_name: str = "") -> User:
    """Create a site admin, or promote the existing account with that email."""
    email = normalise_email(email)
    user = get_user_by_email(session, email)
    if user is None:
        user = register(
            session,
            email=email,
            password=password,
            display_name=display_name or "Site admin",
            confirmed_at=utcnow(),
        )
    else:
        check_password_rules(password, email=email)
        user.password_hash = hash_password(password)
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.is_site_admin = True
    audit.record(session, None, "user.made_site_admin", user, after={"is_site_admin": True})
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(_("No such account."))
    return user
