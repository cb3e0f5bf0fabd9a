"""The schemas of tasks and shifts, and how a task or a shift is answered."""

from __future__ import annotations

from datetime import date, datetime
from typing import NotRequired, TypedDict

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.fields import (
    CursorArgs,
    CursorArgsData,
    Day,
    Id,
    Line,
    Text,
    TimeIn,
    UTCDateTime,
    window_schema,
)
from coprod.models import Shift, Task, TaskStatus
from coprod.services import localtime, shifts
from coprod.services.capacity import MAX_TAG
from coprod.services.tasks.lifecycle import MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE
from coprod.services.text import SEARCH_MAX

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


class TaskInData(TypedDict):
    """What `TaskIn` loads."""

    title: str
    description: str
    location: str
    metric_ids: list[int]
    coordinating_organisation_id: int | None
    required_qualification_ids: list[int]
    trains_qualification_id: int | None
    skills: list[str]
    ongoing: bool


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


class TaskPatchData(TypedDict):
    """What `TaskPatch` loads."""

    title: NotRequired[str]
    description: NotRequired[str]
    location: NotRequired[str]
    metric_ids: NotRequired[list[int]]
    coordinating_organisation_id: NotRequired[int | None]
    required_qualification_ids: NotRequired[list[int]]
    trains_qualification_id: NotRequired[int | None]
    skills: NotRequired[list[str]]
    ongoing: NotRequired[bool]
    status: NotRequired[str]


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


class TaskListArgsData(CursorArgsData):
    """What `TaskListArgs` loads."""

    programme_id: NotRequired[int]
    status: str
    q: str
    from_: NotRequired[date]
    to: NotRequired[date]


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


class ShiftInData(TypedDict):
    """What `ShiftIn` loads."""

    starts_at: datetime
    ends_at: datetime
    capacity: int


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


class ShiftListArgsData(CursorArgsData):
    """What `ShiftListArgs` loads."""

    past: bool


TaskWindow = window_schema(TaskListItem, "TaskWindow")
ShiftPage = window_schema(ShiftOut, "ShiftWindow")


def task_out(task: Task) -> dict[str, object]:
    keys = ("id", "programme_id", "title", "description", "location", "created_at")
    return {
        **{k: getattr(task, k) for k in keys},
        "programme_name": task.programme.name,
        "status": task.status.value,
        "coordinating_organisation_id": task.coordinating_organisation_id,
        "ongoing": task.ongoing,
        "timezone": localtime.programme_zone_name(task.programme),
    }


def task_detail(task: Task) -> dict[str, object]:
    return {
        **task_out(task),
        "metric_ids": [m.id for m in task.metrics],
        "required_qualification_ids": sorted(q.id for q in task.required_qualifications),
        "trains_qualification_id": task.trains_qualification_id,
        "skills": [s.tag for s in task.skills],
    }


def shift_out(shift: Shift, waitlisted: int) -> dict[str, object]:
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
