"""Moderation: report a proposal or a public comment; lead staff hide it with a reason (its
author reads it), show it again, dismiss the reports, and read the programme's queue."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Check, CursorArgs, Pattern, UTCDateTime, window_out, window_schema
from coprod.db import db, utcnow
from coprod.errors import Conflict
from coprod.i18n import _, _l
from coprod.models import ContentFlag, Feedback, Proposal
from coprod.services import programmes
from coprod.services.engagement import moderation
from coprod.services.text import SPACE_CLASS, storable

blp = Blueprint(
    "api_moderation",
    __name__,
    url_prefix="/api/v1",
    description="Reporting proposals and public comments; hiding them (lead agency staff)",
)

# A reason: line breaks (taken as spaces) but no other control character, at most 500.
_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS = r"\t\n\r\u2028\u2029"
REASON_PATTERN = rf"^[^{_REFUSED}]*$"
NON_BLANK_REASON_PATTERN = rf"^[^{_REFUSED}]*[^{_REFUSED}{_BREAKS}{SPACE_CLASS}][^{_REFUSED}]*$"
REASON_DOC = (
    f"At most {moderation.MAX_REASON} characters; line breaks become spaces, other control "
    "characters are refused."
)


def _storable(value: str) -> None:
    if not storable(value):
        raise ma.ValidationError(_("The text contains a character that is not allowed."))


def Reason(*, required: bool) -> fields.String:
    pattern = Pattern(
        NON_BLANK_REASON_PATTERN if required else REASON_PATTERN,
        _l("Enter the reason, without control characters other than line breaks.")
        if required
        else _l("Remove the control characters (line breaks are fine)."),
    )
    checks: list[Check] = [
        _storable,
        pattern,
        validate.Length(min=1 if required else None, max=500),
    ]
    if required:
        return fields.String(required=True, validate=checks, metadata={"description": REASON_DOC})
    return fields.String(load_default="", validate=checks, metadata={"description": REASON_DOC})


class FlagIn(ma.Schema):
    reason = Reason(required=False)


class HideIn(ma.Schema):
    reason = Reason(required=True)


class FlagOut(ma.Schema):
    id = fields.Integer(required=True)
    proposal_id = fields.Integer(allow_none=True)
    feedback_id = fields.Integer(allow_none=True)
    programme_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    created_at = UTCDateTime(required=True)


class ModeratedOut(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(["proposal", "feedback"]))
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    hidden_at = UTCDateTime(allow_none=True)
    hidden_reason = fields.String(required=True, metadata={"description": "Its author reads it."})
    hidden_by_id = fields.Integer(allow_none=True)


class DismissedOut(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(["proposal", "feedback"]))
    id = fields.Integer(required=True)
    dismissed = fields.Integer(required=True, metadata={"description": "Reports resolved now."})


class QueueArgs(CursorArgs):
    show = fields.String(
        load_default="open",
        validate=validate.OneOf(["open", "hidden"]),
        metadata={"description": "open: items with reports to look at; hidden: hidden items."},
    )


class QueueItemOut(ModeratedOut):
    title = fields.String(required=True, metadata={"description": "A proposal's title; ''."})
    text = fields.String(required=True, metadata={"description": "What it says."})
    task_id = fields.Integer(allow_none=True, metadata={"description": "A comment's task."})
    rating = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    author_name = fields.String(allow_none=True)
    open_flags = fields.Integer(required=True)
    latest_flag_at = UTCDateTime(allow_none=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "Latest."})


QueuePage = window_schema(QueueItemOut, "ModerationQueueWindow")


def _flag_out(flag: ContentFlag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "proposal_id": flag.proposal_id,
        "feedback_id": flag.feedback_id,
        "programme_id": flag.programme_id,
        "reason": flag.reason,
        "created_at": flag.created_at,
    }


def _moderated_out(item: Proposal | Feedback) -> dict[str, Any]:
    return {
        "type": "proposal" if isinstance(item, Proposal) else "feedback",
        "id": item.id,
        "programme_id": item.programme_id,
        "hidden": item.hidden_at is not None,
        "hidden_at": item.hidden_at,
        "hidden_reason": item.hidden_reason,
        "hidden_by_id": item.hidden_by_id,
    }


def _queue_out(entry: moderation.QueueItem) -> dict[str, Any]:
    item = entry.item
    proposal = isinstance(item, Proposal)
    return {
        **_moderated_out(item),
        "title": item.title if isinstance(item, Proposal) else "",
        "text": item.what if isinstance(item, Proposal) else item.comment,
        "task_id": None if proposal else getattr(item, "task_id", None),
        "rating": None if proposal else getattr(item, "rating", None),
        "author_id": item.author_id if isinstance(item, Proposal) else item.user_id,
        "author_name": entry.author.display_name if entry.author else None,
        "open_flags": entry.open_flags,
        "latest_flag_at": entry.latest_flag_at,
        "reasons": entry.reasons,
    }


def _flagged(result: moderation.Flagged) -> ResponseReturnValue:
    if not result.created:
        raise Conflict(_("You have already reported this."))
    db.session.commit()
    return _flag_out(result.flag), 201


# --- reporting ------------------------------------------------------------------------------


@blp.route("/proposals/<int:proposal_id>/flag", methods=["POST"])
@blp.arguments(FlagIn)
@blp.response(201, FlagOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def flag_proposal(args: dict[str, Any], proposal_id: int) -> ResponseReturnValue:
    """Report a proposal to the lead agency's staff, with an optional reason; 409 when you
    reported it before (or it is hidden already), 429 past FLAGS_PER_HOUR reports an hour."""
    session, actor = db.session(), current_actor()
    proposal = moderation.get_proposal(session, actor, proposal_id)
    return _flagged(
        moderation.flag_proposal(session, actor, proposal, reason=args["reason"], now=utcnow())
    )


@blp.route("/feedback/<int:feedback_id>/flag", methods=["POST"])
@blp.arguments(FlagIn)
@blp.response(201, FlagOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def flag_feedback(args: dict[str, Any], feedback_id: int) -> ResponseReturnValue:
    """Report a public comment to the lead agency's staff, with an optional reason; 409 when
    you reported it before, or it is not public or hidden already; 429 past FLAGS_PER_HOUR."""
    session, actor = db.session(), current_actor()
    feedback = moderation.get_feedback(session, actor, feedback_id)
    return _flagged(
        moderation.flag_feedback(session, actor, feedback, reason=args["reason"], now=utcnow())
    )


# --- hiding, restoring, dismissing (lead staff) -----------------------------------------------


@blp.route("/proposals/<int:proposal_id>/hide", methods=["POST"])
@blp.arguments(HideIn)
@blp.response(200, ModeratedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def hide_proposal(args: dict[str, Any], proposal_id: int) -> ResponseReturnValue:
    """Hide a proposal from the public pages with a reason its author reads (lead agency
    staff); its open reports are resolved. 409 when it is hidden already."""
    session, actor = db.session(), current_actor()
    proposal = moderation.get_proposal(session, actor, proposal_id)
    moderation.hide_proposal(session, actor, proposal, reason=args["reason"], now=utcnow())
    session.commit()
    return _moderated_out(proposal)


@blp.route("/feedback/<int:feedback_id>/hide", methods=["POST"])
@blp.arguments(HideIn)
@blp.response(200, ModeratedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def hide_feedback(args: dict[str, Any], feedback_id: int) -> ResponseReturnValue:
    """Hide a comment (its rating leaves the reports) with a reason its author reads (lead
    agency staff); its open reports are resolved. 409 when it is hidden already."""
    session, actor = db.session(), current_actor()
    feedback = moderation.get_feedback(session, actor, feedback_id)
    moderation.hide_feedback(session, actor, feedback, reason=args["reason"], now=utcnow())
    session.commit()
    return _moderated_out(feedback)


@blp.route("/proposals/<int:proposal_id>/restore", methods=["POST"])
@blp.response(200, ModeratedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def restore_proposal(proposal_id: int) -> ResponseReturnValue:
    """Show a hidden proposal again (lead agency staff); 409 when it is not hidden."""
    session, actor = db.session(), current_actor()
    proposal = moderation.get_proposal(session, actor, proposal_id)
    moderation.restore_proposal(session, actor, proposal, now=utcnow())
    session.commit()
    return _moderated_out(proposal)


@blp.route("/feedback/<int:feedback_id>/restore", methods=["POST"])
@blp.response(200, ModeratedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def restore_feedback(feedback_id: int) -> ResponseReturnValue:
    """Show a hidden comment again (lead agency staff); 409 when it is not hidden."""
    session, actor = db.session(), current_actor()
    feedback = moderation.get_feedback(session, actor, feedback_id)
    moderation.restore_feedback(session, actor, feedback, now=utcnow())
    session.commit()
    return _moderated_out(feedback)


@blp.route("/proposals/<int:proposal_id>/dismiss-flags", methods=["POST"])
@blp.response(200, DismissedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def dismiss_proposal_flags(proposal_id: int) -> ResponseReturnValue:
    """The proposal is fine: its open reports are resolved and it stays shown (lead staff)."""
    session, actor = db.session(), current_actor()
    proposal = moderation.get_proposal(session, actor, proposal_id)
    dismissed = moderation.dismiss_flags(session, actor, proposal, utcnow())
    session.commit()
    return {"type": "proposal", "id": proposal.id, "dismissed": dismissed}


@blp.route("/feedback/<int:feedback_id>/dismiss-flags", methods=["POST"])
@blp.response(200, DismissedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def dismiss_feedback_flags(feedback_id: int) -> ResponseReturnValue:
    """The comment is fine: its open reports are resolved and it stays shown (lead staff)."""
    session, actor = db.session(), current_actor()
    feedback = moderation.get_feedback(session, actor, feedback_id)
    dismissed = moderation.dismiss_flags(session, actor, feedback, utcnow())
    session.commit()
    return {"type": "feedback", "id": feedback.id, "dismissed": dismissed}


# --- the queue ------------------------------------------------------------------------------


@blp.route("/programmes/<int:programme_id>/flags", methods=["GET"])
@blp.arguments(QueueArgs, location="query")
@blp.response(200, QueuePage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def list_flags(args: dict[str, Any], programme_id: int) -> ResponseReturnValue:
    """The programme's moderation queue (lead agency staff): items with open reports, the
    most recently reported first, with the count, the latest reasons and the author; or,
    with show=hidden, the hidden items, the latest hidden first. Read by cursor: follow `next`
    (null at the end); `page` numbers are not accepted."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    found = moderation.moderation_queue(
        session,
        actor,
        programme,
        after=args["after"],
        per_page=args["per_page"],
        show=args["show"],
    )
    items = [_queue_out(entry) for entry in found.items]
    return window_out(found, items, "api_moderation.list_flags", programme_id=programme_id)
