"""Pilots: a pilot's evaluation (public in aggregate once its window has ended and it is
built; a preview for the lead agency's staff before), its decision, and every pilot."""

from __future__ import annotations

from typing import TypedDict, Unpack

import marshmallow as ma
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import (
    FieldOptions,
    Number,
    PageArgs,
    PageArgsData,
    Text,
    UTCDateTime,
    page_schema,
)
from coprod.db import db, utcnow
from coprod.models import ComparisonKind, PilotDecision, PilotEvaluation, Programme
from coprod.services.governance import pilots

blp = Blueprint("api_pilots", __name__, url_prefix="/api/v1", description="Pilots")

DECISIONS = [d.value for d in PilotDecision]
KINDS = [k.value for k in ComparisonKind]


def DateText(**kwargs: Unpack[FieldOptions]) -> fields.String:
    return fields.String(metadata={"format": "date"}, **kwargs)


class GroupOut(ma.Schema):
    start = DateText(required=True)
    end = DateText(required=True)
    hours = Number(required=True, metadata={"description": "Approved hours, less training."})
    contributors = fields.Integer(required=True)
    returning = fields.Integer(
        required=True, metadata={"description": "Contributors on two different days or more."}
    )
    retention = Number(
        required=True, allow_none=True, metadata={"description": "returning / contributors, %."}
    )


class RateOut(ma.Schema):
    quantity = Number(required=True)
    per_hour = Number(required=True, allow_none=True)


class IntervalOut(ma.Schema):
    low = Number(required=True)
    high = Number(required=True)


class MeasureOut(ma.Schema):
    metric_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    pilot = fields.Nested(RateOut, required=True)
    comparison = fields.Nested(RateOut, required=True)
    difference = Number(
        required=True, allow_none=True, metadata={"description": "Pilot minus comparison per hour."}
    )
    interval = fields.Nested(
        IntervalOut,
        required=True,
        allow_none=True,
        metadata={"description": "Percentile bootstrap 95 % interval of the difference."},
    )
    interval_note = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(["too_few_contributors", "no_hours"]),
        metadata={"description": "Why there is no interval."},
    )


class ControlOut(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["task", "programme"]))
    id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)


class MethodOut(ma.Schema):
    samples = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    min_contributors = fields.Integer(required=True)


class EvaluationOut(ma.Schema):
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    hypothesis = fields.String(required=True, allow_none=True)
    preview = fields.Boolean(
        required=True, metadata={"description": "Computed now for lead staff; not published."}
    )
    comparison_kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    controls = fields.List(fields.Nested(ControlOut), required=True)
    method = fields.Nested(MethodOut, required=True)
    pilot = fields.Nested(GroupOut, required=True)
    comparison = fields.Nested(GroupOut, required=True)
    measures = fields.List(fields.Nested(MeasureOut), required=True)
    built_at = UTCDateTime(required=True, allow_none=True)
    decision = fields.String(required=True, allow_none=True, validate=validate.OneOf(DECISIONS))
    lessons = fields.String(required=True)
    decided_at = UTCDateTime(required=True, allow_none=True)


class PreviewArgs(ma.Schema):
    preview = fields.Boolean(
        load_default=False,
        metadata={"description": "Lead staff: the figures computed now, before publication."},
    )


class PreviewArgsData(TypedDict):
    """What `PreviewArgs` loads."""

    preview: bool


class PilotDecisionIn(ma.Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    lessons = Text(required=True, max_len=pilots.MAX_LESSONS, blank=False)


class PilotDecisionInData(TypedDict):
    """What `PilotDecisionIn` loads."""

    decision: str
    lessons: str


class PilotOut(ma.Schema):
    programme_id = fields.Integer(required=True)
    name = fields.String(required=True)
    hypothesis = fields.String(required=True, allow_none=True)
    evaluation_starts_on = fields.Date(required=True, allow_none=True)
    evaluation_ends_on = fields.Date(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["in_progress", "being_evaluated", "evaluated"]),
    )
    comparison_kind = fields.String(required=True, allow_none=True, validate=validate.OneOf(KINDS))
    measures = fields.List(
        fields.Nested(MeasureOut), required=True, metadata={"description": "Once evaluated."}
    )
    decision = fields.String(required=True, allow_none=True, validate=validate.OneOf(DECISIONS))


PilotPage = page_schema(PilotOut, "PilotPage")


def evaluation_out(view: pilots.EvaluationView) -> dict[str, object]:
    ev: PilotEvaluation | None = view.evaluation
    f = view.figures
    return {
        "programme_id": view.programme.id,
        "programme_name": view.programme.name,
        "hypothesis": view.programme.hypothesis,
        "preview": view.preview,
        **{k: f[k] for k in ("comparison_kind", "controls", "method", "pilot", "comparison")},
        "measures": f["measures"],
        "built_at": ev.built_at if ev is not None and not view.preview else None,
        "decision": ev.decision.value if ev is not None and ev.decision else None,
        "lessons": ev.lessons if ev is not None else "",
        "decided_at": ev.decided_at if ev is not None else None,
    }


@blp.route("/programmes/<int:programme_id>/evaluation", methods=["GET"])
@blp.arguments(PreviewArgs, location="query")
@blp.response(200, EvaluationOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_evaluation(args: PreviewArgsData, programme_id: int) -> ResponseReturnValue:
    """A pilot's evaluation, public in aggregate once its window has ended and the scheduler
    has built it (404 before). The lead agency's staff may ask `?preview=true` for the
    figures computed now (409 while the pilot has no window end)."""
    view = pilots.get_evaluation(
        db.session(), optional_actor(), programme_id, now=utcnow(), preview=args["preview"]
    )
    return evaluation_out(view)


@blp.route("/programmes/<int:programme_id>/evaluation/decision", methods=["PUT"])
@blp.arguments(PilotDecisionIn)
@blp.response(200, EvaluationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def put_decision(args: PilotDecisionInData, programme_id: int) -> ResponseReturnValue:
    """Record (or replace) the lead agency's decision -- scale_up, adapt or stop -- and the
    lessons learned; 409 until the evaluation is built."""
    session, actor = db.session(), current_actor()
    programme = pilots.get_pilot(session, programme_id)
    pilots.record_decision(
        session, actor, programme, decision=args["decision"], lessons=args["lessons"], now=utcnow()
    )
    session.commit()
    view = pilots.get_evaluation(session, actor, programme_id, now=utcnow(), preview=True)
    return evaluation_out(view)


def pilot_out(summary: pilots.PilotSummary) -> dict[str, object]:
    p: Programme = summary.programme
    ev = summary.evaluation
    status = "evaluated" if ev else ("being_evaluated" if summary.ended else "in_progress")
    return {
        "programme_id": p.id,
        "name": p.name,
        "hypothesis": p.hypothesis,
        "evaluation_starts_on": p.evaluation_starts_on,
        "evaluation_ends_on": p.evaluation_ends_on,
        "status": status,
        "comparison_kind": ev.figures["comparison_kind"] if ev else None,
        "measures": ev.figures["measures"] if ev else [],
        "decision": ev.decision.value if ev and ev.decision else None,
    }


@blp.route("/pilots", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, PilotPage)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def list_pilots(args: PageArgsData) -> ResponseReturnValue:
    """Every pilot, the latest window end first: its hypothesis, window, status, and once
    evaluated its outcome per hour against its comparison and the decision (public)."""
    page = pilots.list_pilots(
        db.session(), now=utcnow(), page=args["page"], per_page=args["per_page"]
    )
    return {**page.__dict__, "items": [pilot_out(s) for s in page.items]}
