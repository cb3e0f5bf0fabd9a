"""The schemas of sign-ups, rosters and schedules, and how a sign-up is answered."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.fields import CursorArgs, CursorArgsData, Id, UTCDateTime, lazy_error, window_schema
from coprod.i18n import _l
from coprod.models import Signup, SignupStatus

STATUSES = [s.value for s in SignupStatus]


class SignupOut(ma.Schema):
    id = fields.Integer(required=True)
    shift_id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    waitlist_position = fields.Integer(
        allow_none=True, metadata={"description": "1 = next in line; null unless waitlisted."}
    )
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    queued_at = UTCDateTime(required=True)
    assigned_by_id = fields.Integer(allow_none=True)


class MissingQualification(ma.Schema):
    qualification_id = fields.Integer(required=True)
    name = fields.String(required=True)
    expired_on = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "The first day their latest award is no longer valid; null "
            "when they never held it."
        },
    )
    message = fields.String(required=True)


class RosterEntry(SignupOut):
    display_name = fields.String(required=True)
    email = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null when not shared: someone assigned who may not be."},
    )
    phone = fields.String(required=True, allow_none=True)
    missing_qualifications = fields.List(
        fields.Nested(MissingQualification),
        required=True,
        metadata={
            "description": "What the task requires that this person will not hold on the "
            "shift's day (confirmed or waitlisted, before the shift starts); empty when none."
        },
    )


class AssignIn(ma.Schema):
    user_id = Id(required=True)


class AssignInData(TypedDict):
    """What `AssignIn` loads."""

    user_id: int


class ScheduleArgs(CursorArgs):
    mine = fields.Boolean(
        load_default=True,
        validate=validate.OneOf(
            [True],
            error=lazy_error(
                _l("Only your own sign-ups are listed here; a roster is at /shifts/{{id}}/signups.")
            ),
        ),
        metadata={"description": "Your own schedule (the only list here): true."},
    )
    include_past = fields.Boolean(load_default=False)


class ScheduleArgsData(CursorArgsData):
    """What `ScheduleArgs` loads."""

    mine: bool
    include_past: bool


SignupPage = window_schema(SignupOut, "SignupWindow")
RosterPage = window_schema(RosterEntry, "RosterWindow")


def signup_out(signup: Signup, position: int | None = None) -> dict[str, object]:
    keys = ("id", "shift_id", "user_id", "queued_at", "assigned_by_id")
    return {
        **{k: getattr(signup, k) for k in keys},
        "task_id": signup.shift.task_id,
        "status": signup.status.value,
        "waitlist_position": position or None,
        "starts_at": signup.shift.starts_at,
        "ends_at": signup.shift.ends_at,
    }
