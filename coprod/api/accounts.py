"""Registering an account, and the signed-in person's own profile."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, url_for
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Email, Line, Password, UTCDateTime
from coprod.db import db
from coprod.extensions import limiter
from coprod.models import User
from coprod.services import accounts
from coprod.services.organisations import ROLE_ORDER

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Accounts")


class AccountIn(ma.Schema):
    email = Email(required=True)
    password = Password(required=True)
    display_name = Line(max_len=120, required=True)


class AccountOut(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    created_at = UTCDateTime(required=True)


class MembershipOut(ma.Schema):
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class MeOut(AccountOut):
    is_site_admin = fields.Boolean(required=True)
    calendar_feed_url = fields.String(
        required=True, metadata={"description": "Your private iCalendar link: keep it private."}
    )
    memberships = fields.List(fields.Nested(MembershipOut), required=True)


def account_out(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "created_at": user.created_at,
    }


@blp.route("/accounts", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"])
@blp.arguments(AccountIn)
@blp.response(201, AccountOut)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def register(args: dict[str, Any]) -> Any:
    """Register a volunteer account (then create a token with POST /tokens)."""
    session = db.session()
    user = accounts.register(session, **args)
    session.commit()
    return account_out(user), 201, {"Location": url_for("api_accounts.me")}


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
@token_required
def me() -> Any:
    """Your profile, your organisations with your roles there, and your calendar link."""
    user = current_actor()
    by_org: dict[int, Any] = {}
    for m in user.memberships:
        entry = by_org.setdefault(
            m.organisation_id,
            {"organisation_id": m.organisation_id, "organisation_name": m.organisation.name},
        )
        entry.setdefault("held", set()).add(m.role)
    memberships = [
        {**{k: v for k, v in e.items() if k != "held"}, "roles": _roles(e["held"])}
        for e in sorted(by_org.values(), key=lambda e: e["organisation_name"])
    ]
    return {
        **account_out(user),
        "is_site_admin": user.is_site_admin,
        "calendar_feed_url": calendar_feed_url(user),
        "memberships": memberships,
    }


def calendar_feed_url(user: User) -> str:
    """The private feed link the web UI shows (its own feed route when installed, else the
    API's /api/v1/calendar/<token>.ics); both serve the same feed."""
    if "notifications.calendar_feed" in current_app.view_functions:
        return url_for("notifications.calendar_feed", token=user.calendar_token, _external=True)
    return url_for("api_calendar.feed", feed_token=user.calendar_token, _external=True)


def _roles(held: set[Any]) -> list[str]:
    return [r.value for r in ROLE_ORDER if r in held]
