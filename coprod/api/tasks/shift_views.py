"""A task's shifts: listing, adding, reading, cancelling one and taking one out of its series."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import Line, window_out
from coprod.api.tasks import blp
from coprod.api.tasks.schemas import (
    ShiftIn,
    ShiftInData,
    ShiftListArgs,
    ShiftListArgsData,
    ShiftOut,
    ShiftPage,
    shift_out,
)
from coprod.db import db, utcnow
from coprod.services import shift_changes, shifts, signups, tasks


@blp.route("/tasks/<int:task_id>/shifts", methods=["GET"])
@blp.arguments(ShiftListArgs, location="query")
@blp.response(200, ShiftPage)
@blp.alt_response(404, response="NOT_FOUND")
def list_shifts(args: ShiftListArgsData, task_id: int) -> ResponseReturnValue:
    """The task's shifts still to come (soonest first), or its past ones (latest first). Read
    by cursor: follow `next` (null at the end); `page` numbers are not accepted."""
    session, actor = db.session(), optional_actor()
    task = tasks.get_task(session, actor, task_id)
    found = shifts.list_task_shifts(
        session,
        actor,
        task,
        past=args["past"],
        after=args["after"],
        per_page=args["per_page"],
        now=utcnow(),
    )
    waiting = shifts.waitlist_counts(session, [s.id for s in found.items])
    items = [shift_out(s, waiting.get(s.id, 0)) for s in found.items]
    return window_out(found, items, "api_tasks.list_shifts", task_id=task_id)


@blp.route("/tasks/<int:task_id>/shifts", methods=["POST"])
@blp.arguments(ShiftIn)
@blp.response(201, ShiftOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_shift(args: ShiftInData, task_id: int) -> ResponseReturnValue:
    """The lead agency's staff add a future shift with a number of places (never to an ongoing
    task: 409)."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    shift = shifts.add_shift(session, actor, task, now=utcnow(), **args)
    session.commit()
    location = url_for("api_tasks.get_shift", shift_id=shift.id)
    return shift_out(shift, 0), 201, {"Location": location}


@blp.route("/shifts/<int:shift_id>", methods=["GET"])
@blp.response(200, ShiftOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_shift(shift_id: int) -> ResponseReturnValue:
    """One shift with its places taken and its waitlist."""
    session = db.session()
    shift = signups.get_shift(session, optional_actor(), shift_id)
    return shift_out(shift, signups.count_waitlisted(session, shift))


class CancelShiftIn(ma.Schema):
    reason = Line(
        max_len=shift_changes.MAX_REASON,
        blank=True,
        load_default="",
        metadata={"description": "Why (sent to the volunteers, shown on the task page)."},
    )


class CancelShiftInData(TypedDict):
    """What `CancelShiftIn` loads."""

    reason: str


class RemovedOut(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["deleted", "cancelled"]))
    shift = fields.Nested(ShiftOut, allow_none=True, required=True)


@blp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@blp.arguments(CancelShiftIn)
@blp.response(200, ShiftOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def cancel_shift(args: CancelShiftInData, shift_id: int) -> ResponseReturnValue:
    """Cancel a shift that has not started (lead staff): its confirmed and waitlisted people
    are emailed and their sign-ups end (`shift_cancelled`); the shift stays, cancelled."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    shift_changes.cancel_shift(session, actor, shift, reason=args["reason"], now=utcnow())
    session.commit()
    return shift_out(shift, 0)


@blp.route("/shifts/<int:shift_id>/remove-from-series", methods=["POST"])
@blp.arguments(CancelShiftIn)
@blp.response(200, RemovedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def remove_from_series(args: CancelShiftInData, shift_id: int) -> ResponseReturnValue:
    """Take one date out of its weekly series: deleted when nobody is or was on it (`shift`
    null), otherwise cancelled with a notice (`reason` is sent)."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    outcome = shift_changes.remove_from_series(
        session, actor, shift, reason=args["reason"], now=utcnow()
    )
    session.commit()
    return {"outcome": outcome, "shift": shift_out(shift, 0) if outcome == "cancelled" else None}
