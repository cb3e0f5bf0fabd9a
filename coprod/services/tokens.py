"""Personal access tokens for the API: created with a name, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import ApiToken, User
from coprod.services import audit
from coprod.services.pagination import Page, paginate
from coprod.services.text import clean_text

PREFIX = "cpt_"
TOUCH_EVERY = timedelta(hours=1)
MAX_NAME = 100


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a token's secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user, named by them; its secret is returned once, never stored."""
    label = clean_text(name, "name", _("The token's name"), max_len=MAX_NAME, required=True)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=label, token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    audit.record(session, user, "api_token.created", token, after={"name": label})
    return token, secret


def authenticate_token(session: Session, secret: str, now: datetime) -> User | None:
    """The active owner of an unrevoked token with this secret, or None (revoked: None)."""
    if not secret or len(secret) > 200:
        return None
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_secret(secret), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None:
        return None
    user = token.user
    if not user.is_active or user.deleted_at is not None:
        return None
    # Record the last use at most once an hour, so reading stays (nearly) write-free.
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return user


def list_tokens(session: Session, user: User, page: int, per_page: int) -> Page[ApiToken]:
    """The user's tokens that still work, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def get_token(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens (another person's token does not exist for them)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("No such token."))
    return token


def revoke_token(session: Session, user: User, token: ApiToken, now: datetime) -> ApiToken:
    """Only the owner revokes a token; a revoked token stops working at once."""
    if token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = now
    audit.record(
        session,
        user,
        "api_token.revoked",
        token,
        before={"revoked_at": None},
        after={"name": token.name},
    )
    return token
