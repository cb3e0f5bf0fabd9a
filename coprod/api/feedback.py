"""Feedback on tasks: a volunteer's rating and comment, and what each reader may see of them."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import (
    CursorArgs,
    CursorArgsData,
    Pattern,
    UTCDateTime,
    window_out,
    window_schema,
)
from coprod.db import db, utcnow
from coprod.i18n import _, _l
from coprod.models import Feedback, User
from coprod.services import tasks
from coprod.services.engagement import feedback
from coprod.services.keyset import Window
from coprod.services.text import storable

blp = Blueprint("api_feedback", __name__, url_prefix="/api/v1", description="Feedback")


def _storable(value: str) -> None:
    if not storable(value):
        raise ma.ValidationError(_("The text contains a character that is not allowed."))


class FeedbackIn(ma.Schema):
    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "1 (poor) to 5 (excellent)."},
    )
    comment = fields.String(
        load_default="",
        validate=[
            _storable,
            validate.Length(max=feedback.MAX_COMMENT),
            Pattern(
                feedback.COMMENT_PATTERN,
                _l("Remove the control characters (line breaks and tabs are fine)."),
            ),
        ],
        metadata={"description": "Optional; line breaks and tabs allowed."},
    )
    public = fields.Boolean(
        load_default=False,
        truthy={True},
        falsy={False},
        metadata={
            "description": "true: the comment is shown on the task's public page, without "
            "the author's name; false: only the task's organisers read it."
        },
    )


class FeedbackInData(TypedDict):
    """What `FeedbackIn` loads."""

    rating: int
    comment: str
    public: bool


class FeedbackOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    rating = fields.Integer(required=True)
    comment = fields.String(required=True)
    public = fields.Boolean(required=True)
    date = fields.Date(
        required=True, metadata={"description": "The programme-local day it was given."}
    )
    created_at = UTCDateTime(required=True)
    author_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Only for the task's organisers and the author; else null."},
    )
    author_name = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Only for the task's organisers and the author; else null."},
    )
    hidden = fields.Boolean(required=True)
    hidden_reason = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Why lead staff hid it: for the author and the organisers."},
    )


class SummaryOut(ma.Schema):
    responses = fields.Integer(
        required=True, metadata={"description": "Ratings given (hidden items left out)."}
    )
    average = fields.Float(
        required=True, allow_none=True, metadata={"description": "Average rating; null: none."}
    )


class FeedbackPage(window_schema(FeedbackOut, "FeedbackItems")):  # type: ignore[misc]
    summary = fields.Nested(SummaryOut, required=True)


def _out(item: Feedback, actor: User | None) -> dict[str, object]:
    shown = feedback.shows_author(actor, item)
    return {
        "id": item.id,
        "task_id": item.task_id,
        "rating": item.rating,
        "comment": item.comment,
        "public": item.public,
        "date": item.date,
        "created_at": item.created_at,
        "author_id": item.user_id if shown else None,
        "author_name": feedback.author_name(item) if shown else None,
        "hidden": item.is_hidden,
        "hidden_reason": item.hidden_reason if shown and item.is_hidden else None,
    }


def _public_out(item: feedback.PublicComment) -> dict[str, object]:
    return {
        "id": item.id,
        "task_id": item.task_id,
        "rating": item.rating,
        "comment": item.comment,
        "public": True,
        "date": item.date,
        "created_at": item.created_at,
        "author_id": None,
        "author_name": None,
        "hidden": False,
        "hidden_reason": None,
    }


@blp.route("/tasks/<int:task_id>/feedback", methods=["POST"])
@blp.arguments(FeedbackIn)
@blp.response(201, FeedbackOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def give(args: FeedbackInData, task_id: int) -> ResponseReturnValue:
    """Rate a task you attended a shift of or logged hours on (403 otherwise), once (409 the
    second time); a comment counts against the hourly limit (429)."""
    session, actor = db.session(), current_actor()
    task = tasks.get_task(session, actor, task_id)
    item = feedback.give_feedback(
        session,
        actor,
        task,
        rating=args["rating"],
        comment=args["comment"],
        public=args["public"],
        now=utcnow(),
    )
    session.commit()
    location = url_for("api_feedback.get_feedback", feedback_id=item.id)
    return _out(item, actor), 201, {"Location": location}


@blp.route("/tasks/<int:task_id>/feedback", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, FeedbackPage)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def list_feedback(args: CursorArgsData, task_id: int) -> ResponseReturnValue:
    """A task's feedback, newest first, with its `summary`: every item with its author for the
    task's organisers (coordinators, co-coordinator, lead agency staff); the public comments
    that are not hidden, without authors, for everyone else. Read by cursor: follow `next`
    (null at the end); `page` numbers are not accepted."""
    session, actor = db.session(), optional_actor()
    task = tasks.get_task(session, actor, task_id)
    summary = feedback.feedback_summary(session, task)
    after, per_page = args["after"], args["per_page"]
    items: list[dict[str, object]]
    found: Window[Feedback] | Window[feedback.PublicComment]
    if policy.can(actor, "task.view_feedback", task):
        found = feedback.task_feedback(session, actor, task, after=after, per_page=per_page)
        items = [_out(i, actor) for i in found.items]
    else:
        found = feedback.public_feedback(session, actor, task, after=after, per_page=per_page)
        items = [_public_out(i) for i in found.items]
    return {
        **window_out(found, items, "api_feedback.list_feedback", task_id=task_id),
        "summary": {"responses": summary.responses, "average": summary.average},
    }


@blp.route("/feedback/<int:feedback_id>", methods=["GET"])
@blp.response(200, FeedbackOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_feedback(feedback_id: int) -> ResponseReturnValue:
    """One item of feedback: a public comment for everyone (without author); a private or
    hidden one for its author and the task's organisers."""
    actor = optional_actor()
    return _out(feedback.get_feedback(db.session(), actor, feedback_id), actor)
