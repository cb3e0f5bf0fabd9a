"""Sign-ups: signing up (or joining the waitlist), assignments, rosters, cancelling, attendance.

One blueprint, `api_signups`; its operations live in the modules imported below, in the order
the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_signups", __name__, url_prefix="/api/v1", description="Sign-ups")

# isort: off
from coprod.api.signups import booking_views  # noqa: E402
from coprod.api.signups import mine_views  # noqa: E402
from coprod.api.signups import attendance_views  # noqa: E402

# isort: on
from coprod.api.signups.schemas import SignupOut, signup_out  # noqa: E402

__all__ = ["SignupOut", "attendance_views", "blp", "booking_views", "mine_views", "signup_out"]
