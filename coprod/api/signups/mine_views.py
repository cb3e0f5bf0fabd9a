"""Your own sign-ups: your schedule, one sign-up, and cancelling it."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import window_out
from coprod.api.signups import blp
from coprod.api.signups._common import _one
from coprod.api.signups.schemas import (
    ScheduleArgs,
    ScheduleArgsData,
    SignupOut,
    SignupPage,
    signup_out,
)
from coprod.db import db, utcnow
from coprod.errors import Invalid
from coprod.i18n import _
from coprod.services import signups


@blp.route("/signups", methods=["GET"])
@blp.arguments(ScheduleArgs, location="query")
@blp.response(200, SignupPage)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def my_schedule(args: ScheduleArgsData) -> ResponseReturnValue:
    """Your schedule: upcoming shifts soonest first (and past ones with include_past, newest
    first). Read by cursor: follow `next` (null at the end)."""
    if not args["mine"]:
        raise Invalid(
            "mine",
            _("Only your own sign-ups are listed here; a roster is at /shifts/{id}/signups."),
        )
    session = db.session()
    page = signups.list_my_schedule(
        session,
        current_actor(),
        utcnow(),
        after=args["after"],
        per_page=args["per_page"],
        include_past=args["include_past"],
    )
    positions = signups.waitlist_positions(session, page.items)
    items = [signup_out(s, positions.get(s.id)) for s in page.items]
    return window_out(page, items, "api_signups.my_schedule")


@blp.route("/signups/<int:signup_id>", methods=["GET"])
@blp.response(200, SignupOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_signup(signup_id: int) -> ResponseReturnValue:
    """One sign-up: yours, or one on a roster you keep."""
    # Someone else's sign-up does not exist for you (NotFound).
    return _one(signups.get_signup(db.session(), current_actor(), signup_id, "signup.view"))


@blp.route("/signups/<int:signup_id>/cancel", methods=["POST"])
@blp.response(200, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def cancel(signup_id: int) -> ResponseReturnValue:
    """Cancel before the shift starts; the freed place goes to the oldest on the waitlist."""
    session, actor = db.session(), current_actor()
    signup = signups.get_signup(session, actor, signup_id, "signup.cancel")
    signups.cancel(session, actor, signup, utcnow())
    session.commit()
    return _one(signup)
