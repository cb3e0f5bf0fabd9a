"""Proposals: residents' ideas for tasks, their supports and the lead agency's answers."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import current_app, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import CursorArgs, CursorArgsData, Line, Text, window_out, window_schema
from coprod.db import db, utcnow
from coprod.models import Proposal, ProposalStatus, User
from coprod.services import programmes
from coprod.services.engagement import proposals

blp = Blueprint(
    "api_proposals", __name__, url_prefix="/api/v1", description="Proposals from residents"
)

STATUSES = [s.value for s in ProposalStatus]
ANSWERS = [s.value for s in proposals.ANSWER_CHOICES]


class ProposalIn(ma.Schema):
    title = Line(max_len=proposals.MAX_TITLE, required=True)
    what = Text(
        max_len=proposals.MAX_TEXT,
        blank=False,
        required=True,
        metadata={"description": "What should be done, and where."},
    )
    location = Line(max_len=proposals.MAX_LOCATION, blank=True, load_default="")
    why = Text(max_len=proposals.MAX_TEXT, load_default="")
    contribution = Text(
        max_len=proposals.MAX_TEXT,
        load_default="",
        metadata={"description": "What the proposer could do themself."},
    )
    anonymous = fields.Boolean(
        load_default=False,
        metadata={"description": "Shown as “a resident” instead of the display name."},
    )


class ProposalInData(TypedDict):
    """What `ProposalIn` loads."""

    title: str
    what: str
    location: str
    why: str
    contribution: str
    anonymous: bool


class AnswerIn(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(ANSWERS))
    answer = Text(
        max_len=proposals.MAX_TEXT,
        blank=False,
        required=True,
        metadata={"description": "The public answer, required for every answer."},
    )
    add_coordinator = fields.Boolean(
        load_default=False,
        metadata={"description": "When accepting: the proposer co-coordinates the draft task."},
    )


class AnswerInData(TypedDict):
    """What `AnswerIn` loads."""

    status: str
    answer: str
    add_coordinator: bool


class ProposalListArgs(CursorArgs):
    q = Line(
        max_len=proposals.MAX_QUERY,
        blank=True,
        load_default="",
        metadata={"description": "Words in the title, what or location."},
    )
    sort = fields.String(
        load_default="supported",
        validate=validate.OneOf(proposals.SORTS),
        metadata={"description": "supported (most supported first) or newest."},
    )
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class ProposalListArgsData(CursorArgsData):
    """What `ProposalListArgs` loads."""

    q: str
    sort: str
    status: str | None


class ProposalOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    title = fields.String(required=True)
    what = fields.String(required=True)
    location = fields.String(required=True)
    why = fields.String(required=True)
    contribution = fields.String(required=True)
    author = fields.String(
        required=True, metadata={"description": "Display name, or “a resident”."}
    )
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    supports = fields.Integer(required=True)
    supporting = fields.Boolean(
        required=True, metadata={"description": "Whether the caller supports it."}
    )
    answer = fields.String(required=True)
    answered_at = fields.DateTime(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    hidden = fields.Boolean(required=True)
    hidden_reason = fields.String(
        metadata={"description": "Why it was hidden: for its author and the lead staff only."}
    )
    created_at = fields.DateTime(required=True)


ProposalPage = window_schema(ProposalOut, "ProposalWindow")


def proposal_out(proposal: Proposal, actor: User | None, supporting: bool) -> dict[str, object]:
    keys = ("id", "programme_id", "title", "what", "location", "why", "contribution")
    out: dict[str, object] = {
        **{k: getattr(proposal, k) for k in keys},
        "author": proposals.author_label(proposal),
        "status": proposal.status.value,
        "supports": proposal.supports,
        "supporting": supporting,
        "answer": proposal.answer,
        "answered_at": proposal.answered_at,
        "task_id": proposal.task_id,
        "hidden": proposal.is_hidden,
        "created_at": proposal.created_at,
    }
    own = actor is not None and proposal.author_id == actor.id
    if proposal.is_hidden and (own or policy.can(actor, "proposal.hide", proposal)):
        out["hidden_reason"] = proposal.hidden_reason
    return out


def _one(proposal: Proposal) -> dict[str, object]:
    actor = optional_actor()
    supporting = proposals.is_supporting(db.session(), actor, proposal)
    return proposal_out(proposal, actor, supporting)


@blp.route("/programmes/<int:programme_id>/proposals", methods=["GET"])
@blp.arguments(ProposalListArgs, location="query")
@blp.response(200, ProposalPage)
@blp.alt_response(404, response="NOT_FOUND")
def list_proposals(args: ProposalListArgsData, programme_id: int) -> ResponseReturnValue:
    """A programme's proposals (hidden ones only for their author and the lead staff), the
    most supported or the newest first. Read by cursor: follow `next` (null at the end);
    `page` numbers are not accepted."""
    session, actor = db.session(), optional_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    found = proposals.list_proposals(
        session,
        actor,
        programme,
        q=args["q"],
        sort=args["sort"],
        status=args["status"],
        after=args["after"],
        per_page=args["per_page"],
    )
    mine = proposals.supported_ids(session, actor, [p.id for p in found.items])
    items = [proposal_out(p, actor, p.id in mine) for p in found.items]
    return window_out(found, items, "api_proposals.list_proposals", programme_id=programme_id)


@blp.route("/programmes/<int:programme_id>/proposals", methods=["POST"])
@blp.arguments(ProposalIn)
@blp.response(201, ProposalOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def create_proposal(args: ProposalInData, programme_id: int) -> ResponseReturnValue:
    """Propose a task for a programme that accepts proposals (a confirmed email address is
    needed; at most PROPOSALS_PER_DAY in 24 hours: 429 beyond)."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    created = proposals.create_proposal(
        session,
        actor,
        programme,
        now=utcnow(),
        per_day=current_app.config["PROPOSALS_PER_DAY"],
        **args,
    )
    session.commit()
    location = url_for("api_proposals.get_proposal", proposal_id=created.id)
    return proposal_out(created, actor, False), 201, {"Location": location}


@blp.route("/proposals/<int:proposal_id>", methods=["GET"])
@blp.response(200, ProposalOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_proposal(proposal_id: int) -> ResponseReturnValue:
    """One proposal, with its supports count and the agency's answer."""
    return _one(proposals.get_proposal(db.session(), optional_actor(), proposal_id))


@blp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
@blp.response(201, ProposalOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def support(proposal_id: int) -> ResponseReturnValue:
    """Support a proposal that waits for its answer (not your own); 409 when you already
    support it or it has been answered."""
    session, actor = db.session(), current_actor()
    proposal = proposals.get_proposal(session, actor, proposal_id)
    proposals.support(session, actor, proposal, now=utcnow())
    session.commit()
    location = url_for("api_proposals.get_proposal", proposal_id=proposal.id)
    return proposal_out(proposal, actor, True), 201, {"Location": location}


@blp.route("/proposals/<int:proposal_id>/support", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def withdraw_support(proposal_id: int) -> None:
    """Withdraw your support while the proposal waits for its answer; 409 when you do not
    support it."""
    session, actor = db.session(), current_actor()
    proposal = proposals.get_proposal(session, actor, proposal_id)
    proposals.withdraw_support(session, actor, proposal, now=utcnow())
    session.commit()
    return None


@blp.route("/proposals/<int:proposal_id>/answer", methods=["POST"])
@blp.arguments(AnswerIn)
@blp.response(200, ProposalOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def answer(args: AnswerInData, proposal_id: int) -> ResponseReturnValue:
    """The lead agency's staff answer a proposal in public (under_review, accepted, declined,
    already_planned; a written answer is required). Accepting makes a draft task (task_id)."""
    session, actor = db.session(), current_actor()
    proposal = proposals.get_proposal(session, actor, proposal_id)
    done = proposals.answer(session, actor, proposal, now=utcnow(), **args)
    session.commit()
    return _one(done)
