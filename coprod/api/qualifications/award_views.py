"""Awards: a qualification's holders, awarding one to a person, reading and revoking it."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    Day,
    Id,
    PageArgs,
    PageArgsData,
    Text,
    UTCDateTime,
    page_schema,
    referenced,
)
from coprod.api.qualifications import blp
from coprod.db import db, utcnow
from coprod.models import AwardSource, QualificationAward
from coprod.services.capacity import qualifications as quals

STATES = [s.value for s in quals.AwardState]


class AwardIn(ma.Schema):
    qualification_id = Id(required=True)
    awarded_on = Day(
        required=True,
        metadata={"description": "Not in the future (the organisation's date), not before 2000."},
    )
    evidence = Text(max_len=quals.MAX_EVIDENCE, load_default="")


class AwardInData(TypedDict):
    """What `AwardIn` loads."""

    qualification_id: int
    awarded_on: date
    evidence: str


class AwardOut(ma.Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    qualification_id = fields.Integer(required=True)
    qualification_name = fields.String(required=True)
    awarded_on = fields.Date(required=True)
    expires_on = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "The first day it is no longer valid; null: it never expires."},
    )
    evidence = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in AwardSource]))
    state = fields.String(
        required=True,
        validate=validate.OneOf(STATES),
        metadata={
            "description": "Today: valid, expiring (within the notice days), expired, revoked."
        },
    )
    revoked_at = UTCDateTime(allow_none=True, required=True)


AwardPage = page_schema(AwardOut, "AwardPage")


def award_out(award: QualificationAward, state: quals.AwardState) -> dict[str, object]:
    keys = ("id", "user_id", "qualification_id", "awarded_on", "expires_on", "evidence")
    return {
        **{k: getattr(award, k) for k in keys},
        "display_name": award.holder.display_name,
        "qualification_name": award.qualification.name,
        "source": award.source.value,
        "state": state.value,
        "revoked_at": award.revoked_at,
    }


def _state(award: QualificationAward) -> quals.AwardState:
    today = quals.org_today(award.qualification.organisation, utcnow())
    return quals.award_state(award, today)


@blp.route("/qualifications/<int:qualification_id>/awards", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, AwardPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def list_holders(args: PageArgsData, qualification_id: int) -> ResponseReturnValue:
    """Its awards, the newest first, each with its state today (its verifiers only)."""
    session, actor = db.session(), current_actor()
    found = quals.get_qualification(session, actor, qualification_id)
    page = quals.list_holders(
        session, actor, found, now=utcnow(), page=args["page"], per_page=args["per_page"]
    )
    return {**page.__dict__, "items": [award_out(h.award, h.state) for h in page.items]}


@blp.route("/users/<int:user_id>/qualifications", methods=["POST"])
@blp.arguments(AwardIn)
@blp.response(201, AwardOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def award(args: AwardInData, user_id: int) -> ResponseReturnValue:
    """A verifier of the qualification awards it to the person (422 on `user_id` for an
    account that cannot be awarded it; 409 for an archived qualification)."""
    session, actor = db.session(), current_actor()
    found = referenced(
        lambda: quals.get_qualification(session, actor, args["qualification_id"]),
        "qualification_id",
    )
    made = quals.award(
        session,
        actor,
        found,
        user_id=user_id,
        awarded_on=args["awarded_on"],
        evidence=args["evidence"],
        now=utcnow(),
    )
    session.commit()
    location = url_for("api_qualifications.get_award", award_id=made.id)
    return award_out(made, _state(made)), 201, {"Location": location}


@blp.route("/awards/<int:award_id>", methods=["GET"])
@blp.response(200, AwardOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_award(award_id: int) -> ResponseReturnValue:
    """One award, for its holder and the qualification's verifiers."""
    found = quals.get_award(db.session(), current_actor(), award_id)
    return award_out(found, _state(found))


@blp.route("/awards/<int:award_id>/revoke", methods=["POST"])
@blp.response(200, AwardOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def revoke(award_id: int) -> ResponseReturnValue:
    """A verifier revokes an award; it counts nowhere from now on (409 when already revoked)."""
    session, actor = db.session(), current_actor()
    found = quals.get_award(session, actor, award_id)
    done = quals.revoke(session, actor, found, now=utcnow())
    session.commit()
    return award_out(done, _state(done))
