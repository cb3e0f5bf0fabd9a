"""Programmes: the public list and page, creating one and changing it."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, optional_actor, token_required
from coprod.api.fields import referenced
from coprod.api.programmes import blp
from coprod.api.programmes.schemas import (
    ProgrammeIn,
    ProgrammeInData,
    ProgrammeListArgs,
    ProgrammeListArgsData,
    ProgrammeOut,
    ProgrammePage,
    ProgrammePatch,
    ProgrammePatchData,
    programme_out,
    summary_out,
)
from coprod.db import db
from coprod.services import organisations as orgs
from coprod.services import programmes


@blp.route("/programmes", methods=["GET"])
@blp.arguments(ProgrammeListArgs, location="query")
@blp.response(200, ProgrammePage)
def list_programmes(args: ProgrammeListArgsData) -> ResponseReturnValue:
    """Programmes whose name or description holds the search words, newest first."""
    page = programmes.list_programmes(
        db.session(), optional_actor(), args["q"], args["page"], args["per_page"]
    )
    return {**page.__dict__, "items": [summary_out(p) for p in page.items]}


@blp.route("/programmes", methods=["POST"])
@blp.arguments(ProgrammeIn)
@blp.response(201, ProgrammeOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def create_programme(args: ProgrammeInData) -> ResponseReturnValue:
    """Staff of a verified agency create a programme it leads."""
    session = db.session()
    lead_id = args["lead_organisation_id"]
    lead = referenced(
        lambda: orgs.get_organisation(session, current_actor(), lead_id), "lead_organisation_id"
    )
    created = programmes.create_programme(
        session,
        current_actor(),
        lead,
        name=args["name"],
        description=args["description"],
        is_pilot=args["is_pilot"],
        accepts_proposals=args["accepts_proposals"],
        hypothesis=args["hypothesis"],
        starts_on=args["starts_on"],
        ends_on=args["ends_on"],
        evaluation_starts_on=args["evaluation_starts_on"],
        evaluation_ends_on=args["evaluation_ends_on"],
        hourly_rate=args["hourly_rate"],
        currency=args["currency"],
        timezone=args["timezone"],
        letter_signatory=args["letter_signatory"],
    )
    session.commit()
    programme = programmes.get_programme(session, current_actor(), created.id)
    location = url_for("api_programmes.get_programme", programme_id=programme.id)
    return programme_out(programme), 201, {"Location": location}


@blp.route("/programmes/<int:programme_id>", methods=["PATCH"])
@blp.arguments(ProgrammePatch(partial=True))
@blp.response(200, ProgrammeOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_programme(args: ProgrammePatchData, programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff change a programme (its time zone too: null follows the lead
    agency's)."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    programmes.update_programme(session, actor, programme, **args)
    session.commit()
    return programme_out(programme)


@blp.route("/programmes/<int:programme_id>", methods=["GET"])
@blp.response(200, ProgrammeOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_programme(programme_id: int) -> ResponseReturnValue:
    """One programme with its partners and shared objectives."""
    return programme_out(programmes.get_programme(db.session(), optional_actor(), programme_id))
