"""The schemas of programmes, their partners and metrics, and how each is answered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

import marshmallow as ma
from marshmallow import fields

from coprod.api.auth import optional_actor
from coprod.api.commitments import FigureOut, figure_out
from coprod.api.fields import (
    Amount,
    Currency,
    Day,
    Id,
    Line,
    Number,
    PageArgs,
    PageArgsData,
    Text,
    TimeZone,
    page_schema,
)
from coprod.db import db, utcnow
from coprod.models import Metric, Partner, Programme
from coprod.services import localtime, programmes
from coprod.services.governance import commitments as commitment_service
from coprod.services.text import SEARCH_MAX

# Per partner id, its figures (coprod.services.governance.commitments.Standing); None: hidden.
Standings = dict[int, list[commitment_service.Standing]] | None


class ProgrammeIn(ma.Schema):
    name = Line(max_len=programmes.MAX_NAME, required=True)
    description = Text(max_len=programmes.MAX_DESCRIPTION, load_default="")
    lead_organisation_id = Id(required=True)
    is_pilot = fields.Boolean(load_default=False)
    accepts_proposals = fields.Boolean(
        load_default=False,
        metadata={"description": "Signed-in residents may propose tasks for the programme."},
    )
    hypothesis = Text(max_len=programmes.MAX_HYPOTHESIS, allow_none=True, load_default=None)
    starts_on = Day(required=True)
    ends_on = Day(allow_none=True, load_default=None)
    evaluation_starts_on = Day(allow_none=True, load_default=None)
    evaluation_ends_on = Day(allow_none=True, load_default=None)
    hourly_rate = Amount(
        minimum=0,
        maximum=programmes.MAX_MONEY,
        allow_none=True,
        load_default=None,
        metadata={"description": "Money value of one volunteered hour, in `currency`."},
    )
    currency = Currency(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "ISO 4217 code of the programme's money amounts (hourly rate, "
            "in-kind values, reports); null or absent: the service's default (GBP unless "
            "configured otherwise)."
        },
    )
    timezone = TimeZone(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "IANA time zone name (Europe/London); null or absent: the lead "
            "agency's zone.",
            "example": "Pacific/Auckland",
        },
    )
    letter_signatory = Line(
        max_len=programmes.MAX_SIGNATORY,
        blank=True,
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Name and role of the officer signing volunteers' service letters."
        },
    )


class ProgrammeInData(TypedDict):
    """What `ProgrammeIn` loads."""

    name: str
    description: str
    lead_organisation_id: int
    is_pilot: bool
    accepts_proposals: bool
    hypothesis: str | None
    starts_on: date
    ends_on: date | None
    evaluation_starts_on: date | None
    evaluation_ends_on: date | None
    hourly_rate: Decimal | None
    currency: str | None
    timezone: str | None
    letter_signatory: str | None


class ProgrammePatch(ProgrammeIn):
    """The fields to change; the others keep their values."""

    class Meta:
        exclude = ("lead_organisation_id",)


class ProgrammePatchData(TypedDict, total=False):
    """What `ProgrammePatch(partial=True)` loads: the fields given."""

    name: str
    description: str
    is_pilot: bool
    accepts_proposals: bool
    hypothesis: str | None
    starts_on: date
    ends_on: date | None
    evaluation_starts_on: date | None
    evaluation_ends_on: date | None
    hourly_rate: Decimal | None
    currency: str | None
    timezone: str | None
    letter_signatory: str | None


class PartnerOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    role = fields.String(required=True)
    responsibilities = fields.String(required=True)
    commitments = fields.String(required=True)
    figures = fields.List(
        fields.Nested(FigureOut),
        allow_none=True,
        metadata={
            "description": "The partner's commitments as measurable figures, with what it "
            "delivered this month and to date; null for those who may not read the "
            "programme's reports (members of the lead agency and of partner organisations)."
        },
    )


class MetricOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    target = Number(required=True)
    target_date = fields.Date(required=True)


class ProgrammeOut(ma.Schema):
    id = fields.Integer(required=True)
    timezone = fields.String(
        required=True,
        metadata={"description": "IANA zone of its times: its own, else its lead agency's."},
    )
    name = fields.String(required=True)
    description = fields.String(required=True)
    lead_organisation_id = fields.Integer(required=True)
    lead_organisation_name = fields.String(required=True)
    is_pilot = fields.Boolean(required=True)
    accepts_proposals = fields.Boolean(
        required=True, metadata={"description": "Residents may propose tasks for it."}
    )
    hypothesis = fields.String(allow_none=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    evaluation_starts_on = fields.Date(allow_none=True)
    evaluation_ends_on = fields.Date(allow_none=True)
    hourly_rate = Number(required=True)
    currency = fields.String(
        required=True,
        metadata={"description": "ISO 4217 code of every money amount of the programme."},
    )
    own_timezone = fields.String(
        allow_none=True, metadata={"description": "The zone the programme set, or null."}
    )
    letter_signatory = fields.String(
        allow_none=True, metadata={"description": "The signature line of service letters."}
    )
    partners = fields.List(fields.Nested(PartnerOut), required=True)
    metrics = fields.List(fields.Nested(MetricOut), required=True)


class ProgrammeListArgs(PageArgs):
    q = Line(
        max_len=SEARCH_MAX, blank=True, load_default="", metadata={"description": "Search words."}
    )


class ProgrammeListArgsData(PageArgsData):
    """What `ProgrammeListArgs` loads."""

    q: str


class ProgrammeSummary(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    lead_organisation_id = fields.Integer(required=True)
    lead_organisation_name = fields.String(required=True)
    is_pilot = fields.Boolean(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    timezone = fields.String(
        required=True,
        metadata={"description": "IANA zone of its times: its own, else its lead agency's."},
    )


ProgrammePage = page_schema(ProgrammeSummary, "ProgrammePage")


def partner_out(p: Partner, standings: Standings = None) -> dict[str, object]:
    figures = None if standings is None else [figure_out(s) for s in standings.get(p.id, [])]
    return {
        "id": p.id,
        "programme_id": p.programme_id,
        "organisation_id": p.organisation_id,
        "organisation_name": p.organisation.name,
        "role": p.role,
        "responsibilities": p.responsibilities,
        "commitments": p.commitments,
        "figures": figures,
    }


def metric_out(m: Metric) -> dict[str, object]:
    keys = ("id", "programme_id", "name", "unit", "target", "target_date")
    return {k: getattr(m, k) for k in keys}


def summary_out(p: Programme) -> dict[str, object]:
    keys = ("id", "name", "lead_organisation_id", "is_pilot", "starts_on", "ends_on")
    return {
        **{k: getattr(p, k) for k in keys},
        "lead_organisation_name": p.lead_organisation.name,
        "timezone": localtime.programme_zone_name(p),
    }


def programme_out(p: Programme) -> dict[str, object]:
    """The programme; its partners' figures for those who may read its reports."""
    keys = ("description", "hypothesis", "evaluation_starts_on", "evaluation_ends_on")
    standings = commitment_service.programme_standings(
        db.session(), optional_actor(), p, now=utcnow()
    )
    return {
        **summary_out(p),
        **{k: getattr(p, k) for k in keys},
        "hourly_rate": p.hourly_rate,
        "currency": p.currency,
        "own_timezone": p.timezone,
        "letter_signatory": p.letter_signatory,
        "accepts_proposals": p.accepts_proposals,
        "partners": [partner_out(x, standings) for x in p.partners],
        "metrics": [metric_out(m) for m in p.metrics],
    }
