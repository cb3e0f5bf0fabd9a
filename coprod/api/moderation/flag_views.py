"""Reporting a proposal or a public comment (feedback) to the programme's moderators."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.moderation import blp
from coprod.api.moderation.schemas import FlagIn, FlagInData, FlagOut
from coprod.db import db, utcnow
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import ContentFlag
from coprod.services.engagement import moderation


def _flag_out(flag: ContentFlag) -> dict[str, object]:
    return {
        "id": flag.id,
        "proposal_id": flag.proposal_id,
        "feedback_id": flag.feedback_id,
        "programme_id": flag.programme_id,
        "reason": flag.reason,
        "created_at": flag.created_at,
    }


def _flagged(result: moderation.Flagged) -> ResponseReturnValue:
    if not result.created:
        raise Conflict(_("You have already reported this."))
    db.session.commit()
    return _flag_out(result.flag), 201


@blp.route("/proposals/<int:proposal_id>/flag", methods=["POST"])
@blp.arguments(FlagIn)
@blp.response(201, FlagOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def flag_proposal(args: FlagInData, proposal_id: int) -> ResponseReturnValue:
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
def flag_feedback(args: FlagInData, feedback_id: int) -> ResponseReturnValue:
    """Report a public comment to the lead agency's staff, with an optional reason; 409 when
    you reported it before, or it is not public or hidden already; 429 past FLAGS_PER_HOUR."""
    session, actor = db.session(), current_actor()
    feedback = moderation.get_feedback(session, actor, feedback_id)
    return _flagged(
        moderation.flag_feedback(session, actor, feedback, reason=args["reason"], now=utcnow())
    )
