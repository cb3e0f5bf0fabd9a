"""Sign-ups: signing up (or joining the waitlist), assignments, rosters, cancelling, attendance."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    CursorArgs,
    Id,
    UTCDateTime,
    lazy_error,
    window_out,
    window_schema,
)
from coprod.db import db, utcnow
from coprod.errors import Invalid
from coprod.i18n import _, _l
from coprod.models import Signup, SignupStatus
from coprod.services import signups
from coprod.services.capacity import rosters

blp = Blueprint("api_signups", __name__, url_prefix="/api/v1", description="Sign-ups")

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


class AttendanceIn(ma.Schema):
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})


class AttendanceMark(ma.Schema):
    signup_id = Id(required=True)
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})


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


SignupPage = window_schema(SignupOut, "SignupWindow")
RosterPage = window_schema(RosterEntry, "RosterWindow")


def signup_out(signup: Signup, position: int | None = None) -> dict[str, Any]:
    keys = ("id", "shift_id", "user_id", "queued_at", "assigned_by_id")
    return {
        **{k: getattr(signup, k) for k in keys},
        "task_id": signup.shift.task_id,
        "status": signup.status.value,
        "waitlist_position": position or None,
        "starts_at": signup.shift.starts_at,
        "ends_at": signup.shift.ends_at,
    }


def _one(signup: Signup) -> dict[str, Any]:
    return signup_out(signup, signups.waitlist_position(db.session(), signup))


def _created(signup: Signup) -> ResponseReturnValue:
    location = url_for("api_signups.get_signup", signup_id=signup.id)
    return _one(signup), 201, {"Location": location}


@blp.route("/shifts/<int:shift_id>/signups", methods=["POST"])
@blp.response(201, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def sign_up(shift_id: int) -> ResponseReturnValue:
    """Sign yourself up: `confirmed`, or `waitlisted` when the shift is full (not an error).
    Twice for one shift, or an overlapping shift, is 409. Without a qualification the task
    requires, valid on the shift's day, 422 on `qualification`, whose problem names it (and
    how to get it) in `detail` and gives its id as the extension member `qualification_id`."""
    session = db.session()
    shift = signups.get_shift(session, current_actor(), shift_id)
    signup = signups.sign_up(session, current_actor(), shift, utcnow())
    session.commit()
    return _created(signup)


@blp.route("/shifts/<int:shift_id>/assignments", methods=["POST"])
@blp.arguments(AssignIn)
@blp.response(201, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def assign(args: dict[str, Any], shift_id: int) -> ResponseReturnValue:
    """A coordinator of the task or the lead agency's staff book a volunteer, same rules: a
    member of the coordinating organisation, or someone who signed up to the programme
    before; any other id is answered as an unknown one (422 on `user_id`). Someone without a
    required qualification on the shift's day: 422 on `qualification` with `qualification_id`."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    signup = signups.assign_by_id(session, actor, shift, args["user_id"], utcnow())
    session.commit()
    return _created(signup)


@blp.route("/shifts/<int:shift_id>/signups", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, RosterPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def roster(args: dict[str, Any], shift_id: int) -> ResponseReturnValue:
    """The shift's roster: seated volunteers, then the waitlist in order. Read by cursor:
    follow `next` (null at the end)."""
    session = db.session()
    shift = signups.get_shift(session, current_actor(), shift_id)
    page = signups.get_roster(
        session, current_actor(), shift, after=args["after"], per_page=args["per_page"]
    )
    positions = signups.waitlist_positions(session, page.items)
    contacts = signups.roster_contacts(session, current_actor(), shift, page.items)
    gaps = rosters.roster_gaps(session, shift, page.items) if utcnow() < shift.starts_at else {}
    items = [
        {
            **signup_out(s, positions.get(s.id)),
            "display_name": s.volunteer.display_name,
            "email": s.volunteer.email if s.id in contacts else None,
            "phone": s.volunteer.phone if s.id in contacts else None,
            "missing_qualifications": [
                {
                    "qualification_id": g.qualification.id,
                    "name": g.qualification.name,
                    "expired_on": g.expired_on,
                    "message": g.message,
                }
                for g in gaps.get(s.id, [])
            ],
        }
        for s in page.items
    ]
    return window_out(page, items, "api_signups.roster", shift_id=shift_id)


@blp.route("/signups", methods=["GET"])
@blp.arguments(ScheduleArgs, location="query")
@blp.response(200, SignupPage)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def my_schedule(args: dict[str, Any]) -> ResponseReturnValue:
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


@blp.route("/signups/<int:signup_id>/attendance", methods=["POST"])
@blp.arguments(AttendanceIn)
@blp.response(200, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def attendance(args: dict[str, Any], signup_id: int) -> ResponseReturnValue:
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
def shift_attendance(args: dict[str, Any], shift_id: int) -> ResponseReturnValue:
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
