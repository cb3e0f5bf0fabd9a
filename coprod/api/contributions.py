"""Contribution logs: submitting hours and outcomes, reading them, review and resubmission."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    Amount,
    CursorArgs,
    Id,
    Line,
    Number,
    Text,
    UTCDateTime,
    referenced,
    renamed,
    window_out,
    window_schema,
)
from coprod.db import db, utcnow
from coprod.models import ContributionLog, LogStatus, Shift
from coprod.services import contributions, listings, review, signups
from coprod.services import organisations as orgs
from coprod.services.contributions import EARLIEST_LOG_DATE, rules

blp = Blueprint("api_contributions", __name__, url_prefix="/api/v1", description="Contributions")

T = TypeVar("T")
STATUSES = [s.value for s in LogStatus]
RENAMED = {"shift": "shift_id", "organisation": "organisation_id"}


class OutcomeIn(ma.Schema):
    metric_id = Id(required=True)
    quantity = Amount(minimum=0, maximum=rules.MAX_QUANTITY, required=True)


class InKindIn(ma.Schema):
    description = Line(max_len=rules.MAX_DESCRIPTION, required=True)
    value = Amount(minimum=0, maximum=rules.MAX_VALUE, required=True)


LOG_DATE_HELP = (
    f"The day of the work (YYYY-MM-DD): from {EARLIEST_LOG_DATE.isoformat()} up to today in "
    "the programme's time zone (422 otherwise, the same rule as the web form)."
)


class LogDayInDocument(validate.Validator):
    """States the log date's lower bound in the document (a pattern on the year, apispec reads
    `regex`); the rule itself, with its message, is the service's (check_log_date), the same
    for the web form and the API."""

    regex = re.compile(r"^(2[0-9]{3}|[3-8][0-9]{3}|9000)-")  # from EARLIEST_LOG_DATE, 2000

    def __call__(self, value: Any) -> Any:
        return value


def log_day(**kwargs: Any) -> fields.Date:
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


class ResubmitIn(ma.Schema):
    shift_id = Id(allow_none=True)
    date = log_day()
    hours = Amount(minimum=0, above_minimum=True, maximum=rules.MAX_HOURS_PER_DAY)
    outcomes = fields.List(fields.Nested(OutcomeIn), validate=validate.Length(max=100))
    notes = Text(max_len=rules.MAX_NOTES)
    in_kind = fields.List(fields.Nested(InKindIn), validate=validate.Length(max=100))


class ReviewIn(ma.Schema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["approve", "reject", "request_changes"])
    )
    comment = Text(
        max_len=rules.MAX_NOTES,
        load_default="",
        metadata={"description": "Required unless approving."},
    )


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


ContributionPage = window_schema(ContributionOut, "ContributionWindow")


def log_out(log: ContributionLog) -> dict[str, Any]:
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


def _renaming(call: Callable[[], T]) -> T:
    """The services name some fields as the web form does; the API names them `<object>_id`."""
    return renamed(call, RENAMED)


def _shift(shift_id: int | None) -> Shift | None:
    if shift_id is None:
        return None
    return referenced(
        lambda: signups.get_shift(db.session(), current_actor(), shift_id), "shift_id"
    )


def _pairs(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcomes": [(o["metric_id"], o["quantity"]) for o in args["outcomes"]],
        "in_kind": [(i["description"], i["value"]) for i in args["in_kind"]],
    }


@blp.route("/contributions", methods=["POST"])
@blp.arguments(ContributionIn)
@blp.response(201, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def submit(args: dict[str, Any]) -> ResponseReturnValue:
    """Log your hours (or, as its coordinator, an organisation's) with outcomes and in-kind
    items: 0 < hours ≤ 24, no future date, at most 24 h a day. With `shift_id`: a shift you
    held (confirmed or attended) that has started, once per person and shift, dated the
    shift's local day (422 on `shift_id` or `date` otherwise); without: not before the
    programme's start or the task's creation. Answers `submitted`."""
    session, actor = db.session(), current_actor()
    task = referenced(
        lambda: contributions.get_task_for_logging(session, actor, args["task_id"]), "task_id"
    )
    org_id = args["organisation_id"]
    org = None
    if org_id is not None:
        org = referenced(
            lambda: orgs.get_organisation(session, current_actor(), org_id), "organisation_id"
        )
    log = _renaming(
        lambda: contributions.submit_log(
            session,
            actor,
            task,
            on=args["date"],
            hours=args["hours"],
            notes=args["notes"],
            organisation=org,
            shift=_shift(args["shift_id"]),
            now=utcnow(),
            **_pairs(args),
        )
    )
    session.commit()
    location = url_for("api_contributions.get_contribution", log_id=log.id)
    return log_out(log), 201, {"Location": location}


@blp.route("/contributions", methods=["GET"])
@blp.arguments(ContributionListArgs, location="query")
@blp.response(200, ContributionPage)
@token_required
def list_contributions(args: dict[str, Any]) -> ResponseReturnValue:
    """The logs you may see: yours, your organisations' (as coordinator), and those of the
    programmes your agency leads (as reviewer); newest first. Read by cursor: follow `next`
    (null at the end); `page` numbers are not accepted."""
    status = args.get("status")
    found = listings.list_logs(
        db.session(),
        current_actor(),
        status=LogStatus(status) if status else None,
        programme_id=args.get("programme_id"),
        task_id=args.get("task_id"),
        user_id=args.get("user_id"),
        mine=args["mine"],
        after=args["after"],
        per_page=args["per_page"],
    )
    items = [log_out(log) for log in found.items]
    return window_out(found, items, "api_contributions.list_contributions")


@blp.route("/contributions/<int:log_id>", methods=["GET"])
@blp.response(200, ContributionOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_contribution(log_id: int) -> ResponseReturnValue:
    """One log, for its contributor, its organisation's coordinators and its reviewers."""
    return log_out(contributions.get_log(db.session(), current_actor(), log_id))


@blp.route("/contributions/<int:log_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def review_contribution(args: dict[str, Any], log_id: int) -> ResponseReturnValue:
    """A reviewer of the lead agency approves, rejects or asks for changes (a comment is
    required unless approving); a log that is not `submitted` is 409."""
    session, actor = db.session(), current_actor()
    log = contributions.get_log(session, actor, log_id)
    review.review(session, actor, log, args["decision"], args["comment"], now=utcnow())
    session.commit()
    return log_out(log)


def _change(args: dict[str, Any], log_id: int, change: Callable[..., Any]) -> ResponseReturnValue:
    """Resubmit or edit: the fields given replace the log's, the others stay."""
    session, actor = db.session(), current_actor()
    log = contributions.get_log(session, actor, log_id)
    current = {
        "outcomes": [{"metric_id": o.metric_id, "quantity": o.quantity} for o in log.outcomes],
        "in_kind": [{"description": i.description, "value": i.value} for i in log.in_kind],
    }
    merged = {**current, **args}
    shift = _shift(args["shift_id"]) if "shift_id" in args else log.shift
    _renaming(
        lambda: change(
            session,
            actor,
            log,
            on=args.get("date", log.date),
            hours=args.get("hours", log.hours),
            notes=args.get("notes", log.notes),
            shift=shift,
            now=utcnow(),
            **_pairs(merged),
        )
    )
    session.commit()
    return log_out(log)


@blp.route("/contributions/<int:log_id>/resubmit", methods=["POST"])
@blp.arguments(ResubmitIn)
@blp.response(200, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def resubmit(args: dict[str, Any], log_id: int) -> ResponseReturnValue:
    """The contributor changes the fields given (the others stay) and submits the log again,
    after a reviewer asked for changes."""
    return _change(args, log_id, contributions.resubmit_log)


@blp.route("/contributions/<int:log_id>", methods=["PATCH"])
@blp.arguments(ResubmitIn)
@blp.response(200, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def edit(args: dict[str, Any], log_id: int) -> ResponseReturnValue:
    """The contributor changes the fields given (the others stay) of a log still `submitted`
    (waiting for review); the same rules as a new log (422 with the field), audited. After
    review: 409 (an approved log is corrected, a log sent back is resubmitted)."""
    return _change(args, log_id, contributions.edit_log)


@blp.route("/contributions/<int:log_id>/withdraw", methods=["POST"])
@blp.response(200, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def withdraw(log_id: int) -> ResponseReturnValue:
    """The contributor withdraws a log not yet approved or rejected (`submitted` or
    `changes_requested`): it becomes `withdrawn` and counts nowhere. Otherwise 409."""
    session, actor = db.session(), current_actor()
    log = contributions.get_log(session, actor, log_id)
    contributions.withdraw_log(session, actor, log, now=utcnow())
    session.commit()
    return log_out(log)
