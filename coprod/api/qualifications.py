"""Qualifications: an organisation's list and definitions, awards made by verifiers, their
holders and revoking, and a person's own awards and skills."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import Day, Id, Line, PageArgs, Text, UTCDateTime, page_schema, referenced
from coprod.db import db, utcnow
from coprod.models import AwardSource, Qualification, QualificationAward, Verifier
from coprod.services import organisations
from coprod.services.capacity import MAX_TAG, MAX_TAGS
from coprod.services.capacity import qualifications as quals

blp = Blueprint(
    "api_qualifications",
    __name__,
    url_prefix="/api/v1",
    description="Qualifications, their awards and people's skills",
)

VERIFIERS = [v.value for v in Verifier]
STATES = [s.value for s in quals.AwardState]
VALIDITY = (
    "Months an award stays valid (1 to 600); null: it does not expire. Awards already made "
    "keep their expiry."
)
VERIFIER_HELP = (
    "coordinators: the organisation's coordinators award it; lead_agency: the staff of the "
    "agency leading `programme_id` (a programme the organisation leads or is a partner of)."
)


class QualificationIn(ma.Schema):
    name = Line(max_len=quals.MAX_NAME, required=True)
    description = Text(max_len=quals.MAX_TEXT, load_default="")
    how_to_get = Text(
        max_len=quals.MAX_TEXT,
        load_default="",
        metadata={"description": "How a person gets it: named in every refusal for lack of it."},
    )
    validity_months = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=quals.MAX_VALIDITY),
        metadata={"description": VALIDITY},
    )
    verifier = fields.String(
        load_default=Verifier.COORDINATORS.value,
        validate=validate.OneOf(VERIFIERS),
        metadata={"description": VERIFIER_HELP},
    )
    programme_id = Id(allow_none=True, load_default=None)


class QualificationPatch(ma.Schema):
    name = Line(max_len=quals.MAX_NAME)
    description = Text(max_len=quals.MAX_TEXT)
    how_to_get = Text(max_len=quals.MAX_TEXT)
    validity_months = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=quals.MAX_VALIDITY),
        metadata={"description": VALIDITY},
    )
    verifier = fields.String(
        validate=validate.OneOf(VERIFIERS), metadata={"description": VERIFIER_HELP}
    )
    programme_id = Id(allow_none=True)
    archived = fields.Boolean(
        metadata={"description": "true archives it (no longer offered for tasks or awards)."}
    )


class QualificationOut(ma.Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    how_to_get = fields.String(required=True)
    validity_months = fields.Integer(allow_none=True, required=True)
    verifier = fields.String(required=True, validate=validate.OneOf(VERIFIERS))
    programme_id = fields.Integer(allow_none=True, required=True)
    archived = fields.Boolean(required=True)


class QualificationListArgs(PageArgs):
    archived = fields.Boolean(
        load_default=False,
        metadata={"description": "true: the archived ones instead of those offered."},
    )


class AwardIn(ma.Schema):
    qualification_id = Id(required=True)
    awarded_on = Day(
        required=True,
        metadata={"description": "Not in the future (the organisation's date), not before 2000."},
    )
    evidence = Text(max_len=quals.MAX_EVIDENCE, load_default="")


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


class MyQualificationsOut(ma.Schema):
    awards = fields.List(fields.Nested(AwardOut), required=True)
    skills = fields.List(fields.String(), required=True)
    open_to_invitations = fields.Boolean(required=True)


class MyQualificationsPatch(ma.Schema):
    skills = fields.List(
        Line(max_len=MAX_TAG, blank=True),
        validate=validate.Length(max=100),
        metadata={
            "description": f"Free tags, each at most {MAX_TAG} characters, at most {MAX_TAGS}; "
            "stored lower case, each once."
        },
    )
    open_to_invitations = fields.Boolean(
        metadata={"description": "Coordinators may invite me to understaffed shifts I qualify for."}
    )


QualificationPage = page_schema(QualificationOut, "QualificationPage")
AwardPage = page_schema(AwardOut, "AwardPage")


def qualification_out(q: Qualification) -> dict[str, Any]:
    keys = ("id", "organisation_id", "name", "description", "how_to_get", "validity_months")
    return {
        **{k: getattr(q, k) for k in keys},
        "verifier": q.verifier.value,
        "programme_id": q.programme_id,
        "archived": q.archived_at is not None,
    }


def award_out(award: QualificationAward, state: quals.AwardState) -> dict[str, Any]:
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


@blp.route("/organisations/<int:org_id>/qualifications", methods=["GET"])
@blp.arguments(QualificationListArgs, location="query")
@blp.response(200, QualificationPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_qualifications(args: dict[str, Any], org_id: int) -> ResponseReturnValue:
    """An organisation's qualifications by name (public); the archived ones (archived=true) for
    those who manage them."""
    session, actor = db.session(), optional_actor()
    org = organisations.get_organisation(session, actor, org_id)
    if args["archived"]:
        policy.require(actor, "org.manage_qualifications", org)
    page = quals.list_qualifications(
        session, actor, org, archived=args["archived"], page=args["page"], per_page=args["per_page"]
    )
    return {**page.__dict__, "items": [qualification_out(q) for q in page.items]}


@blp.route("/organisations/<int:org_id>/qualifications", methods=["POST"])
@blp.arguments(QualificationIn)
@blp.response(201, QualificationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def define_qualification(args: dict[str, Any], org_id: int) -> ResponseReturnValue:
    """The organisation's coordinators or staff define a qualification (its name unique in the
    organisation, whatever its case: 422 on `name`)."""
    session, actor = db.session(), current_actor()
    org = organisations.get_organisation(session, actor, org_id)
    made = quals.define_qualification(session, actor, org, now=utcnow(), **args)
    session.commit()
    location = url_for("api_qualifications.get_qualification", qualification_id=made.id)
    return qualification_out(made), 201, {"Location": location}


@blp.route("/qualifications/<int:qualification_id>", methods=["GET"])
@blp.response(200, QualificationOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_qualification(qualification_id: int) -> ResponseReturnValue:
    """What a qualification is and how to get it (public)."""
    found = quals.get_qualification(db.session(), optional_actor(), qualification_id)
    return qualification_out(found)


@blp.route("/qualifications/<int:qualification_id>", methods=["PATCH"])
@blp.arguments(QualificationPatch)
@blp.response(200, QualificationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_qualification(args: dict[str, Any], qualification_id: int) -> ResponseReturnValue:
    """Change a qualification's fields, archive it or bring it back (its organisation's
    coordinators or staff)."""
    session, actor = db.session(), current_actor()
    found = quals.get_qualification(session, actor, qualification_id)
    archived = args.pop("archived", None)
    now = utcnow()
    quals.update_qualification(session, actor, found, now=now, **args)
    if archived is not None:
        quals.set_archived(session, actor, found, archived, now=now)
    session.commit()
    return qualification_out(found)


@blp.route("/qualifications/<int:qualification_id>/awards", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, AwardPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def list_holders(args: dict[str, Any], qualification_id: int) -> ResponseReturnValue:
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
def award(args: dict[str, Any], user_id: int) -> ResponseReturnValue:
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


def _mine() -> dict[str, Any]:
    session, actor = db.session(), current_actor()
    holdings = quals.my_awards(session, actor, now=utcnow())
    return {
        "awards": [award_out(h.award, h.state) for h in holdings],
        "skills": quals.my_skills(session, actor),
        "open_to_invitations": actor.open_to_invitations,
    }


@blp.route("/me/qualifications", methods=["GET"])
@blp.response(200, MyQualificationsOut)
@token_required
def my_qualifications() -> ResponseReturnValue:
    """All my awards (the newest first, with their state today), my skills and whether
    coordinators may invite me to understaffed shifts."""
    return _mine()


@blp.route("/me/qualifications", methods=["PATCH"])
@blp.arguments(MyQualificationsPatch)
@blp.response(200, MyQualificationsOut)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_my_qualifications(args: dict[str, Any]) -> ResponseReturnValue:
    """Set my skills (replacing them) and whether coordinators may invite me."""
    session, actor = db.session(), current_actor()
    if "skills" in args:
        quals.set_skills(session, actor, args["skills"])
    if "open_to_invitations" in args:
        quals.set_open_to_invitations(session, actor, args["open_to_invitations"])
    session.commit()
    return _mine()


__all__ = ["blp"]
