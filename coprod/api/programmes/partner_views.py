"""What a programme is made of: adding a partner organisation and a shared objective (metric)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Amount, Day, Id, Line, Text, referenced
from coprod.api.programmes import blp
from coprod.api.programmes.schemas import MetricOut, PartnerOut, metric_out, partner_out
from coprod.db import db
from coprod.services import organisations as orgs
from coprod.services import partners, programmes


class PartnerIn(ma.Schema):
    organisation_id = Id(required=True)
    role = Line(max_len=partners.MAX_ROLE, required=True)
    commitments = Text(max_len=partners.MAX_TEXT, load_default="")
    responsibilities = Text(
        max_len=partners.MAX_TEXT,
        load_default="",
        metadata={"description": "What the partner is responsible and accountable for."},
    )


class PartnerInData(TypedDict):
    """What `PartnerIn` loads."""

    organisation_id: int
    role: str
    commitments: str
    responsibilities: str


class MetricIn(ma.Schema):
    name = Line(max_len=programmes.MAX_NAME, required=True)
    unit = Line(max_len=programmes.MAX_UNIT, required=True)
    target = Amount(minimum=0, above_minimum=True, maximum=programmes.MAX_QUANTITY, required=True)
    target_date = Day(required=True)


class MetricInData(TypedDict):
    """What `MetricIn` loads."""

    name: str
    unit: str
    target: Decimal
    target_date: date


@blp.route("/programmes/<int:programme_id>/partners", methods=["POST"])
@blp.arguments(PartnerIn)
@blp.response(201, PartnerOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def add_partner(args: PartnerInData, programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff add a partner organisation with its role and commitments."""
    session = db.session()
    programme = programmes.get_programme(session, current_actor(), programme_id)
    org_id = args["organisation_id"]
    org = referenced(
        lambda: orgs.get_organisation(session, current_actor(), org_id), "organisation_id"
    )
    partner = partners.add_partner(
        session,
        current_actor(),
        programme,
        org,
        role=args["role"],
        commitments=args["commitments"],
        responsibilities=args["responsibilities"],
    )
    session.commit()
    location = url_for("api_programmes.get_programme", programme_id=programme.id)
    return partner_out(partner, {}), 201, {"Location": location}


@blp.route("/programmes/<int:programme_id>/metrics", methods=["POST"])
@blp.arguments(MetricIn)
@blp.response(201, MetricOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def add_metric(args: MetricInData, programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff add a shared objective: name, unit, target, target date."""
    session = db.session()
    programme = programmes.get_programme(session, current_actor(), programme_id)
    metric = programmes.add_metric(session, current_actor(), programme, **args)
    session.commit()
    location = url_for("api_programmes.get_programme", programme_id=programme.id)
    return metric_out(metric), 201, {"Location": location}
