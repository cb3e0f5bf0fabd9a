"""Registering an account and the signed-in person's own profile (read, change, delete)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import marshmallow as ma
from flask import current_app, url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.accounts import blp
from coprod.api.accounts.schemas import (
    Accepted,
    AccountIn,
    AccountInData,
    AccountOut,
    MembershipOut,
    account_out,
    memberships_out,
)
from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    Email,
    Line,
    Pattern,
)
from coprod.db import db, utcnow
from coprod.extensions import limiter
from coprod.i18n import _, _l, languages
from coprod.models import User
from coprod.services import account_deletion, accounts, profile, recovery

# The shape coprod.services.profile.clean_phone accepts (at least 3 digits), or empty.
PHONE_PATTERN = r"^(\+?[0-9][0-9 ()./-]*[0-9][0-9 ()./-]*[0-9][0-9 ()./-]*)?$"


class TranslatedPattern(Pattern):
    """A Pattern whose message (a lazy `_l` string) is said in the reader's language: the
    ValidationError gets a plain str (marshmallow takes any other object for a list of
    messages, and would split a lazy string into its letters)."""

    def __call__(self, value: str) -> str:
        try:
            return super().__call__(value)
        except ma.ValidationError:
            raise ma.ValidationError(str(self.message)) from None


class MeIn(ma.Schema):
    display_name = Line(
        max_len=accounts.MAX_NAME, metadata={"description": "Your name (not blank)."}
    )
    phone = fields.String(
        allow_none=True,
        validate=[
            TranslatedPattern(
                PHONE_PATTERN,
                _l("Enter a phone number like +44 20 7946 0000, or leave it empty."),
            ),
            validate.Length(max=profile.MAX_PHONE),
        ],
        metadata={"description": "Digits, spaces and + ( ) . / -; empty or null removes it."},
    )
    email = Email(
        metadata={
            "description": "A new address: it replaces the current one only once the link "
            "emailed to it is followed (see pending_email)."
        },
    )
    language = fields.String(
        allow_none=True,
        validate=validate.OneOf(["", *languages()]),
        metadata={
            "description": "The language of your pages and emails: a code from "
            f"{', '.join(languages())}; empty or null follows your browser."
        },
    )


class MeInData(TypedDict):
    """What `MeIn` loads."""

    display_name: NotRequired[str]
    phone: NotRequired[str | None]
    email: NotRequired[str]
    language: NotRequired[str | None]


class MeOut(AccountOut):
    phone = fields.String(allow_none=True, required=True)
    language = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The language you chose (null: your browser's)."},
    )
    email_confirmed = fields.Boolean(
        required=True,
        metadata={"description": "Signing up for shifts and logging hours need true."},
    )
    pending_email = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "A new address waiting for its confirmation link."},
    )
    is_site_admin = fields.Boolean(required=True)
    calendar_feed_url = fields.String(
        required=True, metadata={"description": "Your private iCalendar link: keep it private."}
    )
    memberships = fields.List(fields.Nested(MembershipOut), required=True)


@blp.route("/accounts", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"])
@blp.arguments(AccountIn)
@blp.response(202, Accepted)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def register(args: AccountInData) -> ResponseReturnValue:
    """Register a volunteer account. The answer is the same whether or not the address
    already has an account (its owner is emailed instead); a new account is emailed a
    confirmation link. Then create a token with POST /tokens."""
    session = db.session()
    recovery.register_or_notify(
        session,
        **args,
        secret=current_app.config["SECRET_KEY"],
        now=utcnow(),
        confirmation_required=current_app.config["EMAIL_CONFIRMATION_REQUIRED"],
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    session.commit()
    detail = _(
        "Check your email: we have sent a message to this address that says what to do next."
    )
    return {"detail": detail}, 202


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
@token_required
def me() -> ResponseReturnValue:
    """Your profile, your organisations with your roles there, and your calendar link."""
    return me_out(current_actor())


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MeIn)
@blp.response(200, MeOut)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_me(args: MeInData) -> ResponseReturnValue:
    """Change your name, phone, language or email address (a new address waits for its
    link)."""
    session, user = db.session(), current_actor()
    fields_given: dict[str, str | None] = {}
    if "display_name" in args:
        fields_given["display_name"] = args["display_name"]
    if "email" in args:
        fields_given["email"] = args["email"]
    if "phone" in args:
        fields_given["phone"] = args["phone"] or ""
    if "language" in args:
        fields_given["language"] = args["language"] or ""
    profile.update_profile(
        session, user, **fields_given, secret=current_app.config["SECRET_KEY"], now=utcnow()
    )
    session.commit()
    return me_out(user)


class DeleteMeIn(ma.Schema):
    password = fields.String(
        required=True,
        validate=validate.Length(max=1000),
        metadata={"description": "Your password, to confirm it is you."},
    )


class DeleteMeInData(TypedDict):
    """What `DeleteMeIn` loads."""

    password: str


@blp.route("/me", methods=["DELETE"])
@blp.arguments(DeleteMeIn)
@blp.response(204)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def delete_me(args: DeleteMeInData) -> None:
    """Delete your account: your name, contact details and notes are removed, your places on
    future shifts released, your tokens revoked; your approved hours stay in reports,
    credited to a former volunteer. 409 while you are an organisation's only admin."""
    session = db.session()
    account_deletion.delete_own_account(session, current_actor(), args["password"], now=utcnow())
    session.commit()
    return None


def me_out(user: User) -> dict[str, object]:
    return {
        **account_out(user),
        "phone": user.phone,
        "language": user.language,
        "email_confirmed": user.email_confirmed_at is not None,
        "pending_email": user.pending_email,
        "is_site_admin": user.is_site_admin,
        "calendar_feed_url": calendar_feed_url(user),
        "memberships": memberships_out(user),
    }


def calendar_feed_url(user: User) -> str:
    """The private feed link the web UI shows (its own feed route when installed, else the
    API's /api/v1/calendar/<token>.ics); both serve the same feed."""
    if "notifications.calendar_feed" in current_app.view_functions:
        return url_for("notifications.calendar_feed", token=user.calendar_token, _external=True)
    return url_for("api_calendar.feed", feed_token=user.calendar_token, _external=True)
