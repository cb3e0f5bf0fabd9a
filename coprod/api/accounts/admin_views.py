"""Site admins' list of accounts: deactivating, deleting and reactivating one."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields

from coprod.api.accounts import blp
from coprod.api.accounts.schemas import AccountOut, MembershipOut, account_out, memberships_out
from coprod.api.auth import current_actor, token_required
from coprod.api.fields import CursorArgs, CursorArgsData, Line, Text, window_out, window_schema
from coprod.db import db, utcnow
from coprod.models import User
from coprod.services import account_admin, account_deletion


class AccountsArgs(CursorArgs):
    q = Line(
        max_len=account_admin.MAX_QUERY,
        blank=True,
        metadata={"description": "Words in the name or email address."},
    )


class AccountsArgsData(CursorArgsData):
    """What `AccountsArgs` loads."""

    q: NotRequired[str]


class AdminAccountOut(AccountOut):
    is_active = fields.Boolean(required=True)
    deactivated_reason = fields.String(allow_none=True, required=True)
    email_confirmed = fields.Boolean(required=True)
    is_site_admin = fields.Boolean(required=True)
    memberships = fields.List(fields.Nested(MembershipOut), required=True)


class DeactivateIn(ma.Schema):
    reason = Text(
        max_len=account_admin.MAX_REASON,
        blank=False,
        required=True,
        metadata={"description": "Why (not blank)."},
    )


class DeactivateInData(TypedDict):
    """What `DeactivateIn` loads."""

    reason: str


AdminAccountPage = window_schema(AdminAccountOut, "AdminAccountWindow")


def admin_account_out(user: User) -> dict[str, object]:
    return {
        **account_out(user),
        "is_active": user.is_active,
        "deactivated_reason": user.deactivated_reason,
        "email_confirmed": user.email_confirmed_at is not None,
        "is_site_admin": user.is_site_admin,
        "memberships": memberships_out(user),
    }


@blp.route("/accounts", methods=["GET"])
@blp.arguments(AccountsArgs, location="query")
@blp.response(200, AdminAccountPage)
@blp.alt_response(403, response="FORBIDDEN")
@token_required
def list_accounts(args: AccountsArgsData) -> ResponseReturnValue:
    """Every account whose name or email holds `q`, by email (site admins). Read by cursor:
    follow `next` (null at the end); `page` numbers are not accepted."""
    found = account_admin.list_accounts(
        db.session(),
        current_actor(),
        args.get("q"),
        after=args["after"],
        per_page=args["per_page"],
    ).window
    items = [admin_account_out(u) for u in found.items]
    return window_out(found, items, "api_accounts.list_accounts")


@blp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@blp.arguments(DeactivateIn)
@blp.response(200, AdminAccountOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def deactivate(args: DeactivateInData, user_id: int) -> ResponseReturnValue:
    """Deactivate an account: its sessions end and its API tokens stop working at once."""
    session, actor = db.session(), current_actor()
    user = account_admin.get_account(session, actor, user_id)
    account_admin.deactivate(session, actor, user, args["reason"], now=utcnow())
    session.commit()
    return admin_account_out(user)


@blp.route("/accounts/<int:user_id>/delete", methods=["POST"])
@blp.arguments(DeactivateIn)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def delete_account(args: DeactivateInData, user_id: int) -> None:
    """Delete an account on its holder's request, with the reason (site admins; audited)."""
    session, actor = db.session(), current_actor()
    user = account_admin.get_account(session, actor, user_id)
    account_deletion.delete_on_request(session, actor, user, args["reason"], now=utcnow())
    session.commit()
    return None


@blp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
@blp.response(200, AdminAccountOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def reactivate(user_id: int) -> ResponseReturnValue:
    """Let a deactivated person sign in again (their old tokens stay revoked)."""
    session, actor = db.session(), current_actor()
    user = account_admin.get_account(session, actor, user_id)
    account_admin.reactivate(session, actor, user, now=utcnow())
    session.commit()
    return admin_account_out(user)
