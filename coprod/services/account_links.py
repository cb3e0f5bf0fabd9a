"""Signed links in account emails (password reset, email confirmation, email change).

A link's token is signed with the app's secret and carries the person's id, when it was made
and a fingerprint of the account state it was made for. Nothing is stored: a reset link dies
when the password changes (its hash is in the fingerprint, so using the link kills it too), a
confirmation link when the address it confirms is no longer the one waiting, and every link
when it is older than its lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.orm import Session

from coprod.errors import Invalid
from coprod.i18n import _
from coprod.models import User


class Purpose(StrEnum):
    RESET = "reset"
    CONFIRM = "confirm"
    CHANGE_EMAIL = "change-email"


LIFETIME: dict[Purpose, timedelta] = {
    Purpose.RESET: timedelta(hours=1),
    Purpose.CONFIRM: timedelta(days=7),
    Purpose.CHANGE_EMAIL: timedelta(days=2),
}
MAX_TOKEN_LENGTH = 500


def expired() -> str:
    """What a dead link is told, in the reader's language."""
    return _("This link has expired or was already used. Ask for a new one.")


def _fingerprint(user: User, purpose: Purpose) -> str:
    """What must not have changed since the link was made."""
    if purpose == Purpose.RESET:
        state = f"{user.password_hash}|{user.email}|{user.is_active}"
    elif purpose == Purpose.CONFIRM:
        state = f"{user.email}"
    else:
        state = f"{user.email}|{user.pending_email}"
    return hashlib.sha256(f"{purpose.value}|{user.id}|{state}".encode()).hexdigest()[:32]


def _serializer(secret: str, purpose: Purpose) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=f"coprod-account-{purpose.value}")


def make_token(secret: str, purpose: Purpose, user: User, *, now: datetime) -> str:
    """A signed token for one purpose, valid for the purpose's lifetime from `now`."""
    payload = [user.id, int(now.timestamp()), _fingerprint(user, purpose)]
    return str(_serializer(secret, purpose).dumps(payload))


def read_token(
    session: Session, secret: str, purpose: Purpose, token: str, *, now: datetime
) -> User:
    """The person a live token was made for, or Invalid("token") saying the link is dead."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Invalid("token", expired())
    try:
        payload = _serializer(secret, purpose).loads(token)
        user_id, issued, fingerprint = int(payload[0]), int(payload[1]), str(payload[2])
    except (BadData, TypeError, ValueError, IndexError, KeyError, OverflowError):
        raise Invalid("token", expired()) from None
    age = now.timestamp() - issued
    if not -60 <= age <= LIFETIME[purpose].total_seconds():
        raise Invalid("token", expired())
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise Invalid("token", expired())
    if not hmac.compare_digest(fingerprint, _fingerprint(user, purpose)):
        raise Invalid("token", expired())
    return user
