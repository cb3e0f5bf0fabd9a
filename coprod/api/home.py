"""GET /me/home: what needs you, section by section, as on the signed-in home page (the same
service, coprod.services.home); GET /me/hours: your approved hours, as on My hours
(coprod.services.record)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Number, UTCDateTime
from coprod.db import db, utcnow
from coprod.models import ContributionLog, Shift
from coprod.services import home, record

blp = Blueprint("api_home", __name__, url_prefix="/api/v1", description="Home")


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
    programmes = fields.List(fields.Nested(ReviewRowOut), required=True)
    programmes_reviewed = fields.Integer(required=True)


class TaskRef(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class StaffRowOut(ma.Schema):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    tasks_needing_shifts = fields.List(fields.Nested(TaskRef), required=True)
    understaffed_shifts = fields.List(fields.Nested(ShiftSummary), required=True)


class StaffOut(ma.Schema):
    programmes = fields.List(fields.Nested(StaffRowOut), required=True)
    programmes_run = fields.Integer(required=True)


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


def _shift(shift: Shift) -> dict[str, Any]:
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


def home_out(h: home.Home) -> dict[str, Any]:
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


class HoursTotal(ma.Schema):
    hours = Number(required=True, metadata={"description": "Approved hours."})
    logs = fields.Integer(required=True, metadata={"description": "Approved logs."})


class ProgrammeTotal(HoursTotal):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)


class OrganisationTotal(HoursTotal):
    organisation_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: hours you gave yourself."}
    )
    organisation_name = fields.String(required=True, allow_none=True)


class YearTotal(HoursTotal):
    year = fields.Integer(
        required=True, metadata={"description": "The programme's local calendar year."}
    )


class MyOpenLog(OpenLog):
    organisation_id = fields.Integer(required=True, allow_none=True)


class MyHoursOut(HoursTotal):
    by_programme = fields.List(fields.Nested(ProgrammeTotal), required=True)
    by_organisation = fields.List(fields.Nested(OrganisationTotal), required=True)
    by_year = fields.List(
        fields.Nested(YearTotal), required=True, metadata={"description": "Latest year first."}
    )
    pending = fields.List(
        fields.Nested(MyOpenLog),
        required=True,
        metadata={"description": f"Waiting for review, newest first (at most {record.OPEN_LOGS})."},
    )
    pending_total = fields.Integer(required=True)
    sent_back = fields.List(
        fields.Nested(MyOpenLog),
        required=True,
        metadata={"description": f"Sent back for changes (at most {record.OPEN_LOGS})."},
    )
    sent_back_total = fields.Integer(required=True)


def _open_log(log: ContributionLog) -> dict[str, Any]:
    return {
        "id": log.id,
        "task_id": log.task_id,
        "status": log.status.value,
        "date": log.date,
        "hours": log.hours,
        "review_comment": log.review_comment or "",
        "organisation_id": log.organisation_id,
    }


def my_hours_out(mine: record.MyHours) -> dict[str, Any]:
    return {
        "hours": mine.hours,
        "logs": mine.logs,
        "by_programme": [
            {
                "programme_id": t.programme.id,
                "programme_name": t.programme.name,
                "hours": t.hours,
                "logs": t.logs,
            }
            for t in mine.by_programme
        ],
        "by_organisation": [
            {
                "organisation_id": t.organisation.id if t.organisation else None,
                "organisation_name": t.organisation.name if t.organisation else None,
                "hours": t.hours,
                "logs": t.logs,
            }
            for t in mine.by_organisation
        ],
        "by_year": [{"year": t.year, "hours": t.hours, "logs": t.logs} for t in mine.by_year],
        "pending": [_open_log(log) for log in mine.pending.logs],
        "pending_total": mine.pending.total,
        "sent_back": [_open_log(log) for log in mine.sent_back.logs],
        "sent_back_total": mine.sent_back.total,
    }


@blp.route("/me/hours", methods=["GET"])
@blp.response(200, MyHoursOut)
@token_required
def my_hours() -> ResponseReturnValue:
    """Your approved hours in all, by programme, by organisation you logged for (null: as
    yourself) and by year; and your logs waiting for review or sent back, which count nowhere
    yet (the My hours page, as JSON)."""
    return my_hours_out(record.get_my_hours(db.session(), current_actor()))
