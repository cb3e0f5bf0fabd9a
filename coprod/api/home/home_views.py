"""GET /me/home: what needs you, section by section, as on the signed-in home page."""

from __future__ import annotations

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Number, UTCDateTime
from coprod.api.home import blp
from coprod.db import db, utcnow
from coprod.models import Shift
from coprod.services import home


class ShiftSummary(ma.Schema):
    shift_id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    task_title = fields.String(required=True)
    programme_id = fields.Integer(required=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    capacity = fields.Integer(required=True)
    confirmed = fields.Integer(required=True, metadata={"description": "Seats taken."})


class MyShift(ShiftSummary):
    signup_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["confirmed", "waitlisted"]})


class ProgrammeHours(ma.Schema):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    year = fields.Integer(required=True, metadata={"description": "The programme's local year."})
    hours = Number(required=True)


class OpenLog(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["submitted", "changes_requested"]})
    date = fields.Date(required=True)
    hours = Number(required=True)
    review_comment = fields.String(required=True)


class AwaitingShift(ShiftSummary):
    unmarked = fields.Integer(
        required=True, metadata={"description": "Confirmed sign-ups not yet marked."}
    )


class CoordinatorOut(ma.Schema):
    upcoming = fields.List(
        fields.Nested(ShiftSummary),
        required=True,
        metadata={"description": "Today and the next 7 days, short-staffed shifts first."},
    )
    more_upcoming = fields.Integer(required=True)
    awaiting_attendance = fields.List(fields.Nested(AwaitingShift), required=True)
    more_awaiting = fields.Integer(required=True)


class ReviewRowOut(ma.Schema):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    waiting = fields.Integer(required=True)
    oldest_submitted_at = UTCDateTime(required=True)


class ReviewerOut(ma.Schema):
    programmes = fields.List(
        fields.Nested(ReviewRowOut),
        required=True,
        metadata={"description": "The programmes whose oldest waiting log is oldest, at most 10."},
    )
    programmes_reviewed = fields.Integer(required=True)
    more_programmes = fields.Boolean(
        required=True,
        metadata={"description": "Logs wait in more programmes than those listed."},
    )


class TaskRef(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class StaffRowOut(ma.Schema):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    tasks_needing_shifts = fields.List(fields.Nested(TaskRef), required=True)
    understaffed_shifts = fields.List(fields.Nested(ShiftSummary), required=True)


class StaffOut(ma.Schema):
    programmes = fields.List(
        fields.Nested(StaffRowOut),
        required=True,
        metadata={
            "description": "By name, the programmes with something listed: over all of them, "
            "the first 10 open tasks (by title) with no upcoming shift and the 10 soonest "
            "shifts of the next 7 days short of people."
        },
    )
    programmes_run = fields.Integer(required=True)
    more_tasks_needing_shifts = fields.Boolean(
        required=True, metadata={"description": "More such tasks than those listed."}
    )
    more_understaffed_shifts = fields.Boolean(
        required=True, metadata={"description": "More such shifts than those listed."}
    )


class HomeOut(ma.Schema):
    next_shifts = fields.List(fields.Nested(MyShift), required=True)
    more_shifts = fields.Integer(required=True)
    hours_this_year = fields.List(fields.Nested(ProgrammeHours), required=True)
    open_logs = fields.List(
        fields.Nested(OpenLog),
        required=True,
        metadata={"description": "Your logs waiting for review or sent back, sent back first."},
    )
    more_logs = fields.Integer(required=True)
    coordinator = fields.Nested(
        CoordinatorOut,
        required=True,
        allow_none=True,
        metadata={"description": "null unless you coordinate an organisation's tasks."},
    )
    reviewer = fields.Nested(
        ReviewerOut,
        required=True,
        allow_none=True,
        metadata={"description": "null unless you review an agency's logs."},
    )
    staff = fields.Nested(
        StaffOut,
        required=True,
        allow_none=True,
        metadata={"description": "null unless you are staff of a verified agency."},
    )


def _shift(shift: Shift) -> dict[str, object]:
    return {
        "shift_id": shift.id,
        "task_id": shift.task_id,
        "task_title": shift.task.title,
        "programme_id": shift.task.programme_id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "capacity": shift.capacity,
        "confirmed": shift.confirmed,
    }


def home_out(h: home.Home) -> dict[str, object]:
    v, c, r, s = h.volunteer, h.coordinator, h.reviewer, h.staff
    return {
        "next_shifts": [
            {**_shift(x.shift), "signup_id": x.id, "status": x.status.value} for x in v.next_shifts
        ],
        "more_shifts": v.more_shifts,
        "hours_this_year": [
            {
                "programme_id": x.programme.id,
                "programme_name": x.programme.name,
                "year": x.year,
                "hours": x.hours,
            }
            for x in v.hours
        ],
        "open_logs": [
            {
                "id": log.id,
                "task_id": log.task_id,
                "status": log.status.value,
                "date": log.date,
                "hours": log.hours,
                "review_comment": log.review_comment or "",
            }
            for log in v.open_logs
        ],
        "more_logs": v.more_logs,
        "coordinator": None
        if c is None
        else {
            "upcoming": [_shift(x) for x in c.upcoming],
            "more_upcoming": c.more_upcoming,
            "awaiting_attendance": [
                {**_shift(x), "unmarked": c.unmarked.get(x.id, 0)} for x in c.awaiting
            ],
            "more_awaiting": c.more_awaiting,
        },
        "reviewer": None
        if r is None
        else {
            "programmes": [
                {
                    "programme_id": row.programme.id,
                    "programme_name": row.programme.name,
                    "waiting": row.waiting,
                    "oldest_submitted_at": row.oldest,
                }
                for row in r.rows
            ],
            "programmes_reviewed": r.programmes,
            "more_programmes": r.more,
        },
        "staff": None
        if s is None
        else {
            "programmes": [
                {
                    "programme_id": row.programme.id,
                    "programme_name": row.programme.name,
                    "tasks_needing_shifts": [
                        {"id": t.id, "title": t.title} for t in row.need_shifts
                    ],
                    "understaffed_shifts": [_shift(x) for x in row.understaffed],
                }
                for row in s.rows
            ],
            "programmes_run": s.programmes,
            "more_tasks_needing_shifts": s.more_need_shifts,
            "more_understaffed_shifts": s.more_understaffed,
        },
    }


@blp.route("/me/home", methods=["GET"])
@blp.response(200, HomeOut)
@token_required
def my_home() -> ResponseReturnValue:
    """What needs you now: your next shifts, hours approved this year and open logs; and, for
    each role you hold, the shifts you coordinate, the logs you review, the programmes you run
    (the signed-in home page, as JSON)."""
    return home_out(home.home(db.session(), current_actor(), utcnow()))
