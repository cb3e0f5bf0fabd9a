"""Forgotten passwords and email confirmation over the API (the same services as the web)."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.accounts import Accepted
from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Email, Password
from coprod.db import db, utcnow
from coprod.extensions import email_limits
from coprod.i18n import _
from coprod.services import recovery
from coprod.services.tokens import hash_secret

blp = Blueprint(
    "api_recovery", __name__, url_prefix="/api/v1", description="Password resets and confirmation"
)


class ResetRequestIn(ma.Schema):
    email = Email(required=True)


class ResetRequestInData(TypedDict):
    """What `ResetRequestIn` loads."""

    email: str


class ResetIn(ma.Schema):
    password = Password(required=True)


class ResetInData(TypedDict):
    """What `ResetIn` loads."""

    password: str


class ResetDone(ma.Schema):
    detail = fields.String(required=True)
    api_tokens_revoked = fields.Integer(
        required=True, metadata={"description": "How many of your tokens stopped working."}
    )


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _email_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    # The same key as the web form's: one budget per address, whichever door is used.
    return "email:" + (email.strip().lower() if isinstance(email, str) else "")


def _bearer_key() -> str:
    # Limits run before the token is looked up, so the key is the token itself (hashed).
    return "bearer:" + hash_secret(request.headers.get("Authorization", ""))


@blp.route("/password-resets", methods=["POST"])
@email_limits(_email_key)
@blp.arguments(ResetRequestIn)
@blp.response(202, Accepted)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def request_reset(args: ResetRequestInData) -> ResponseReturnValue:
    """Email a password-reset link to the address if it has an account; the answer is the
    same whether or not it has one."""
    session = db.session()
    recovery.request_password_reset(session, args["email"], secret=_secret(), now=utcnow())
    session.commit()
    detail = _(
        "If this address has an account, a link to set a new password is on its way. "
        "It works once, for one hour."
    )
    return {"detail": detail}, 202


@blp.route("/password-resets/<token>", methods=["POST"])
@blp.arguments(ResetIn)
@blp.response(200, ResetDone)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def reset(args: ResetInData, token: str) -> ResponseReturnValue:
    """Set a new password with the emailed link's token: every session ends and every API
    token is revoked (create new ones with POST /tokens). A dead link is 422 on `token`."""
    session = db.session()
    changed = recovery.reset_password(
        session, token, args["password"], secret=_secret(), now=utcnow()
    )
    session.commit()
    detail = _("Your password is set. Every session is signed out and your API tokens revoked.")
    return {"detail": detail, "api_tokens_revoked": changed.tokens_revoked}


@blp.route("/email-confirmations/<token>", methods=["POST"])
@blp.response(200, Accepted)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def confirm(token: str) -> ResponseReturnValue:
    """Confirm an account's email address with the emailed link's token."""
    session = db.session()
    user = recovery.confirm_email(session, token, secret=_secret(), now=utcnow())
    session.commit()
    return {"detail": _("%(email)s is confirmed.", email=user.email)}


@blp.route("/me/email-confirmation", methods=["POST"])
@email_limits(_bearer_key)
@blp.response(202, Accepted)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def resend() -> ResponseReturnValue:
    """Send the confirmation link to your address again (409 when already confirmed)."""
    session, user = db.session(), current_actor()
    recovery.resend_confirmation(session, user, secret=_secret(), now=utcnow())
    session.commit()
    detail = _("A new confirmation link is on its way to %(email)s.", email=user.email)
    return {"detail": detail}, 202
