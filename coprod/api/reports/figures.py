"""The figures reports and the impact page share: totals, sectors, outcomes, capacity and more."""

from __future__ import annotations

from typing import Unpack

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.commitments import RULE as COMMITMENT_RULE
from coprod.api.fields import FieldOptions, Number
from coprod.models import PeriodKind
from coprod.services import reports

PERIODS = [p.value for p in PeriodKind]


def DateText(**kwargs: Unpack[FieldOptions]) -> fields.String:
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
