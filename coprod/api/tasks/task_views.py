"""Tasks: the public list, a task's page, posting and editing one."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import renamed, window_out
from coprod.api.tasks import blp
from coprod.api.tasks.schemas import (
    TaskDetail,
    TaskIn,
    TaskInData,
    TaskListArgs,
    TaskListArgsData,
    TaskPatch,
    TaskPatchData,
    TaskWindow,
    task_detail,
    task_out,
)
from coprod.cache import shared_for_visitors
from coprod.db import db, utcnow
from coprod.services import programmes, tasks
from coprod.services.tasks import KEEP


@blp.route("/tasks", methods=["GET"])
@blp.arguments(TaskListArgs, location="query")
@blp.response(200, TaskWindow)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@shared_for_visitors
def list_tasks(args: TaskListArgsData) -> ResponseReturnValue:
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
def create_task(args: TaskInData, programme_id: int) -> ResponseReturnValue:
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
def update_task(args: TaskPatchData, task_id: int) -> ResponseReturnValue:
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
