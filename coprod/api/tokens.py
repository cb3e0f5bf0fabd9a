"""Personal access tokens: create one with email and password, list and revoke your own."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import Response, request, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Email, Line, PageArgs, PageArgsData, UTCDateTime, page_schema
from coprod.db import db, utcnow
from coprod.extensions import password_guess_limits
from coprod.models import ApiToken
from coprod.services import accounts, tokens

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1", description="Personal access tokens")


class TokenIn(ma.Schema):
    email = Email(required=True)
    password = fields.String(required=True, validate=ma.validate.Length(max=1000))
    name = Line(
        max_len=tokens.MAX_NAME, load_default="API token", metadata={"description": "A label."}
    )


class TokenInData(TypedDict):
    """What `TokenIn` loads."""

    email: str
    password: str
    name: str


class TokenOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = UTCDateTime(required=True)
    last_used_at = UTCDateTime(allow_none=True)


class TokenCreated(TokenOut):
    token = fields.String(
        required=True, metadata={"description": "The secret, shown this once; keep it safe."}
    )


TokenPage = page_schema(TokenOut, "TokenPage")


def _failed(response: Response) -> bool:
    """Only refused attempts count towards the limits (as on the login form)."""
    return bool(response.status_code != 201)


def _account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    # The same key as the sign-in form's: one budget of guesses per account (see extensions).
    return "account:" + (email.strip().lower() if isinstance(email, str) else "")


@blp.route("/tokens", methods=["POST"])
@password_guess_limits(_account_key, _failed)
@blp.arguments(TokenIn)
@blp.response(201, TokenCreated)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_token(args: TokenInData) -> ResponseReturnValue:
    """A new token for the account with this email and password (rate-limited like sign-in)."""
    session = db.session()
    user = accounts.authenticate(session, email=args["email"], password=args["password"])
    token, secret = tokens.create_token(session, user, args["name"])
    session.commit()
    body = {**_out(token), "token": secret}
    return body, 201, {"Location": url_for("api_tokens.get_token", token_id=token.id)}


@blp.route("/tokens", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, TokenPage)
@token_required
def list_tokens(args: PageArgsData) -> ResponseReturnValue:
    """Your tokens that still work, newest first."""
    page = tokens.list_tokens(db.session(), current_actor(), args["page"], args["per_page"])
    return {**page.__dict__, "items": [_out(t) for t in page.items]}


@blp.route("/tokens/<int:token_id>", methods=["GET"])
@blp.response(200, TokenOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_token(token_id: int) -> ResponseReturnValue:
    """One of your tokens (never its secret)."""
    return _out(tokens.get_token(db.session(), current_actor(), token_id))


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def revoke_token(token_id: int) -> None:
    """Revoke one of your tokens: it stops working at once."""
    session, actor = db.session(), current_actor()
    token = tokens.get_token(session, actor, token_id)
    tokens.revoke_token(session, actor, token, utcnow())
    session.commit()
    return None


def _out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
    }
