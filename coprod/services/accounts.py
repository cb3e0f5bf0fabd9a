"""Accounts: registration, signing in, passwords and site admins."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.models import User
from coprod.services import audit
from coprod.services.passwords import check_password_rules, hash_password, verify_password
from coprod.services.text import clean_text


def normalise_email(raw: str, field: str = "email") -> str:
    """A valid, lower-cased email address, or Invalid with a clear message."""
    raw = (raw or "").strip()
    if not raw:
        raise Invalid(field, "Enter an email address.")
    if len(raw) > 254:
        raise Invalid(field, "The email address is too long.")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(field, "Enter an email address like name@example.org.") from None


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def register(session: Session, *, email: str, password: str, display_name: str) -> User:
    """Create a volunteer account; email addresses are unique, case-insensitively."""
    errs = FieldErrors()
    email = errs.check(lambda: normalise_email(email))
    name = errs.check(
        lambda: clean_text(display_name, "display_name", "Your name", max_len=120, required=True)
    )
    errs.check(lambda: check_password_rules(password, email=email or ""))
    errs.raise_if_any()
    if get_user_by_email(session, email) is not None:
        raise Conflict("An account with this email address already exists.")
    user = User(email=email, display_name=name, password_hash=hash_password(password))
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("An account with this email address already exists.") from None
    audit.record(session, user, "user.registered", user, after={"email": email})
    return user


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active account with this email and password, or Invalid (never saying which)."""
    user = get_user_by_email(session, (email or "").strip())
    if not verify_password(user.password_hash if user else None, password or ""):
        raise Invalid("email", "The email address or password is not right.")
    assert user is not None
    if not user.is_active or user.deleted_at is not None:
        raise Invalid("email", "The email address or password is not right.")
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> User:
    """Change the password after checking the current one; other sessions stop working."""
    if not verify_password(user.password_hash, current or ""):
        raise Invalid("current_password", "Your current password is not right.")
    check_password_rules(new, email=user.email, field="new_password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(session, user, "user.password_changed", user)
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """Make every existing session of the user invalid (logout everywhere)."""
    user.session_version += 1


def create_admin(session: Session, *, email: str, password: str, display_name: str = "") -> User:
    """Create a site admin, or promote the existing account with that email."""
    email = normalise_email(email)
    user = get_user_by_email(session, email)
    if user is None:
        user = register(
            session, email=email, password=password, display_name=display_name or "Site admin"
        )
    else:
        check_password_rules(password, email=email)
        user.password_hash = hash_password(password)
    user.is_site_admin = True
    audit.record(session, None, "user.made_site_admin", user, after={"is_site_admin": True})
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such account.")
    return user
