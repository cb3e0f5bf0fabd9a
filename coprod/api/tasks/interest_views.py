"""Interest in an ongoing task: saying so, withdrawing it, and the task's contact list."""

from __future__ import annotations

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import PageArgs, PageArgsData, UTCDateTime, page_schema
from coprod.api.tasks import blp
from coprod.db import db, utcnow
from coprod.services import tasks


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
def list_interested(args: PageArgsData, task_id: int) -> ResponseReturnValue:
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
