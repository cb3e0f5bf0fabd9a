"""Tasks and their shifts: the public list, a task's page, posting and editing them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import (
    CursorArgs,
    Day,
    Id,
    Line,
    PageArgs,
    Text,
    TimeIn,
    UTCDateTime,
    page_schema,
    renamed,
    window_out,
    window_schema,
)
from coprod.cache import shared_for_visitors
from coprod.db import db, utcnow
from coprod.models import Shift, Task, TaskStatus
from coprod.services import (
    localtime,
    programmes,
    shift_changes,
    shifts,
    signups,
    tasks,
)
from coprod.services.capacity import MAX_TAG
from coprod.services.tasks import KEEP
from coprod.services.tasks.lifecycle import MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE
from coprod.services.text import SEARCH_MAX

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1", description="Tasks and shifts")

STATUSES = [s.value for s in TaskStatus]
ZONE_HELP = "IANA zone of the programme (its local time): times here are UTC instants."


QUALS_HELP = (
    "Qualifications everyone on its shifts must hold on the shift's date: non-archived ones of "
    "the lead agency, its partners or the coordinating organisation (422 otherwise)."
)
SKILLS_HELP = "Skill tags (at most 20, each at most 40 characters), stored lower case."


class TaskIn(ma.Schema):
    title = Line(max_len=MAX_TITLE, required=True)
    description = Text(max_len=MAX_DESCRIPTION, load_default="")
    location = Line(max_len=MAX_LOCATION, blank=True, load_default="")
    metric_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    coordinating_organisation_id = Id(allow_none=True, load_default=None)
    required_qualification_ids = fields.List(
        Id(),
        validate=validate.Length(max=100),
        load_default=list,
        metadata={"description": QUALS_HELP},
    )
    trains_qualification_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Attendance on its shifts awards this one."},
    )
    skills = fields.List(
        Line(max_len=MAX_TAG, blank=True),
        validate=validate.Length(max=100),
        load_default=list,
        metadata={"description": SKILLS_HELP},
    )
    ongoing = fields.Boolean(
        load_default=False,
        metadata={
            "description": "An ongoing task has no shifts: people log hours whenever they do "
            "the work. It can be published without a shift; a task with shifts cannot become "
            "ongoing (422 on this field), and an ongoing task takes no shifts (409)."
        },
    )


class TaskPatch(ma.Schema):
    title = Line(max_len=MAX_TITLE)
    description = Text(max_len=MAX_DESCRIPTION)
    location = Line(max_len=MAX_LOCATION, blank=True)
    metric_ids = fields.List(Id(), validate=validate.Length(max=100))
    coordinating_organisation_id = Id(allow_none=True)
    required_qualification_ids = fields.List(
        Id(),
        validate=validate.Length(max=100),
        metadata={"description": QUALS_HELP},
    )
    trains_qualification_id = Id(
        allow_none=True, metadata={"description": "Attendance on its shifts awards this one."}
    )
    skills = fields.List(
        Line(max_len=MAX_TAG, blank=True),
        validate=validate.Length(max=100),
        metadata={"description": SKILLS_HELP},
    )
    ongoing = fields.Boolean(
        metadata={
            "description": "An ongoing task has no shifts: people log hours whenever they do "
            "the work. It can be published without a shift; a task with shifts cannot become "
            "ongoing (422 on this field), and an ongoing task takes no shifts (409)."
        }
    )
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "draft → open → closed → completed, or → cancelled."},
    )


class TaskOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    programme_name = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    location = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    coordinating_organisation_id = fields.Integer(allow_none=True)
    ongoing = fields.Boolean(
        required=True,
        metadata={"description": "No shifts: people log hours whenever they do the work."},
    )
    created_at = UTCDateTime(required=True)
    timezone = fields.String(required=True, metadata={"description": ZONE_HELP})


class TaskDetail(TaskOut):
    metric_ids = fields.List(fields.Integer(), required=True)
    required_qualification_ids = fields.List(
        fields.Integer(), required=True, metadata={"description": QUALS_HELP}
    )
    trains_qualification_id = fields.Integer(allow_none=True, required=True)
    skills = fields.List(fields.String(), required=True)


class TaskListItem(TaskOut):
    next_starts_at = UTCDateTime(
        allow_none=True, metadata={"description": "null for an ongoing task (no shifts)."}
    )
    upcoming_shifts = fields.Integer(allow_none=True)
    free_places = fields.Integer(
        allow_none=True,
        metadata={"description": "Places left on its upcoming shifts; null for an ongoing task."},
    )


SEARCH_HELP = (
    "Search words: each word of 3 characters or more must appear in the title, description "
    "or location, in any case; part of a word is enough; shorter words are left out (a search "
    "of short words alone is a 422 on q)."
)


class TaskListArgs(CursorArgs):
    programme_id = Id(strict=False)
    status = fields.String(load_default=TaskStatus.OPEN.value, validate=validate.OneOf(STATUSES))
    q = Line(max_len=SEARCH_MAX, blank=True, load_default="", metadata={"description": SEARCH_HELP})
    from_ = Day(data_key="from", metadata={"description": "With a shift on or after this day."})
    to = Day(metadata={"description": "With a shift on or before this day."})


class ShiftIn(ma.Schema):
    starts_at = TimeIn(
        required=True,
        metadata={
            "description": "In the future; an instant with its offset (2026-03-28T09:00:00+00:00)."
        },
    )
    ends_at = TimeIn(required=True, metadata={"description": "After starts_at."})
    # The range is enforced by the service, which reports it with the times' errors at once.
    capacity = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-(10**6), max=10**6),
        metadata={"minimum": 1, "maximum": shifts.MAX_CAPACITY},
    )


class ShiftOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    capacity = fields.Integer(required=True)
    confirmed = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    free_places = fields.Integer(required=True)
    timezone = fields.String(required=True, metadata={"description": ZONE_HELP})
    status = fields.String(
        required=True,
        validate=validate.OneOf(["live", "cancelled"]),
        metadata={"description": "cancelled: nobody can join it; its sign-ups ended."},
    )
    cancelled_at = UTCDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    series_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Shared by the shifts of one weekly series (null: none)."},
    )


class ShiftListArgs(CursorArgs):
    past = fields.Boolean(load_default=False, metadata={"description": "Past shifts instead."})


TaskWindow = window_schema(TaskListItem, "TaskWindow")
ShiftPage = window_schema(ShiftOut, "ShiftWindow")


def task_out(task: Task) -> dict[str, Any]:
    keys = ("id", "programme_id", "title", "description", "location", "created_at")
    return {
        **{k: getattr(task, k) for k in keys},
        "programme_name": task.programme.name,
        "status": task.status.value,
        "coordinating_organisation_id": task.coordinating_organisation_id,
        "ongoing": task.ongoing,
        "timezone": localtime.programme_zone_name(task.programme),
    }


def task_detail(task: Task) -> dict[str, Any]:
    return {
        **task_out(task),
        "metric_ids": [m.id for m in task.metrics],
        "required_qualification_ids": sorted(q.id for q in task.required_qualifications),
        "trains_qualification_id": task.trains_qualification_id,
        "skills": [s.tag for s in task.skills],
    }


def shift_out(shift: Shift, waitlisted: int) -> dict[str, Any]:
    keys = ("id", "task_id", "starts_at", "ends_at", "capacity", "confirmed", "free_places")
    zone = localtime.programme_zone_name(shift.task.programme)
    return {
        **{k: getattr(shift, k) for k in keys},
        "waitlisted": waitlisted,
        "timezone": zone,
        "status": "cancelled" if shift.is_cancelled else "live",
        "cancelled_at": shift.cancelled_at,
        "cancel_reason": shift.cancel_reason if shift.is_cancelled else None,
        "series_id": shift.series_id,
    }


@blp.route("/tasks", methods=["GET"])
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskWindow)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@shared_for_visitors
def list_tasks(args: dict[str, Any]) -> ResponseReturnValue:
    """Tasks by status (open by default), filtered by programme, search words and shift dates;
    drafts and cancelled tasks only for those who run them. Soonest next shift first, then
    tasks with none to come, by id; read by cursor (`next`)."""
    result = renamed(
        lambda: tasks.list_tasks(
            db.session(),
            optional_actor(),
            status=args["status"],
            programme_id=args.get("programme_id"),
            q=args["q"],
            date_from=args.get("from_"),
            date_to=args.get("to"),
            after=args["after"],
            per_page=args["per_page"],
            counted=False,
            now=utcnow(),
        ),
        {"date_from": "from", "date_to": "to"},
    )
    items = [
        {
            **task_out(s.task),
            "next_starts_at": s.next_starts_at,
            "upcoming_shifts": s.upcoming_shifts,
            "free_places": None if s.task.ongoing else s.free_places,
        }
        for s in result.items
    ]
    return window_out(result.window, items, "api_tasks.list_tasks")


@blp.route("/tasks/<int:task_id>", methods=["GET"])
@blp.response(200, TaskDetail)
@blp.alt_response(404, response="NOT_FOUND")
def get_task(task_id: int) -> ResponseReturnValue:
    """One task (drafts and cancelled tasks only for those who run them)."""
    return task_detail(tasks.get_task(db.session(), optional_actor(), task_id))


@blp.route("/programmes/<int:programme_id>/tasks", methods=["POST"])
@blp.arguments(TaskIn)
@blp.response(201, TaskDetail)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_task(args: dict[str, Any], programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff post a task; it starts as a draft."""
    session = db.session()
    programme = programmes.get_programme(session, current_actor(), programme_id)
    task = tasks.create_task(session, current_actor(), programme, **args)
    session.commit()
    location = url_for("api_tasks.get_task", task_id=task.id)
    return task_detail(task), 201, {"Location": location}


@blp.route("/tasks/<int:task_id>", methods=["PATCH"])
@blp.arguments(TaskPatch)
@blp.response(200, TaskDetail)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_task(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
    """Change a task's fields (lead staff; its coordinators only description and location)
    and move it along its lifecycle with `status` (publishing needs a future shift unless the
    task is ongoing)."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    status = args.pop("status", None)
    if not args and status is None:
        policy.require(actor, "task.edit_description", task)  # nothing to change, still checked
    if args:
        tasks.update_task(
            session,
            actor,
            task,
            description=args.get("description", task.description),
            location=args.get("location", task.location),
            title=args.get("title", KEEP),
            metric_ids=args.get("metric_ids", KEEP),
            coordinating_organisation_id=args.get("coordinating_organisation_id", KEEP),
            ongoing=args.get("ongoing", KEEP),
            required_qualification_ids=args.get("required_qualification_ids", KEEP),
            trains_qualification_id=args.get("trains_qualification_id", KEEP),
            skills=args.get("skills", KEEP),
        )
    if status is not None and status != task.status:
        tasks.transition_task(session, actor, task, status, now=utcnow())
    elif status is not None:
        policy.require(actor, "task.manage", task)
    session.commit()
    return task_detail(task)


@blp.route("/tasks/<int:task_id>/shifts", methods=["GET"])
@blp.arguments(ShiftListArgs, location="query")
@blp.response(200, ShiftPage)
@blp.alt_response(404, response="NOT_FOUND")
def list_shifts(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
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
def create_shift(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
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


# --- changing shifts (coprod/services/shift_changes.py) --------------------------------------


class CancelShiftIn(ma.Schema):
    reason = Line(
        max_len=shift_changes.MAX_REASON,
        blank=True,
        load_default="",
        metadata={"description": "Why (sent to the volunteers, shown on the task page)."},
    )


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


WEEKS = {"minimum": -shift_changes.MAX_WEEKS, "maximum": shift_changes.MAX_WEEKS}


def _weeks(**kwargs: Any) -> fields.Integer:
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


class MoveShiftsIn(ma.Schema):
    weeks = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=-(10**6), max=10**6),
        metadata=WEEKS | {"not": {"enum": [0]}, "description": "Not 0; negative moves earlier."},
    )


class RemovedOut(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["deleted", "cancelled"]))
    shift = fields.Nested(ShiftOut, allow_none=True, required=True)


class ShiftList(ma.Schema):
    items = fields.List(fields.Nested(ShiftOut), required=True)
    total = fields.Integer(required=True)


def _shift_list(made: list[Shift]) -> dict[str, Any]:
    return {"items": [shift_out(s, 0) for s in made], "total": len(made)}


@blp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@blp.arguments(CancelShiftIn)
@blp.response(200, ShiftOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def cancel_shift(args: dict[str, Any], shift_id: int) -> ResponseReturnValue:
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
def remove_from_series(args: dict[str, Any], shift_id: int) -> ResponseReturnValue:
    """Take one date out of its weekly series: deleted when nobody is or was on it (`shift`
    null), otherwise cancelled with a notice (`reason` is sent)."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    outcome = shift_changes.remove_from_series(
        session, actor, shift, reason=args["reason"], now=utcnow()
    )
    session.commit()
    return {"outcome": outcome, "shift": shift_out(shift, 0) if outcome == "cancelled" else None}


@blp.route("/tasks/<int:task_id>/shifts/weekly", methods=["POST"])
@blp.arguments(WeeklyIn)
@blp.response(201, ShiftList)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_weekly_shifts(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
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
def copy_shifts(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
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
def move_shifts(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
    """Move every future shift of the task by `weeks` (-52 to 52, not 0) at the same local
    time; their people are told; refused (409) when someone would hold two shifts at once."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    moved = shift_changes.move_shifts(session, actor, task, weeks=args["weeks"], now=utcnow())
    session.commit()
    waiting = shifts.waitlist_counts(session, [s.id for s in moved])
    return {"items": [shift_out(s, waiting.get(s.id, 0)) for s in moved], "total": len(moved)}


class InterestOut(ma.Schema):
    task_id = fields.Integer(required=True)
    interested = fields.Boolean(required=True)
    since = UTCDateTime(
        allow_none=True, metadata={"description": "When you said so; null when you are not."}
    )


class InterestedPerson(ma.Schema):
    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True)
    since = UTCDateTime(required=True)


InterestedPage = page_schema(InterestedPerson, "InterestedPage")


@blp.route("/tasks/<int:task_id>/interest", methods=["POST"])
@blp.response(200, InterestOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def express_interest(task_id: int) -> ResponseReturnValue:
    """Say "I'm interested" in an open ongoing task: you join its contact list for its
    coordinators. Saying it again changes nothing (200 both times); 403 until your email
    address is confirmed, 409 for a task that is not open and ongoing."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    interest = tasks.express_interest(session, actor, task, now=utcnow())
    session.commit()
    return {"task_id": task.id, "interested": True, "since": interest.created_at}


@blp.route("/tasks/<int:task_id>/interest", methods=["DELETE"])
@blp.response(200, InterestOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def withdraw_interest(task_id: int) -> ResponseReturnValue:
    """No longer interested: you leave the task's contact list (200 also when you were not
    on it)."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    tasks.withdraw_interest(session, actor, task)
    session.commit()
    return {"task_id": task.id, "interested": False, "since": None}


@blp.route("/tasks/<int:task_id>/interested", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, InterestedPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def list_interested(args: dict[str, Any], task_id: int) -> ResponseReturnValue:
    """The task's contact list (name, email, phone; the earliest first), for its coordinators
    and the lead agency's staff."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    page = tasks.list_interested(session, actor, task, page=args["page"], per_page=args["per_page"])
    items = [
        {
            "user_id": i.user_id,
            "display_name": i.person.display_name,
            "email": i.person.email,
            "phone": i.person.phone,
            "since": i.created_at,
        }
        for i in page.items
    ]
    return {**page.__dict__, "items": items}
