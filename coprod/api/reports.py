"""Shared-ownership reports: the list of built periods, one snapshot (JSON or CSV), a
programme's public impact figures and its "You said, we did" answers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import optional_actor
from coprod.api.commitments import RULE as COMMITMENT_RULE
from coprod.api.fields import (
    CursorArgs,
    Day,
    Number,
    PageArgs,
    UTCDateTime,
    page_schema,
    window_out,
    window_schema,
)
from coprod.db import db, utcnow
from coprod.models import PeriodKind, Proposal, ReportSnapshot
from coprod.services import listings, reports
from coprod.services.engagement import impact as proposal_impact

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Reports and impact")

PERIODS = [p.value for p in PeriodKind]
CSV = "text/csv"


def DateText(**kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date"}, **kwargs)


def _sectors(name: str) -> type[ma.Schema]:
    return type(name, (ma.Schema,), {s: Number(required=True) for s in reports.SECTORS})


HoursBySector = _sectors("HoursBySector")
ShareBySector = _sectors("ShareBySector")


class Ranked(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    hours = Number(required=True)


class Outcome(ma.Schema):
    metric_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    quantity = Number(required=True)
    cumulative = Number(required=True)
    target = Number(required=True)
    target_date = DateText(required=True)
    percent_of_target = Number(required=True)
    expected = Number(required=True)
    on_track = fields.Boolean(required=True)


class TaskFeedback(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The task's id."})
    name = fields.String(required=True, metadata={"description": "The task's title."})
    responses = fields.Integer(required=True)
    average_rating = Number(required=True, metadata={"description": "1 to 5, one decimal."})


class FeedbackFigures(ma.Schema):
    responses = fields.Integer(
        required=True, metadata={"description": "Ratings given in the period (hidden ones not)."}
    )
    average_rating = Number(
        required=True,
        allow_none=True,
        metadata={"description": "Mean of those ratings (1 to 5), one decimal; null without any."},
    )
    by_task = fields.List(
        fields.Nested(TaskFeedback),
        required=True,
        metadata={"description": "Per task, most responses first."},
    )


class QualificationCount(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The qualification's id."})
    name = fields.String(required=True, metadata={"description": "The qualification's name."})
    count = fields.Integer(required=True, metadata={"description": "How many awards."})


TRAINING_DOC = (
    "Training hours are the approved hours logged on training tasks (tasks with "
    "`trains_qualification_id`); they count in no service figure (`hours_total` and the rest)."
)


class CapacityFigures(ma.Schema):
    training_hours_total = Number(required=True, metadata={"description": TRAINING_DOC})
    training_received_by_sector = fields.Nested(
        HoursBySector,
        required=True,
        metadata={"description": "Credited as service hours are: the log's organisation, or "
        "citizens."},
    )  # fmt: skip
    training_received_by_organisation = fields.List(
        fields.Nested(Ranked), required=True, metadata={"description": "Most hours first."}
    )
    training_delivered_by_sector = fields.Nested(
        HoursBySector,
        required=True,
        metadata={"description": "Credited to the organisation that ran the training: the "
        "task's coordinating organisation, else the programme's lead agency."},
    )  # fmt: skip
    training_delivered_by_organisation = fields.List(
        fields.Nested(Ranked), required=True, metadata={"description": "Most hours first."}
    )
    qualifications_awarded = fields.List(
        fields.Nested(QualificationCount),
        required=True,
        metadata={"description": "Awards (not revoked) made in the period, of the "
        "qualifications the programme's tasks require or train; most first."},
    )  # fmt: skip
    qualifications_expiring = fields.List(
        fields.Nested(QualificationCount),
        required=True,
        metadata={"description": "Such awards whose `expires_on` (the first day not valid) "
        "falls in the period and that no other award of the same person keeps valid."},
    )  # fmt: skip


class ReportFigure(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "The figure's id."})
    kind = fields.String(required=True, validate=validate.OneOf(["hours", "in_kind", "outcome"]))
    amount = Number(required=True)
    period = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(PERIODS),
        metadata={"description": "The figure's own period (hours, in_kind); null for an outcome."},
    )
    metric_id = fields.Integer(required=True, allow_none=True)
    metric_name = fields.String(required=True, allow_none=True)
    unit = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "An outcome's unit (hours are hours, in-kind in `currency`)."},
    )
    starts_on = DateText(required=True)
    ends_on = DateText(required=True, allow_none=True)
    due_on = DateText(required=True, allow_none=True)
    committed = Number(
        required=True,
        allow_none=True,
        metadata={"description": "Committed for this period (converted by days); null for an "
        "outcome."},
    )  # fmt: skip
    delivered = Number(required=True)
    expected = Number(required=True, allow_none=True)
    committed_to_date = Number(required=True)
    delivered_to_date = Number(required=True)
    expected_to_date = Number(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["on_track", "behind", "met", "missed"]),
        metadata={"description": COMMITMENT_RULE},
    )
    status_to_date = fields.String(
        required=True, validate=validate.OneOf(["on_track", "behind", "met", "missed"])
    )
    on_track = fields.Boolean(required=True)


class PartnerFigures(ma.Schema):
    partner_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    figures = fields.List(fields.Nested(ReportFigure), required=True)


class ImpactCapacity(ma.Schema):
    training_hours_total = Number(
        required=True, metadata={"description": "Training hours delivered since it began."}
    )
    training_delivered_by_sector = fields.Nested(HoursBySector, required=True)
    qualifications_awarded = fields.List(fields.Nested(QualificationCount), required=True)
    qualifications_awarded_total = fields.Integer(required=True)


class Totals(ma.Schema):
    hours_total = Number(required=True)
    hours_by_sector = fields.Nested(HoursBySector, required=True)
    share_by_sector = fields.Nested(
        ShareBySector, required=True, metadata={"description": "Per cent, one decimal place."}
    )
    contributors = fields.Integer(required=True)
    in_kind_value = Number(required=True)
    hours_value = Number(required=True)


class PeriodTotals(Totals):
    start = DateText(required=True)
    end = DateText(required=True)
    new_contributors = fields.Integer(required=True)


class Change(ma.Schema):
    hours_total = Number(required=True)
    hours_total_percent = Number(allow_none=True)
    contributors = fields.Integer(required=True)


CURRENCY_DOC = {
    "description": "ISO 4217 code of `in_kind_value` and `hours_value` (the programme's currency).",
    "example": "GBP",
}


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


class ImpactOut(Totals):
    programme_id = fields.Integer(required=True)
    currency = fields.String(required=True, metadata=CURRENCY_DOC)
    programme_name = fields.String(required=True)
    as_of = fields.Date(allow_none=True, metadata={"description": "End of the last quarter."})
    outcomes = fields.List(fields.Nested(Outcome), required=True)
    capacity = fields.Nested(
        ImpactCapacity,
        required=True,
        metadata={"description": "Training delivered and qualifications awarded, in aggregate."},
    )


ReportPage = window_schema(ReportSummary, "ReportWindow")
CSV_DOC = {"type": "string", "description": "The same figures, one row per figure."}


def _summary(snap: ReportSnapshot) -> dict[str, Any]:
    keys = ("start", "end", "hours_total", "built_at")
    return {**{k: getattr(snap, k) for k in keys}, "period": snap.period.value}


@blp.route("/programmes/<int:programme_id>/reports", methods=["GET"])
@blp.arguments(ReportListArgs, location="query")
@blp.response(200, ReportPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_reports(args: dict[str, Any], programme_id: int) -> ResponseReturnValue:
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


@blp.route("/programmes/<int:programme_id>/impact", methods=["GET"])
@blp.response(200, ImpactOut)
@blp.alt_response(404, response="NOT_FOUND")
def impact(programme_id: int) -> ResponseReturnValue:
    """The programme's public aggregate figures since it began (never a person's name)."""
    result = reports.get_impact(db.session(), optional_actor(), programme_id, now=utcnow())
    return {
        **result.totals,
        "programme_id": result.programme.id,
        "programme_name": result.programme.name,
        "currency": result.programme.currency,
        "as_of": result.as_of,
        "outcomes": result.outcomes,
        "capacity": result.capacity,
    }


# --- "You said, we did" ---------------------------------------------------------------------

ANSWERED = list(proposal_impact.ANSWERED)


class YouSaidArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf(ANSWERED),
        metadata={"description": "Only answers of this kind (default: every answer)."},
    )


class ProposalOutcome(ma.Schema):
    metric_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    quantity = Number(required=True)


class ProposalImpact(ma.Schema):
    hours = Number(required=True, metadata={"description": "The task's approved hours so far."})
    volunteers = fields.Integer(
        required=True, metadata={"description": "people + organisations (distinct contributors)."}
    )
    people = fields.Integer(
        required=True, metadata={"description": "People who logged approved hours themselves."}
    )
    organisations = fields.Integer(
        required=True,
        metadata={"description": "Organisations whose coordinators logged approved hours for it."},
    )
    outcomes = fields.List(fields.Nested(ProposalOutcome), required=True)
    as_of = UTCDateTime(required=True, metadata={"description": "When the figures were computed."})


class AnsweredProposal(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ANSWERED))
    answer = fields.String(required=True, metadata={"description": "The agency's public answer."})
    answered_at = UTCDateTime(required=True, allow_none=True)
    task_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The task made on accepting."}
    )
    task_title = fields.String(required=True, allow_none=True)
    impact = fields.Nested(
        ProposalImpact,
        required=True,
        allow_none=True,
        metadata={
            "description": "For an accepted proposal with a task: its figures so far, updated "
            "with the reports; null until the next report run (and for other answers)."
        },
    )


AnsweredPage = page_schema(AnsweredProposal, "AnsweredProposalPage")


def _impact_out(p: Proposal) -> dict[str, Any] | None:
    shown = p.status.value == "accepted" and p.task_id is not None
    if not shown or p.impact is None or p.impact_built_at is None:
        return None
    return {**p.impact, "as_of": p.impact_built_at}


def answered_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "status": p.status.value,
        "answer": p.answer,
        "answered_at": p.answered_at,
        "task_id": p.task_id,
        "task_title": p.task.title if p.task is not None else None,
        "impact": _impact_out(p),
    }


@blp.route("/programmes/<int:programme_id>/you-said-we-did", methods=["GET"])
@blp.arguments(YouSaidArgs, location="query")
@blp.response(200, AnsweredPage)
@blp.alt_response(404, response="NOT_FOUND")
def you_said(args: dict[str, Any], programme_id: int) -> ResponseReturnValue:
    """ "You said, we did": the programme's answered proposals, newest answer first, with the
    accepted ones' figures so far (public; never hidden proposals, never a name)."""
    result = proposal_impact.list_answered(
        db.session(),
        optional_actor(),
        programme_id,
        status=args.get("status"),
        page=args["page"],
        per_page=args["per_page"],
    )
    page = result.page
    return {**page.__dict__, "items": [answered_out(p) for p in page.items]}
