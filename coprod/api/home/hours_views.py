"""GET /me/hours: your approved hours and your open logs, as on My hours."""

from __future__ import annotations

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Number
from coprod.api.home import blp
from coprod.api.home.home_views import OpenLog
from coprod.db import db
from coprod.models import ContributionLog
from coprod.services import record


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


def _open_log(log: ContributionLog) -> dict[str, object]:
    return {
        "id": log.id,
        "task_id": log.task_id,
        "status": log.status.value,
        "date": log.date,
        "hours": log.hours,
        "review_comment": log.review_comment or "",
        "organisation_id": log.organisation_id,
    }


def my_hours_out(mine: record.MyHours) -> dict[str, object]:
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
