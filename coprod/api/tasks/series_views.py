"""Shifts by the batch: a weekly series, copying shifts to another task, moving them by weeks."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict, Unpack

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Day, FieldOptions, Id, TimeIn, renamed
from coprod.api.tasks import blp
from coprod.api.tasks.schemas import ShiftOut, shift_out
from coprod.db import db, utcnow
from coprod.models import Shift
from coprod.services import shift_changes, shifts, tasks


class WeeklyIn(ma.Schema):
    first_starts_at = TimeIn(
        required=True, metadata={"description": "The first shift's start, in the future."}
    )
    first_ends_at = TimeIn(required=True, metadata={"description": "The first shift's end."})
    until = Day(required=True, metadata={"description": "The last local date of the series."})
    capacity = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-(10**6), max=10**6),
        metadata={"minimum": 1, "maximum": shifts.MAX_CAPACITY},
    )
    skip_dates = fields.List(
        Day(),
        load_default=list,
        validate=validate.Length(max=shift_changes.MAX_SKIPPED),
        metadata={
            "description": "Local dates of the series with no shift (each on the series' "
            "weekday, between the first date and until)."
        },
    )


class WeeklyInData(TypedDict):
    """What `WeeklyIn` loads."""

    first_starts_at: datetime
    first_ends_at: datetime
    until: date
    capacity: int
    skip_dates: list[date]


WEEKS = {"minimum": -shift_changes.MAX_WEEKS, "maximum": shift_changes.MAX_WEEKS}


def _weeks(**kwargs: Unpack[FieldOptions]) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(min=-(10**6), max=10**6), metadata=WEEKS, **kwargs
    )


class CopyShiftsIn(ma.Schema):
    target_task_id = Id(required=True, metadata={"description": "A task of the same programme."})
    shift_ids = fields.List(
        Id(),
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=shift_changes.MAX_COPIED),
        metadata={"description": "Shifts of this task to copy; null or absent: every future one."},
    )
    weeks = _weeks(load_default=0)


class CopyShiftsInData(TypedDict):
    """What `CopyShiftsIn` loads."""

    target_task_id: int
    shift_ids: list[int] | None
    weeks: int


class MoveShiftsIn(ma.Schema):
    weeks = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-(10**6), max=10**6),
        metadata=WEEKS | {"not": {"enum": [0]}, "description": "Not 0; negative moves earlier."},
    )


class MoveShiftsInData(TypedDict):
    """What `MoveShiftsIn` loads."""

    weeks: int


class ShiftList(ma.Schema):
    items = fields.List(fields.Nested(ShiftOut), required=True)
    total = fields.Integer(required=True)


def _shift_list(made: list[Shift]) -> dict[str, object]:
    return {"items": [shift_out(s, 0) for s in made], "total": len(made)}


@blp.route("/tasks/<int:task_id>/shifts/weekly", methods=["POST"])
@blp.arguments(WeeklyIn)
@blp.response(201, ShiftList)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_weekly_shifts(args: WeeklyInData, task_id: int) -> ResponseReturnValue:
    """Add a weekly series (at most 104 shifts) at the first shift's local time, without the
    skipped dates; the shifts share a `series_id`."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    made = renamed(
        lambda: shifts.add_weekly_shifts(
            session,
            actor,
            task,
            first_starts_at=args["first_starts_at"],
            duration=args["first_ends_at"] - args["first_starts_at"],
            until=args["until"],
            capacity=args["capacity"],
            skip=args["skip_dates"],
            now=utcnow(),
        ),
        {"starts_at": "first_starts_at", "ends_at": "first_ends_at"},
    )
    session.commit()
    location = url_for("api_tasks.list_shifts", task_id=task.id)
    return _shift_list(made), 201, {"Location": location}


@blp.route("/tasks/<int:task_id>/shifts/copy", methods=["POST"])
@blp.arguments(CopyShiftsIn)
@blp.response(201, ShiftList)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def copy_shifts(args: CopyShiftsInData, task_id: int) -> ResponseReturnValue:
    """Copy this task's shifts (the chosen ones, or every future one) to another task of the
    programme, `weeks` later or earlier at the same local time; nobody is signed up on them."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    made = shift_changes.copy_shifts(
        session,
        actor,
        task,
        target_task_id=args["target_task_id"],
        shift_ids=args["shift_ids"],
        weeks=args["weeks"],
        now=utcnow(),
    )
    session.commit()
    location = url_for("api_tasks.list_shifts", task_id=args["target_task_id"])
    return _shift_list(made), 201, {"Location": location}


@blp.route("/tasks/<int:task_id>/shifts/move", methods=["POST"])
@blp.arguments(MoveShiftsIn)
@blp.response(200, ShiftList)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def move_shifts(args: MoveShiftsInData, task_id: int) -> ResponseReturnValue:
    """Move every future shift of the task by `weeks` (-52 to 52, not 0) at the same local
    time; their people are told; refused (409) when someone would hold two shifts at once."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    moved = shift_changes.move_shifts(session, actor, task, weeks=args["weeks"], now=utcnow())
    session.commit()
    waiting = shifts.waitlist_counts(session, [s.id for s in moved])
    return {"items": [shift_out(s, waiting.get(s.id, 0)) for s in moved], "total": len(moved)}
