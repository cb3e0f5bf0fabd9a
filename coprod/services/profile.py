"""A person's own profile: their name, phone number and email address."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from coprod.errors import Conflict, FieldErrors, Invalid
from coprod.i18n import _, known_language, languages
from coprod.models import User
from coprod.services import account_emails, audit
from coprod.services.account_links import Purpose, expired, read_token
from coprod.services.accounts import MAX_NAME, get_user_by_email, normalise_email
from coprod.services.text import clean_text

MAX_PHONE = 40
PHONE = re.compile(rf"^\+?[0-9 ()./-]{{3,{MAX_PHONE}}}$")


@dataclass(frozen=True)
class ProfileChange:
    user: User
    email_pending: bool


def clean_phone(raw: str | None) -> str | None:
    """An optional phone number: digits, spaces and + ( ) . / - only."""
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > MAX_PHONE or not PHONE.match(value) or sum(c.isdigit() for c in value) < 3:
        raise Invalid("phone", _("Enter a phone number like +44 20 7946 0000, or leave it empty."))
    return value


def check_language(raw: str | None) -> str | None:
    """A language coprod speaks ("es"), or None (empty) to follow the browser."""
    code = (raw or "").strip()
    if not code:
        return None
    if known_language(code) is None:
        raise Invalid(
            "language",
            _("Choose one of the languages offered: %(codes)s.", codes=", ".join(languages())),
        )
    return code


def update_profile(
    session: Session,
    actor: User,
    *,
    display_name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    language: str | None = None,
    secret: str,
    now: datetime,
) -> ProfileChange:
    """Change the fields given (None: unchanged; an empty phone removes it). A new email
    address replaces the old one only once the link sent to it is followed; until then the
    old address stays in use."""
    errs = FieldErrors()
    name = actor.display_name
    if display_name is not None:
        name = errs.check(
            lambda: clean_text(
                display_name, "display_name", _("Your name"), max_len=MAX_NAME, required=True
            )
        )
    new_phone = actor.phone if phone is None else errs.check(lambda: clean_phone(phone))
    address = errs.check(lambda: normalise_email(email)) if email is not None else None
    lang = actor.language if language is None else errs.check(lambda: check_language(language))
    errs.raise_if_any()
    before = {"display_name": actor.display_name, "phone": actor.phone, "language": actor.language}
    actor.display_name, actor.phone, actor.language = name, new_phone, lang
    pending = address is not None and address != actor.email.lower()
    if pending:
        _ask_to_confirm(session, actor, address, secret=secret, now=now)  # type: ignore[arg-type]
    after = {"display_name": name, "phone": new_phone, "language": lang}
    if before != after or pending:
        audit.record(
            session,
            actor,
            "user.profile_changed",
            actor,
            before=before,
            after={**after, "pending_email": actor.pending_email},
            at=now,
        )
    return ProfileChange(user=actor, email_pending=pending)


def _ask_to_confirm(
    session: Session, actor: User, address: str, *, secret: str, now: datetime
) -> None:
    """Send the link to the new address; when it already has an account, its owner is told
    instead (the person asking sees the same answer, so addresses are not revealed)."""
    actor.pending_email = address
    owner = get_user_by_email(session, address)
    if owner is None:
        account_emails.confirm_new_address(session, actor, secret=secret, now=now)
    elif owner.is_active and owner.deleted_at is None:
        account_emails.address_taken(session, owner, secret=secret, now=now, registering=False)


def cancel_email_change(session: Session, actor: User, *, now: datetime) -> User:
    """Forget the address waiting for confirmation (its link stops working)."""
    if actor.pending_email is None:
        raise Conflict(_("No change of email address is waiting."))
    actor.pending_email = None
    audit.record(session, actor, "user.email_change_cancelled", actor, at=now)
    return actor


def read_email_change(session: Session, token: str, *, secret: str, now: datetime) -> User:
    """The person a live change-of-address link is for (Invalid("token") when it is dead)."""
    return read_token(session, secret, Purpose.CHANGE_EMAIL, token, now=now)


def confirm_email_change(session: Session, token: str, *, secret: str, now: datetime) -> User:
    """Follow the link sent to the new address: it replaces the old one, which is told."""
    user = read_token(session, secret, Purpose.CHANGE_EMAIL, token, now=now)
    new = user.pending_email
    if new is None:  # the fingerprint covers pending_email, so this cannot be reached
        raise Invalid("token", expired())
    other = get_user_by_email(session, new)
    if other is not None and other.id != user.id:
        raise Conflict(_("That email address now belongs to another account."))
    old = user.email
    user.email, user.pending_email = new, None
    user.email_confirmed_at = now
    audit.record(
        session,
        user,
        "user.email_changed",
        user,
        before={"email": old},
        after={"email": new},
        at=now,
    )
    account_emails.address_changed(session, user, old, now=now)
    return user
