"""Partners' commitments as figures: added and removed by the lead agency's staff; shown in the
programme's partner objects (`figures`) with what each partner delivered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Amount, Day, Id, Number
from coprod.db import db, utcnow
from coprod.models import CommitmentKind, PeriodKind
from coprod.services import partners, programmes
from coprod.services.governance import commitments
from coprod.services.governance import figures as fig

blp = Blueprint(
    "api_commitments", __name__, url_prefix="/api/v1", description="Commitments as figures"
)

KINDS = [k.value for k in CommitmentKind]
PERIODS = [p.value for p in PeriodKind]
RULE = (
    "Delivered counts what the shared-ownership report credits to the partner organisation "
    "(approved hours logged for it, training hours excepted; the in-kind value on those logs; "
    "the quantity of the objective on them by its due date) from `starts_on`. A figure per "
    "period is spread evenly over its period's days (a month's figure counts 3 times in a "
    "quarter; a week's takes its days' share of each month). `status`: hours and in-kind are "
    "`behind` when less was delivered in the period than committed for it (while the period is "
    "in progress: than committed for the days already over), else `on_track`; an outcome is "
    "`met` once reached, `missed` when its due date passed first, else `on_track` when "
    "delivered to date is at least its amount times the share of the time from its start to "
    "its due date that is over, `behind` when not."
)


class CommitmentIn(ma.Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS),
        metadata={"description": "hours or in_kind (per period), or outcome (by a date)."},
    )
    amount = Amount(
        minimum=0,
        above_minimum=True,
        maximum=commitments.MAX_AMOUNT[CommitmentKind.OUTCOME],
        required=True,
        metadata={
            "description": "Hours, money in the programme's currency, or a quantity of the "
            "metric; hours at most 1,000,000 and money at most 9,999,999,999.99."
        },
    )
    period = fields.String(
        validate=validate.OneOf(PERIODS),
        allow_none=True,
        load_default=None,
        metadata={"description": "For hours and in_kind: the amount is per week, month or "
        "quarter."},
    )  # fmt: skip
    metric_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "For an outcome: one of the programme's own metrics."},
    )
    due_on = Day(
        allow_none=True,
        load_default=None,
        metadata={"description": "For an outcome: the day the amount is due by."},
    )
    starts_on = Day(
        allow_none=True,
        load_default=None,
        metadata={"description": "Counted from this day (null: the programme's start)."},
    )


class CommitmentInData(TypedDict):
    """What `CommitmentIn` loads."""

    kind: str
    amount: Decimal
    period: str | None
    metric_id: int | None
    due_on: date | None
    starts_on: date | None


class FigureOut(ma.Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = fields.String(required=True, metadata={"description": "The figure in words."})
    amount = Number(required=True)
    period = fields.String(allow_none=True, required=True, validate=validate.OneOf(PERIODS))
    metric_id = fields.Integer(allow_none=True, required=True)
    unit = fields.String(allow_none=True, required=True, metadata={"description": "An outcome's."})
    due_on = fields.Date(allow_none=True, required=True)
    starts_on = fields.Date(required=True, metadata={"description": "The day it counts from."})
    month = fields.Date(
        required=True, metadata={"description": "The first day of the current month."}
    )
    committed = Number(
        allow_none=True,
        required=True,
        metadata={"description": "Committed in the current month (null for an outcome)."},
    )
    delivered = Number(required=True, metadata={"description": "Delivered in the current month."})
    expected = Number(
        allow_none=True,
        required=True,
        metadata={"description": "Committed for the days of the month already over."},
    )
    committed_to_date = Number(
        required=True, metadata={"description": "To the month's end; an outcome's amount."}
    )
    delivered_to_date = Number(required=True)
    expected_to_date = Number(required=True, metadata={"description": "By yesterday."})
    status = fields.String(
        required=True,
        validate=validate.OneOf(fig.STATUSES),
        metadata={"description": RULE},
    )
    status_to_date = fields.String(required=True, validate=validate.OneOf(fig.STATUSES))
    on_track = fields.Boolean(required=True, metadata={"description": "status on_track or met."})


def figure_out(s: commitments.Standing) -> dict[str, object]:
    d = s.doc
    keys = ("id", "kind", "amount", "period", "metric_id", "unit", "due_on", "starts_on")
    more = ("committed", "delivered", "expected", "committed_to_date", "delivered_to_date")
    flags = ("expected_to_date", "status", "status_to_date", "on_track")
    days = {k: date.fromisoformat(d[k]) if d[k] else None for k in ("due_on", "starts_on")}
    return {
        **{k: d[k] for k in (*keys, *more, *flags)},
        **days,
        "partner_id": s.commitment.partner_id,
        "description": s.words,
        "month": s.start,
    }


@blp.route("/programmes/<int:programme_id>/partners/<int:partner_id>/commitments", methods=["POST"])
@blp.arguments(CommitmentIn)
@blp.response(201, FigureOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def add_commitment(
    args: CommitmentInData, programme_id: int, partner_id: int
) -> ResponseReturnValue:
    """The lead agency's staff give a partner a measurable figure: hours or in-kind value per
    week, month or quarter, or a quantity of one of the programme's metrics by a due date."""
    session, actor, now = db.session(), current_actor(), utcnow()
    programme = programmes.get_programme(session, actor, programme_id)
    partner = partners.get_partner(session, programme, partner_id)
    added = commitments.add_commitment(session, actor, partner, now=now, **args)
    session.commit()
    month = commitments.programme_standings(session, actor, programme, now=now) or {}
    [shown] = [s for s in month.get(partner.id, []) if s.commitment.id == added.id]
    location = url_for("api_programmes.get_programme", programme_id=programme.id)
    return figure_out(shown), 201, {"Location": location}


@blp.route(
    "/programmes/<int:programme_id>/partners/<int:partner_id>/commitments/<int:commitment_id>",
    methods=["DELETE"],
)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def remove_commitment(programme_id: int, partner_id: int, commitment_id: int) -> None:
    """The lead agency's staff remove one of a partner's figures."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    partner = partners.get_partner(session, programme, partner_id)
    commitments.remove_commitment(session, actor, partner, commitment_id, now=utcnow())
    session.commit()
    return None
