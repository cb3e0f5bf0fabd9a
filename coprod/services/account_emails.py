"""The emails about an account itself: reset links, confirmation links, notices. Each is an
outbox row in the caller's transaction; no notification preference turns them off. Each is
written in the person's language (notifications.queue): subjects are lazy (`_l`, `Later`)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.i18n import _, _l
from coprod.models import Membership, NotificationKind, Organisation, OutboxMessage, Role, User
from coprod.services import notifications
from coprod.services.account_links import Purpose, make_token

Kind = NotificationKind


def _occasion(label: str, now: datetime) -> str:
    # Every request is its own email (the rate limits bound how many), so the key is unique.
    return f"{label}:{now.isoformat()}:{secrets.token_hex(6)}"


def reset_url(secret: str, user: User, *, now: datetime) -> str:
    token = make_token(secret, Purpose.RESET, user, now=now)
    return f"{notifications.base_url()}/reset-password/{token}"


def password_reset(
    session: Session, user: User, *, secret: str, now: datetime, by_admin: bool = False
) -> OutboxMessage | None:
    """A single-use link to set a new password, valid for an hour."""
    ctx = {"reset_url": reset_url(secret, user, now=now), "by_admin": by_admin}
    return notifications.queue(
        session,
        user,
        Kind.PASSWORD_RESET,
        _occasion("reset", now),
        _l("Set a new password for coprod"),
        ctx,
        now=now,
    )


def confirm_address(
    session: Session, user: User, *, secret: str, now: datetime
) -> OutboxMessage | None:
    """The link that confirms a new account's address."""
    token = make_token(secret, Purpose.CONFIRM, user, now=now)
    ctx = {
        "confirm_url": f"{notifications.base_url()}/confirm-email/{token}",
        "new_account": True,
        "taken": False,
    }
    subject = _l("Confirm your email address for coprod")
    return notifications.queue(
        session, user, Kind.CONFIRM_EMAIL, _occasion("confirm", now), subject, ctx, now=now
    )


def confirm_new_address(
    session: Session, user: User, *, secret: str, now: datetime
) -> OutboxMessage | None:
    """The link, sent to the address the person wants to move to, that makes the move."""
    token = make_token(secret, Purpose.CHANGE_EMAIL, user, now=now)
    ctx = {
        "confirm_url": f"{notifications.base_url()}/account/email/{token}",
        "new_account": False,
        "taken": False,
    }
    return notifications.queue(
        session,
        user,
        Kind.CONFIRM_EMAIL,
        _occasion("change-email", now),
        _l("Confirm your new email address for coprod"),
        ctx,
        now=now,
        recipient=user.pending_email,
    )


def address_taken(
    session: Session, owner: User, *, secret: str, now: datetime, registering: bool
) -> OutboxMessage | None:
    """Tell the owner of an address that someone tried to register with it (or to move
    another account to it), with a reset link in case it was them and they forgot."""
    ctx = {"reset_url": reset_url(secret, owner, now=now), "registering": registering}
    return notifications.queue(
        session,
        owner,
        Kind.REGISTER_ATTEMPT,
        _occasion("taken", now),
        _l("Someone tried to use your email address on coprod"),
        ctx,
        now=now,
    )


def address_changed(
    session: Session, user: User, old_address: str, *, now: datetime
) -> OutboxMessage | None:
    """Tell the old address that the account now uses another one."""
    ctx = {"old_address": old_address, "new_address": user.email}
    return notifications.queue(
        session,
        user,
        Kind.EMAIL_CHANGED,
        _occasion("changed", now),
        _l("Your coprod email address was changed"),
        ctx,
        now=now,
        recipient=old_address,
    )


def organisation_declined(session: Session, org: Organisation, *, now: datetime) -> int:
    """Tell each admin of the organisation that a site admin declined to verify it, and why."""
    admins = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id, Membership.role == Role.ADMIN)
        .order_by(User.id)
    )
    ctx = {"org": org, "reason": org.decline_reason or "", "org_url": _org_url(org)}
    name = org.name
    subject = notifications.Later(lambda: _("%(name)s was not verified", name=name))
    occasion = f"org{org.id}:declined:{(org.declined_at or now).isoformat()}"
    return sum(
        notifications.queue(session, u, Kind.ORG_DECLINED, occasion, subject, ctx, now=now)
        is not None
        for u in admins
    )


def _org_url(org: Organisation) -> str:
    return f"{notifications.base_url()}/orgs/{org.id}"
