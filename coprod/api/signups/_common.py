"""Helpers the sign-up operations share: one sign-up answered with its waitlist place."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from coprod.api.signups.schemas import signup_out
from coprod.db import db
from coprod.models import Signup
from coprod.services import signups


def _one(signup: Signup) -> dict[str, object]:
    return signup_out(signup, signups.waitlist_position(db.session(), signup))


def _created(signup: Signup) -> ResponseReturnValue:
    location = url_for("api_signups.get_signup", signup_id=signup.id)
    return _one(signup), 201, {"Location": location}
