"""Organisations: public list and page, creation, verification, members and their roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import NotRequired, TypedDict, TypeVar, Unpack

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import (
    CursorArgs,
    CursorArgsData,
    Email,
    FieldOptions,
    Line,
    PageArgs,
    PageArgsData,
    Text,
    TimeZone,
    UTCDateTime,
    page_schema,
    window_out,
    window_schema,
)
from coprod.db import db, utcnow
from coprod.models import Organisation, OrgKind, Role
from coprod.services import organisations as orgs
from coprod.services.organisations import MemberRow
from coprod.services.pagination import Page

blp = Blueprint("api_organisations", __name__, url_prefix="/api/v1", description="Organisations")

KINDS = [k.value for k in OrgKind]
ROLES = [r.value for r in Role]

T = TypeVar("T")


ZONE_HELP = (
    "IANA time zone name, like Europe/London or America/New_York: its programmes show and "
    "take times in it unless they set their own."
)


def time_zone_field(**kwargs: Unpack[FieldOptions]) -> fields.String:
    """An IANA zone name; the service checks it against the zone database (422 otherwise)."""
    return TimeZone(metadata={"description": ZONE_HELP}, **kwargs)


class OrganisationIn(ma.Schema):
    name = Line(max_len=orgs.MAX_NAME, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = Text(max_len=orgs.MAX_DESCRIPTION, load_default="")
    timezone = time_zone_field(load_default=None, allow_none=True)


class OrganisationInData(TypedDict):
    """What `OrganisationIn` loads."""

    name: str
    kind: str
    description: str
    timezone: str | None


class OrganisationPatch(ma.Schema):
    timezone = time_zone_field(required=True)


class OrganisationPatchData(TypedDict):
    """What `OrganisationPatch` loads."""

    timezone: str


class OrganisationOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = fields.String(required=True)
    timezone = fields.String(required=True, metadata={"description": ZONE_HELP})
    is_verified = fields.Boolean(required=True)
    verified_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime(required=True)


class MemberIn(ma.Schema):
    email = Email(required=True)
    role = fields.String(validate=validate.OneOf(ROLES), metadata={"description": "One role."})
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        validate=validate.Length(max=len(ROLES)),
        metadata={"description": "Several roles at once (instead of role)."},
    )


class MemberInData(TypedDict):
    """What `MemberIn` loads."""

    email: str
    role: NotRequired[str]
    roles: NotRequired[list[str]]


class MemberOut(ma.Schema):
    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    email = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


OrganisationPage = page_schema(OrganisationOut, "OrganisationPage")
MemberPage = window_schema(MemberOut, "MemberWindow")


def org_out(org: Organisation) -> dict[str, object]:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind.value,
        "description": org.description,
        "timezone": org.timezone,
        "is_verified": org.is_verified,
        "verified_at": org.verified_at,
        "created_at": org.created_at,
    }


def member_out(row: MemberRow) -> dict[str, object]:
    return {
        "user_id": row.user.id,
        "display_name": row.user.display_name,
        "email": row.user.email,
        "roles": [r.value for r in row.roles],
    }


def _page(page: Page[T], out: Callable[[T], dict[str, object]]) -> dict[str, object]:
    return {**page.__dict__, "items": [out(i) for i in page.items]}


@blp.route("/organisations", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, OrganisationPage)
def list_organisations(args: PageArgsData) -> ResponseReturnValue:
    """Every organisation, by name (public fields only)."""
    page = orgs.list_organisations(db.session(), optional_actor(), args["page"], args["per_page"])
    return _page(page, org_out)


@blp.route("/organisations", methods=["POST"])
@blp.arguments(OrganisationIn)
@blp.response(201, OrganisationOut)
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_organisation(args: OrganisationInData) -> ResponseReturnValue:
    """Create an organisation and become its admin; an agency starts unverified."""
    session = db.session()
    org = orgs.create_organisation(session, current_actor(), **args)
    session.commit()
    location = url_for("api_organisations.get_organisation", org_id=org.id)
    return org_out(org), 201, {"Location": location}


@blp.route("/organisations/<int:org_id>", methods=["GET"])
@blp.response(200, OrganisationOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_organisation(org_id: int) -> ResponseReturnValue:
    """One organisation (public fields only)."""
    return org_out(orgs.get_organisation(db.session(), optional_actor(), org_id))


@blp.route("/organisations/<int:org_id>", methods=["PATCH"])
@blp.arguments(OrganisationPatch)
@blp.response(200, OrganisationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_organisation(args: OrganisationPatchData, org_id: int) -> ResponseReturnValue:
    """An admin of the organisation sets its time zone."""
    session, actor = db.session(), current_actor()
    org = orgs.get_organisation(session, actor, org_id)
    orgs.set_organisation_timezone(session, actor, org, args["timezone"])
    session.commit()
    return org_out(org)


@blp.route("/organisations/<int:org_id>/verify", methods=["POST"])
@blp.response(200, OrganisationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def verify_organisation(org_id: int) -> ResponseReturnValue:
    """A site admin verifies an organisation (a verified agency may lead programmes)."""
    session = db.session()
    org = orgs.get_organisation(session, current_actor(), org_id)
    orgs.verify_organisation(session, current_actor(), org, utcnow())
    session.commit()
    return org_out(org)


class DeclineIn(ma.Schema):
    reason = Text(
        max_len=orgs.MAX_REASON,
        blank=False,
        required=True,
        metadata={"description": "Why (not blank)."},
    )


class DeclineInData(TypedDict):
    """What `DeclineIn` loads."""

    reason: str


@blp.route("/organisations/<int:org_id>/decline", methods=["POST"])
@blp.arguments(DeclineIn)
@blp.response(200, OrganisationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def decline_organisation(args: DeclineInData, org_id: int) -> ResponseReturnValue:
    """A site admin declines to verify an agency, with a reason its admins are emailed."""
    session, actor = db.session(), current_actor()
    org = orgs.get_organisation(session, actor, org_id)
    orgs.decline_organisation(session, actor, org, args["reason"], now=utcnow())
    session.commit()
    return org_out(org)


@blp.route("/organisations/<int:org_id>/members", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, MemberPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def list_members(args: CursorArgsData, org_id: int) -> ResponseReturnValue:
    """The organisation's members and their roles (its admins and coordinators), by name. Read
    by cursor: follow `next` (null at the end); `page` numbers are not accepted."""
    session = db.session()
    actor = current_actor()
    org = orgs.get_organisation(session, actor, org_id)
    found = orgs.list_members(session, actor, org, after=args["after"], per_page=args["per_page"])
    items = [member_out(m) for m in found.items]
    return window_out(found, items, "api_organisations.list_members", org_id=org_id)


@blp.route("/organisations/<int:org_id>/members", methods=["POST"])
@blp.arguments(MemberIn)
@blp.response(201, MemberOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def add_member(args: MemberInData, org_id: int) -> ResponseReturnValue:
    """An admin of the organisation adds an existing account, by email, with a role."""
    session = db.session()
    org = orgs.get_organisation(session, current_actor(), org_id)
    roles = args.get("roles") or ([args["role"]] if args.get("role") else [])
    user = orgs.add_member(session, current_actor(), org, args["email"], roles)
    session.commit()
    row = orgs.get_member(session, current_actor(), org, user.id)
    location = url_for("api_organisations.list_members", org_id=org.id)
    return member_out(row), 201, {"Location": location}


@blp.route("/organisations/<int:org_id>/members/<int:user_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@token_required
def remove_member(org_id: int, user_id: int) -> None:
    """An admin of the organisation removes a member (never its last admin)."""
    session, actor = db.session(), current_actor()
    org = orgs.get_organisation(session, actor, org_id)
    row = orgs.get_member(session, actor, org, user_id, "org.manage")
    orgs.remove_member(session, actor, org, row.user)
    session.commit()
    return None
