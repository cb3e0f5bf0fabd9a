"""Lead staff hide an item with a reason, show it again, or dismiss its reports."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.moderation import blp
from coprod.api.moderation._common import _moderated_out
from coprod.api.moderation.schemas import DismissedOut, HideIn, HideInData, ModeratedOut
from coprod.db import db, utcnow
from coprod.services.engagement import moderation


@blp.route("/proposals/<int:proposal_id>/hide", methods=["POST"])
@blp.arguments(HideIn)
@blp.response(200, ModeratedOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def hide_proposal(args: HideInData, proposal_id: int) -> ResponseReturnValue:
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
def hide_feedback(args: HideInData, feedback_id: int) -> ResponseReturnValue:
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
