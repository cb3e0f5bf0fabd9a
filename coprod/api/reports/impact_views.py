"""A programme's public impact figures and its "You said, we did" answers."""

from __future__ import annotations

from typing import NotRequired

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import optional_actor
from coprod.api.fields import Number, PageArgs, PageArgsData, UTCDateTime, page_schema
from coprod.api.reports import blp
from coprod.api.reports.figures import CURRENCY_DOC, ImpactCapacity, Outcome, Totals
from coprod.db import db, utcnow
from coprod.models import Proposal
from coprod.services import reports
from coprod.services.engagement import impact as proposal_impact


class ImpactOut(Totals):
    programme_id = fields.Integer(required=True)
    currency = fields.String(required=True, metadata=CURRENCY_DOC)
    programme_name = fields.String(required=True)
    as_of = fields.Date(allow_none=True, metadata={"description": "End of the last quarter."})
    outcomes = fields.List(fields.Nested(Outcome), required=True)
    capacity = fields.Nested(
        ImpactCapacity,
        required=True,
        metadata={"description": "Training delivered and qualifications awarded, in aggregate."},
    )


@blp.route("/programmes/<int:programme_id>/impact", methods=["GET"])
@blp.response(200, ImpactOut)
@blp.alt_response(404, response="NOT_FOUND")
def impact(programme_id: int) -> ResponseReturnValue:
    """The programme's public aggregate figures since it began (never a person's name)."""
    result = reports.get_impact(db.session(), optional_actor(), programme_id, now=utcnow())
    return {
        **result.totals,
        "programme_id": result.programme.id,
        "programme_name": result.programme.name,
        "currency": result.programme.currency,
        "as_of": result.as_of,
        "outcomes": result.outcomes,
        "capacity": result.capacity,
    }


# --- "You said, we did" ---------------------------------------------------------------------

ANSWERED = list(proposal_impact.ANSWERED)


class YouSaidArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf(ANSWERED),
        metadata={"description": "Only answers of this kind (default: every answer)."},
    )


class YouSaidArgsData(PageArgsData):
    """What `YouSaidArgs` loads."""

    status: NotRequired[str]


class ProposalOutcome(ma.Schema):
    metric_id = fields.Integer(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    quantity = Number(required=True)


class ProposalImpact(ma.Schema):
    hours = Number(required=True, metadata={"description": "The task's approved hours so far."})
    volunteers = fields.Integer(
        required=True, metadata={"description": "people + organisations (distinct contributors)."}
    )
    people = fields.Integer(
        required=True, metadata={"description": "People who logged approved hours themselves."}
    )
    organisations = fields.Integer(
        required=True,
        metadata={"description": "Organisations whose coordinators logged approved hours for it."},
    )
    outcomes = fields.List(fields.Nested(ProposalOutcome), required=True)
    as_of = UTCDateTime(required=True, metadata={"description": "When the figures were computed."})


class AnsweredProposal(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ANSWERED))
    answer = fields.String(required=True, metadata={"description": "The agency's public answer."})
    answered_at = UTCDateTime(required=True, allow_none=True)
    task_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The task made on accepting."}
    )
    task_title = fields.String(required=True, allow_none=True)
    impact = fields.Nested(
        ProposalImpact,
        required=True,
        allow_none=True,
        metadata={
            "description": "For an accepted proposal with a task: its figures so far, updated "
            "with the reports; null until the next report run (and for other answers)."
        },
    )


AnsweredPage = page_schema(AnsweredProposal, "AnsweredProposalPage")


def _impact_out(p: Proposal) -> dict[str, object] | None:
    shown = p.status.value == "accepted" and p.task_id is not None
    if not shown or p.impact is None or p.impact_built_at is None:
        return None
    return {**p.impact, "as_of": p.impact_built_at}


def answered_out(p: Proposal) -> dict[str, object]:
    return {
        "id": p.id,
        "title": p.title,
        "status": p.status.value,
        "answer": p.answer,
        "answered_at": p.answered_at,
        "task_id": p.task_id,
        "task_title": p.task.title if p.task is not None else None,
        "impact": _impact_out(p),
    }


@blp.route("/programmes/<int:programme_id>/you-said-we-did", methods=["GET"])
@blp.arguments(YouSaidArgs, location="query")
@blp.response(200, AnsweredPage)
@blp.alt_response(404, response="NOT_FOUND")
def you_said(args: YouSaidArgsData, programme_id: int) -> ResponseReturnValue:
    """ "You said, we did": the programme's answered proposals, newest answer first, with the
    accepted ones' figures so far (public; never hidden proposals, never a name)."""
    result = proposal_impact.list_answered(
        db.session(),
        optional_actor(),
        programme_id,
        status=args.get("status"),
        page=args["page"],
        per_page=args["per_page"],
    )
    page = result.page
    return {**page.__dict__, "items": [answered_out(p) for p in page.items]}
