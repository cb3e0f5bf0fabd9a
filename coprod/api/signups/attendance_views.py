"""Attendance: marking one sign-up, or a shift's sign-ups at once."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Id
from coprod.api.signups import blp
from coprod.api.signups._common import _one
from coprod.api.signups.schemas import SignupOut, signup_out
from coprod.db import db, utcnow
from coprod.services import signups


class AttendanceIn(ma.Schema):
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})


class AttendanceInData(TypedDict):
    """What `AttendanceIn` loads."""

    attended: bool


class AttendanceMark(ma.Schema):
    signup_id = Id(required=True)
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})


class AttendanceMarkData(TypedDict):
    """What `AttendanceMark` loads."""

    signup_id: int
    attended: bool


class ShiftAttendanceIn(ma.Schema):
    all = fields.Boolean(
        load_default=False,
        truthy={True},
        falsy={False},
        metadata={
            "description": "true: mark every confirmed volunteer not yet marked as attended "
            "(after the listed marks); those already marked stay as they are."
        },
    )
    signups = fields.List(
        fields.Nested(AttendanceMark),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Sign-ups of this shift to mark, each once."},
    )


class ShiftAttendanceInData(TypedDict):
    """What `ShiftAttendanceIn` loads."""

    all: bool
    signups: list[AttendanceMarkData]


class ShiftAttendanceOut(ma.Schema):
    shift_id = fields.Integer(required=True)
    items = fields.List(
        fields.Nested(SignupOut),
        required=True,
        metadata={"description": "The sign-ups marked by this request, in the order marked."},
    )
    unmarked = fields.Integer(
        required=True, metadata={"description": "Confirmed volunteers still without a mark."}
    )


@blp.route("/signups/<int:signup_id>/attendance", methods=["POST"])
@blp.arguments(AttendanceIn)
@blp.response(200, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def attendance(args: AttendanceInData, signup_id: int) -> ResponseReturnValue:
    """Once the shift has started, mark a seated volunteer as attended or no-show."""
    session, actor = db.session(), current_actor()
    signup = signups.get_signup(session, actor, signup_id, "signup.attendance")
    signups.mark_attendance(session, actor, signup, args["attended"], utcnow())
    session.commit()
    return _one(signup)


@blp.route("/shifts/<int:shift_id>/attendance", methods=["POST"])
@blp.arguments(ShiftAttendanceIn)
@blp.response(200, ShiftAttendanceOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def shift_attendance(args: ShiftAttendanceInData, shift_id: int) -> ResponseReturnValue:
    """Once the shift has started, mark the listed sign-ups attended or no-show and, with
    `all: true`, every confirmed volunteer still unmarked as attended; all or nothing (409
    before the start or for a sign-up that is not confirmed; 422 for an id not on the
    shift). Coordinators of the task and the lead agency's staff."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    marks = [(m["signup_id"], m["attended"]) for m in args["signups"]]
    marked = signups.mark_attendance_of(
        session, actor, shift, marks, utcnow(), others_attended=args["all"]
    )
    session.commit()
    return {
        "shift_id": shift.id,
        "items": [signup_out(s) for s in marked],
        "unmarked": signups.count_unmarked(session, shift),
    }
