"""An organisation's qualifications: the list, defining one, reading and changing it."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod import policy
from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import Id, Line, PageArgs, PageArgsData, Text, page_schema
from coprod.api.qualifications import blp
from coprod.db import db, utcnow
from coprod.models import Qualification, Verifier
from coprod.services import organisations
from coprod.services.capacity import qualifications as quals

VERIFIERS = [v.value for v in Verifier]


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


class QualificationInData(TypedDict):
    """What `QualificationIn` loads."""

    name: str
    description: str
    how_to_get: str
    validity_months: int | None
    verifier: str
    programme_id: int | None


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


class QualificationPatchData(TypedDict):
    """What `QualificationPatch` loads."""

    name: NotRequired[str]
    description: NotRequired[str]
    how_to_get: NotRequired[str]
    validity_months: NotRequired[int | None]
    verifier: NotRequired[str]
    programme_id: NotRequired[int | None]
    archived: NotRequired[bool]


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


class QualificationListArgsData(PageArgsData):
    """What `QualificationListArgs` loads."""

    archived: bool


QualificationPage = page_schema(QualificationOut, "QualificationPage")


def qualification_out(q: Qualification) -> dict[str, object]:
    keys = ("id", "organisation_id", "name", "description", "how_to_get", "validity_months")
    return {
        **{k: getattr(q, k) for k in keys},
        "verifier": q.verifier.value,
        "programme_id": q.programme_id,
        "archived": q.archived_at is not None,
    }


@blp.route("/organisations/<int:org_id>/qualifications", methods=["GET"])
@blp.arguments(QualificationListArgs, location="query")
@blp.response(200, QualificationPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_qualifications(args: QualificationListArgsData, org_id: int) -> ResponseReturnValue:
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
def define_qualification(args: QualificationInData, org_id: int) -> ResponseReturnValue:
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
def update_qualification(
    args: QualificationPatchData, qualification_id: int
) -> ResponseReturnValue:
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
