"""The schemas of contribution logs (hours, outcomes, in-kind items) and how a log is answered."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import NotRequired, TypedDict, Unpack

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.fields import (
    Amount,
    CursorArgs,
    CursorArgsData,
    FieldOptions,
    Id,
    Line,
    Number,
    Text,
    UTCDateTime,
    window_schema,
)
from coprod.models import ContributionLog, LogStatus
from coprod.services.contributions import EARLIEST_LOG_DATE, rules

STATUSES = [s.value for s in LogStatus]


class OutcomeIn(ma.Schema):
    metric_id = Id(required=True)
    quantity = Amount(minimum=0, maximum=rules.MAX_QUANTITY, required=True)


class OutcomeInData(TypedDict):
    """What `OutcomeIn` loads."""

    metric_id: int
    quantity: Decimal


class InKindIn(ma.Schema):
    description = Line(max_len=rules.MAX_DESCRIPTION, required=True)
    value = Amount(minimum=0, maximum=rules.MAX_VALUE, required=True)


class InKindInData(TypedDict):
    """What `InKindIn` loads."""

    description: str
    value: Decimal


LOG_DATE_HELP = (
    f"The day of the work (YYYY-MM-DD): from {EARLIEST_LOG_DATE.isoformat()} up to today in "
    "the programme's time zone (422 otherwise, the same rule as the web form)."
)


class LogDayInDocument(validate.Validator):
    """States the log date's lower bound in the document (a pattern on the year, apispec reads
    `regex`); the rule itself, with its message, is the service's (check_log_date), the same
    for the web form and the API."""

    regex = re.compile(r"^(2[0-9]{3}|[3-8][0-9]{3}|9000)-")  # from EARLIEST_LOG_DATE, 2000

    def __call__(self, value: date) -> date:
        return value


def log_day(**kwargs: Unpack[FieldOptions]) -> fields.Date:
    """A log's date: the range is checked by the one rule in the service (check_log_date)."""
    return fields.Date(
        validate=LogDayInDocument(), metadata={"description": LOG_DATE_HELP}, **kwargs
    )


class ContributionIn(ma.Schema):
    task_id = Id(required=True)
    shift_id = Id(allow_none=True, load_default=None)
    date = log_day(required=True)
    hours = Amount(
        minimum=0,
        above_minimum=True,
        maximum=rules.MAX_HOURS_PER_DAY,
        required=True,
        metadata={"description": "More than 0, at most 24."},
    )
    outcomes = fields.List(
        fields.Nested(OutcomeIn), load_default=list, validate=validate.Length(max=100)
    )
    notes = Text(max_len=rules.MAX_NOTES, load_default="")
    organisation_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Log for an organisation you coordinate."},
    )
    in_kind = fields.List(
        fields.Nested(InKindIn), load_default=list, validate=validate.Length(max=100)
    )


class ContributionInData(TypedDict):
    """What `ContributionIn` loads."""

    task_id: int
    shift_id: int | None
    date: date
    hours: Decimal
    outcomes: list[OutcomeInData]
    notes: str
    organisation_id: int | None
    in_kind: list[InKindInData]


class ResubmitIn(ma.Schema):
    shift_id = Id(allow_none=True)
    date = log_day()
    hours = Amount(minimum=0, above_minimum=True, maximum=rules.MAX_HOURS_PER_DAY)
    outcomes = fields.List(fields.Nested(OutcomeIn), validate=validate.Length(max=100))
    notes = Text(max_len=rules.MAX_NOTES)
    in_kind = fields.List(fields.Nested(InKindIn), validate=validate.Length(max=100))


class ResubmitInData(TypedDict):
    """What `ResubmitIn` loads."""

    shift_id: NotRequired[int | None]
    date: NotRequired[date]
    hours: NotRequired[Decimal]
    outcomes: NotRequired[list[OutcomeInData]]
    notes: NotRequired[str]
    in_kind: NotRequired[list[InKindInData]]


class ReviewIn(ma.Schema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["approve", "reject", "request_changes"])
    )
    comment = Text(
        max_len=rules.MAX_NOTES,
        load_default="",
        metadata={"description": "Required unless approving."},
    )


class ReviewInData(TypedDict):
    """What `ReviewIn` loads."""

    decision: str
    comment: str


class OutcomeOut(ma.Schema):
    metric_id = fields.Integer(required=True)
    quantity = Number(required=True)


class InKindOut(ma.Schema):
    description = fields.String(required=True)
    value = Number(required=True)


class ContributionOut(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    programme_id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    shift_id = fields.Integer(allow_none=True)
    date = fields.Date(required=True)
    hours = Number(required=True)
    notes = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    outcomes = fields.List(fields.Nested(OutcomeOut), required=True)
    in_kind = fields.List(fields.Nested(InKindOut), required=True)
    review_comment = fields.String(required=True)
    reviewed_by_id = fields.Integer(allow_none=True)
    reviewed_at = UTCDateTime(allow_none=True)
    corrects_id = fields.Integer(allow_none=True)
    submitted_at = UTCDateTime(required=True)


class ContributionListArgs(CursorArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    programme_id = Id(strict=False)
    task_id = Id(strict=False)
    user_id = Id(strict=False)
    mine = fields.Boolean(load_default=False, metadata={"description": "Only your own logs."})


class ContributionListArgsData(CursorArgsData):
    """What `ContributionListArgs` loads."""

    status: NotRequired[str]
    programme_id: NotRequired[int]
    task_id: NotRequired[int]
    user_id: NotRequired[int]
    mine: bool


ContributionPage = window_schema(ContributionOut, "ContributionWindow")


def log_out(log: ContributionLog) -> dict[str, object]:
    keys = (
        "id", "user_id", "created_by_id", "organisation_id", "programme_id", "task_id",
        "shift_id", "date", "hours", "notes", "review_comment", "reviewed_by_id",
        "reviewed_at", "corrects_id", "submitted_at",
    )  # fmt: skip
    return {
        **{k: getattr(log, k) for k in keys},
        "status": log.status.value,
        "outcomes": [{"metric_id": o.metric_id, "quantity": o.quantity} for o in log.outcomes],
        "in_kind": [{"description": i.description, "value": i.value} for i in log.in_kind],
    }
