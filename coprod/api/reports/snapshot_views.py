"""Built reports: the list of a programme's periods and one snapshot, as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import NotRequired

import marshmallow as ma
from flask import Response, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import optional_actor
from coprod.api.fields import (
    CursorArgs,
    CursorArgsData,
    Day,
    Number,
    UTCDateTime,
    window_out,
    window_schema,
)
from coprod.api.reports import blp
from coprod.api.reports.figures import (
    CURRENCY_DOC,
    PERIODS,
    CapacityFigures,
    Change,
    DateText,
    FeedbackFigures,
    Outcome,
    PartnerFigures,
    PeriodTotals,
    Ranked,
    Totals,
)
from coprod.db import db, utcnow
from coprod.models import PeriodKind, ReportSnapshot
from coprod.services import listings, reports

CSV = "text/csv"


class ReportOut(Totals):
    programme_id = fields.Integer(required=True)
    currency = fields.String(required=True, metadata=CURRENCY_DOC)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    start = DateText(required=True)
    end = DateText(required=True)
    new_contributors = fields.Integer(required=True)
    hours_by_organisation = fields.List(fields.Nested(Ranked), required=True)
    hours_by_task = fields.List(fields.Nested(Ranked), required=True)
    outcomes = fields.List(fields.Nested(Outcome), required=True)
    feedback = fields.Nested(
        FeedbackFigures,
        required=True,
        allow_none=True,
        metadata={
            "description": "Volunteers' ratings given in the period; null in a snapshot built "
            "before ratings were reported (the next rebuild adds them)."
        },
    )
    capacity = fields.Nested(
        CapacityFigures,
        required=True,
        metadata={
            "description": "Capacity building in the period, apart from the service figures; "
            "empty in a snapshot built before it was reported (the next rebuild fills it)."
        },
    )
    commitments = fields.List(
        fields.Nested(PartnerFigures),
        required=True,
        allow_none=True,
        metadata={
            "description": "Partners' commitments as figures, committed against delivered in "
            "the period and to date, judged as of today while the period is in progress; null "
            "in a snapshot built before they were reported (the next rebuild adds them)."
        },
    )
    previous = fields.Nested(PeriodTotals, required=True)
    change = fields.Nested(Change, required=True)
    built_at = UTCDateTime(required=True)


class ReportSummary(ma.Schema):
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    hours_total = Number(required=True)
    built_at = UTCDateTime(required=True)


class ReportListArgs(CursorArgs):
    period = fields.String(validate=validate.OneOf(PERIODS))
    from_ = Day(data_key="from", metadata={"description": "Periods ending on or after."})
    to = Day(metadata={"description": "Periods starting on or before."})


class ReportListArgsData(CursorArgsData):
    """What `ReportListArgs` loads."""

    period: NotRequired[str]
    from_: NotRequired[date]
    to: NotRequired[date]


ReportPage = window_schema(ReportSummary, "ReportWindow")
CSV_DOC = {"type": "string", "description": "The same figures, one row per figure."}


def _summary(snap: ReportSnapshot) -> dict[str, object]:
    keys = ("start", "end", "hours_total", "built_at")
    return {**{k: getattr(snap, k) for k in keys}, "period": snap.period.value}


@blp.route("/programmes/<int:programme_id>/reports", methods=["GET"])
@blp.arguments(ReportListArgs, location="query")
@blp.response(200, ReportPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_reports(args: ReportListArgsData, programme_id: int) -> ResponseReturnValue:
    """The periods built for the programme, latest first (members of the lead agency and of
    partner organisations). Read by cursor: follow `next` (null at the end)."""
    period = args.get("period")
    found = listings.list_snapshots(
        db.session(),
        optional_actor(),
        programme_id,
        period=PeriodKind(period) if period else None,
        date_from=args.get("from_"),
        date_to=args.get("to"),
        after=args["after"],
        per_page=args["per_page"],
    )
    items = [_summary(s) for s in found.items]
    return window_out(found, items, "api_reports.list_reports", programme_id=programme_id)


def _snapshot(programme_id: int, period: str, start: str) -> ReportSnapshot:
    return reports.get_snapshot(db.session(), optional_actor(), programme_id, period, start)


def _csv(snap: ReportSnapshot) -> Response:
    name = f"coprod-programme-{snap.programme_id}-{snap.period.value}-{snap.start}.csv"
    response = Response(reports.snapshot_csv(snap, now=utcnow()), mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@blp.route("/programmes/<int:programme_id>/reports/<period>/<start>", methods=["GET"])
@blp.response(200, ReportOut)
@blp.alt_response(200, schema=CSV_DOC, content_type=CSV, success=True)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_report(programme_id: int, period: str, start: str) -> ResponseReturnValue:
    """One period's figures (period: week, month or quarter; start: its first day). Send
    `Accept: text/csv` for CSV."""
    snap = _snapshot(programme_id, period, start)
    if request.accept_mimetypes.best_match(["application/json", CSV]) == CSV:
        return _csv(snap)
    return {**reports.snapshot_json(snap, now=utcnow()), "built_at": snap.built_at}


@blp.route("/programmes/<int:programme_id>/reports/<period>/<start>.csv", methods=["GET"])
@blp.alt_response(200, schema=CSV_DOC, content_type=CSV, success=True)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_report_csv(programme_id: int, period: str, start: str) -> ResponseReturnValue:
    """One period's figures as CSV."""
    return _csv(_snapshot(programme_id, period, start))
