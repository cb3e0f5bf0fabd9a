"""Changing a log: a reviewer's decision, and its contributor's resubmit, edit and withdraw."""

from __future__ import annotations

from collections.abc import Callable

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.contributions import blp
from coprod.api.contributions._common import Items, _pairs, _renaming, _shift
from coprod.api.contributions.schemas import (
    ContributionOut,
    ResubmitIn,
    ResubmitInData,
    ReviewIn,
    ReviewInData,
    log_out,
)
from coprod.db import db, utcnow
from coprod.models import ContributionLog
from coprod.services import contributions, review


@blp.route("/contributions/<int:log_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def review_contribution(args: ReviewInData, log_id: int) -> ResponseReturnValue:
    """A reviewer of the lead agency approves, rejects or asks for changes (a comment is
    required unless approving); a log that is not `submitted` is 409."""
    session, actor = db.session(), current_actor()
    log = contributions.get_log(session, actor, log_id)
    review.review(session, actor, log, args["decision"], args["comment"], now=utcnow())
    session.commit()
    return log_out(log)


def _change(
    args: ResubmitInData, log_id: int, change: Callable[..., ContributionLog]
) -> ResponseReturnValue:
    """Resubmit or edit: the fields given replace the log's, the others stay."""
    session, actor = db.session(), current_actor()
    log = contributions.get_log(session, actor, log_id)
    current: Items = {
        "outcomes": [{"metric_id": o.metric_id, "quantity": o.quantity} for o in log.outcomes],
        "in_kind": [{"description": i.description, "value": i.value} for i in log.in_kind],
    }
    merged: Items = {
        "outcomes": args.get("outcomes", current["outcomes"]),
        "in_kind": args.get("in_kind", current["in_kind"]),
    }
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
def resubmit(args: ResubmitInData, log_id: int) -> ResponseReturnValue:
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
def edit(args: ResubmitInData, log_id: int) -> ResponseReturnValue:
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
