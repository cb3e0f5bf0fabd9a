"""Shared decisions: a programme's decisions, opening one (lead staff), one decision with its
options, counts and every organisation's vote, and voting in an organisation's name (its
admins)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    Id,
    Line,
    PageArgs,
    PageArgsData,
    Text,
    TimeIn,
    UTCDateTime,
    page_schema,
)
from coprod.db import db, utcnow
from coprod.models import Decision, DecisionOutcome, DecisionRule, Organisation, User
from coprod.services import localtime, programmes
from coprod.services.governance import decisions

blp = Blueprint(
    "api_decisions", __name__, url_prefix="/api/v1", description="Partnership decisions"
)

WHO_VOTES = (
    "Every organisation in the partnership (the lead agency and each partner organisation) "
    "has one vote, cast by one of its admins with a comment and changeable until the close."
)


class DecisionIn(ma.Schema):
    question = Line(max_len=decisions.MAX_QUESTION, required=True)
    details = Text(max_len=decisions.MAX_DETAILS, load_default="")
    options = fields.List(
        Line(max_len=decisions.MAX_LABEL),
        required=True,
        validate=validate.Length(min=decisions.MIN_OPTIONS, max=decisions.MAX_OPTIONS),
        metadata={"description": "2 to 10 option labels, all different (whatever the case)."},
    )
    closes_at = TimeIn(
        required=True,
        metadata={"description": "When voting ends: in the future, at most a year ahead."},
    )


class DecisionInData(TypedDict):
    """What `DecisionIn` loads."""

    question: str
    details: str
    options: list[str]
    closes_at: datetime


class VoteIn(ma.Schema):
    option_id = Id(required=True, metadata={"description": "One of this decision's options."})
    comment = Text(max_len=decisions.MAX_COMMENT, load_default="")
    organisation_id = Id(
        load_default=None,
        metadata={
            "description": "The organisation voted for: required only when the caller is an "
            "admin of more than one organisation of the partnership."
        },
    )


class VoteInData(TypedDict):
    """What `VoteIn` loads."""

    option_id: int
    comment: str
    organisation_id: int | None


class OptionOut(ma.Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    label = fields.String(required=True)
    votes = fields.Integer(required=True, metadata={"description": "Votes counted for it."})


class BallotOut(ma.Schema):
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    option_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: not voted (yet)."}
    )
    comment = fields.String(required=True)
    voted_by = fields.String(required=True, allow_none=True)
    voted_at = UTCDateTime(required=True, allow_none=True)


class DecisionOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    question = fields.String(required=True)
    details = fields.String(required=True)
    rule = fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in DecisionRule]),
        metadata={
            "description": "majority: an option chosen by more than half of the organisations "
            "entitled to vote carries; consensus: every one of them voted, all for the same "
            "option. " + WHO_VOTES
        },
    )
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    opened_at = UTCDateTime(required=True)
    closes_at = UTCDateTime(required=True)
    closed_at = UTCDateTime(required=True, allow_none=True)
    timezone = fields.String(required=True, metadata={"description": "The programme's zone."})
    outcome = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([o.value for o in DecisionOutcome]),
        metadata={"description": "Once closed: carried, no_majority, no_consensus, no_votes."},
    )
    chosen_option_id = fields.Integer(required=True, allow_none=True)
    options = fields.List(fields.Nested(OptionOut), required=True)
    ballots = fields.List(
        fields.Nested(BallotOut),
        required=True,
        metadata={"description": "Every organisation entitled to vote, and its vote."},
    )
    organisations_voted = fields.Integer(required=True)
    organisations_entitled = fields.Integer(required=True)


DecisionPage = page_schema(DecisionOut, "DecisionPage")


def decision_out(
    decision: Decision, actor: User | None, entitled: list[Organisation] | None = None
) -> dict[str, object]:
    view = decisions.view_decision(db.session(), actor, decision, now=utcnow(), entitled=entitled)
    return {
        "id": decision.id,
        "programme_id": decision.programme_id,
        "question": decision.question,
        "details": decision.details,
        "rule": decision.rule.value,
        "status": "open" if view.open else "closed",
        "opened_at": decision.opened_at,
        "closes_at": decision.closes_at,
        "closed_at": decision.closed_at,
        "timezone": localtime.programme_zone_name(decision.programme),
        "outcome": decision.outcome.value if decision.outcome else None,
        "chosen_option_id": decision.chosen_option_id,
        "options": [
            {"id": o.id, "position": o.position, "label": o.label, "votes": view.counts[o.id]}
            for o in decision.options
        ],
        "ballots": [
            {
                "organisation_id": b.organisation.id,
                "organisation_name": b.organisation.name,
                "option_id": b.vote.option_id if b.vote else None,
                "comment": b.vote.comment if b.vote else "",
                "voted_by": (b.vote.voted_by.display_name if b.vote and b.vote.voted_by else None),
                "voted_at": b.vote.voted_at if b.vote else None,
            }
            for b in view.ballots
        ],
        "organisations_voted": sum(1 for b in view.ballots if b.vote),
        "organisations_entitled": len(view.ballots),
    }


@blp.route("/programmes/<int:programme_id>/decisions", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, DecisionPage)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def list_decisions(args: PageArgsData, programme_id: int) -> ResponseReturnValue:
    """A programme's decisions, for the partnership (members of the lead agency and of the
    partner organisations): the open ones first, soonest to close, then the closed ones."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    page = decisions.list_decisions(
        session, actor, programme, page=args["page"], per_page=args["per_page"]
    )
    entitled = decisions.voting_organisations(session, programme)
    return {**page.__dict__, "items": [decision_out(d, actor, entitled) for d in page.items]}


@blp.route("/programmes/<int:programme_id>/decisions", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def open_decision(args: DecisionInData, programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff open a decision for the partnership, under the rule of the
    agreement in force; each voting organisation's admins are emailed."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    decisions.require_partnership(actor, programme)
    created = decisions.open_decision(session, actor, programme, now=utcnow(), **args)
    session.commit()
    location = url_for("api_decisions.get_decision", decision_id=created.id)
    return decision_out(created, actor), 201, {"Location": location}


@blp.route("/decisions/<int:decision_id>", methods=["GET"])
@blp.response(200, DecisionOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_decision(decision_id: int) -> ResponseReturnValue:
    """One decision: its options with their counts and every organisation's vote and
    comment (the partnership only)."""
    session, actor = db.session(), current_actor()
    return decision_out(decisions.get_decision(session, actor, decision_id), actor)


@blp.route("/decisions/<int:decision_id>/votes", methods=["POST"])
@blp.arguments(VoteIn)
@blp.response(200, DecisionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def vote(args: VoteInData, decision_id: int) -> ResponseReturnValue:
    """An admin casts (or changes) their organisation's one vote while the decision is open
    (409 once closed). Answers the decision with the vote counted."""
    session, actor = db.session(), current_actor()
    decision = decisions.get_decision(session, actor, decision_id)
    org = decisions.organisation_to_vote_for(session, actor, decision, args["organisation_id"])
    decisions.vote(
        session,
        actor,
        decision,
        org,
        option_id=args["option_id"],
        comment=args["comment"],
        now=utcnow(),
    )
    session.commit()
    return decision_out(decisions.get_decision(session, actor, decision_id), actor)
