"""Partnership agreements: a programme's versions with every partner's answer, publishing a new
version (lead staff) and answering the one in force (partner organisations' admins)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
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
from coprod.db import db, utcnow
from coprod.errors import Invalid, NotAllowed
from coprod.i18n import _
from coprod.models import Agreement, AgreementAnswer, CommitmentKind, DecisionRule, PeriodKind
from coprod.services import organisations, programmes
from coprod.services.governance import agreement_reads as reads
from coprod.services.governance import agreements

blp = Blueprint(
    "api_agreements",
    __name__,
    url_prefix="/api/v1",
    description="Partnership agreements: versions, and each partner's answer",
)

RULES = [r.value for r in DecisionRule]
RULE_HELP = (
    "How the partners decide shared questions: majority (more than half of the organisations "
    "that may vote choose the same option) or consensus (all of them do)."
)


class AgreementIn(ma.Schema):
    purpose = Text(max_len=agreements.MAX_PURPOSE, blank=False, required=True)
    decision_rule = fields.String(
        required=True, validate=validate.OneOf(RULES), metadata={"description": RULE_HELP}
    )
    review_on = Day(
        required=True,
        metadata={
            "description": "When the partners review the agreement: not in the past (the "
            "programme's date), at most 10 years ahead."
        },
    )


class AgreementInData(TypedDict):
    """What `AgreementIn` loads."""

    purpose: str
    decision_rule: str
    review_on: date


class AgreementAnswerIn(ma.Schema):
    accept = fields.Boolean(
        required=True,
        metadata={"description": "true accepts the version; false objects to it."},
    )
    comment = Text(
        max_len=agreements.MAX_COMMENT,
        load_default="",
        metadata={"description": "Required (not blank) when objecting; read by every partner."},
    )
    organisation_id = Id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The partner organisation answering; needed only when the caller is "
            "an admin of more than one partner organisation named in the version."
        },
    )


class AgreementAnswerInData(TypedDict):
    """What `AgreementAnswerIn` loads."""

    accept: bool
    comment: str
    organisation_id: int | None


class AgreementFigureOut(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CommitmentKind]))
    amount = fields.Float(required=True)
    period = fields.String(
        allow_none=True,
        required=True,
        validate=validate.OneOf([p.value for p in PeriodKind]),
        metadata={"description": "week, month or quarter for hours and in_kind; null otherwise."},
    )
    metric_id = fields.Integer(allow_none=True, required=True)
    metric_name = fields.String(allow_none=True, required=True)
    unit = fields.String(allow_none=True, required=True)
    due_on = fields.Date(allow_none=True, required=True)


class AgreementTermsOut(ma.Schema):
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    role = fields.String(required=True)
    responsibilities = fields.String(required=True)
    commitments = fields.String(required=True)
    figures = fields.List(fields.Nested(AgreementFigureOut), required=True)


class AgreementAnswerOut(ma.Schema):
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    organisation_name = fields.String(required=True)
    accepted = fields.Boolean(required=True)
    comment = fields.String(required=True)
    answered_by_id = fields.Integer(allow_none=True, required=True)
    answered_at = UTCDateTime(required=True)


class AgreementOut(ma.Schema):
    id = fields.Integer(required=True)
    programme_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    in_force = fields.Boolean(
        required=True, metadata={"description": "The newest version: the only one answerable."}
    )
    purpose = fields.String(required=True)
    decision_rule = fields.String(required=True, validate=validate.OneOf(RULES))
    review_on = fields.Date(allow_none=True, required=True)
    published_by_id = fields.Integer(allow_none=True, required=True)
    published_at = UTCDateTime(required=True)
    terms = fields.List(
        fields.Nested(AgreementTermsOut),
        required=True,
        metadata={"description": "What the version says of each partner, as published."},
    )
    answers = fields.List(fields.Nested(AgreementAnswerOut), required=True)


AgreementPage = page_schema(AgreementOut, "AgreementPage")


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _figure(raw: dict[str, object]) -> dict[str, object]:
    """A figure as published (coprod.services.governance.terms: the amount as exact text)."""
    return {
        **raw,
        "amount": float(str(raw.get("amount") or 0)),
        "due_on": _day(raw.get("due_on")),
    }


def answer_out(found: AgreementAnswer) -> dict[str, object]:
    keys = ("id", "agreement_id", "organisation_id", "accepted", "comment", "answered_by_id")
    return {
        **{k: getattr(found, k) for k in keys},
        "organisation_name": found.organisation.name,
        "answered_at": found.answered_at,
    }


def agreement_out(found: Agreement, newest_version: int | None) -> dict[str, object]:
    keys = ("id", "programme_id", "version", "purpose", "review_on", "published_by_id")
    return {
        **{k: getattr(found, k) for k in keys},
        "in_force": found.version == newest_version,
        "decision_rule": found.decision_rule.value,
        "published_at": found.published_at,
        "terms": [{**t, "figures": [_figure(f) for f in t["figures"]]} for t in found.terms],
        "answers": [answer_out(a) for a in found.answers],
    }


def _newest_version(found: Agreement) -> int | None:
    newest = reads.newest(db.session(), current_actor(), found.programme)
    return newest.version if newest else None


@blp.route("/programmes/<int:programme_id>/agreements", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, AgreementPage)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def list_agreements(args: PageArgsData, programme_id: int) -> ResponseReturnValue:
    """The programme's agreement versions, newest first, each with every partner's answer (the
    partnership: members of the lead agency and of the partner organisations)."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    page = reads.list_versions(
        session, actor, programme, page=args["page"], per_page=args["per_page"]
    )
    newest = reads.newest(session, actor, programme)
    version = newest.version if newest else None
    return {**page.__dict__, "items": [agreement_out(a, version) for a in page.items]}


@blp.route("/programmes/<int:programme_id>/agreements", methods=["POST"])
@blp.arguments(AgreementIn)
@blp.response(201, AgreementOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def publish(args: AgreementInData, programme_id: int) -> ResponseReturnValue:
    """The lead agency's staff publish the next version: it snapshots every current partner's
    role, responsibilities, commitments and figures, and each partner's admins are emailed to
    answer it (409 when the programme has no partners)."""
    session, actor = db.session(), current_actor()
    programme = programmes.get_programme(session, actor, programme_id)
    made = agreements.publish(session, actor, programme, now=utcnow(), **args)
    session.commit()
    location = url_for("api_agreements.get_agreement", agreement_id=made.id)
    return agreement_out(made, made.version), 201, {"Location": location}


@blp.route("/agreements/<int:agreement_id>", methods=["GET"])
@blp.response(200, AgreementOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_agreement(agreement_id: int) -> ResponseReturnValue:
    """One version with every partner's answer (the partnership only)."""
    found = reads.get_agreement(db.session(), current_actor(), agreement_id)
    return agreement_out(found, _newest_version(found))


@blp.route("/agreements/<int:agreement_id>/answers", methods=["POST"])
@blp.arguments(AgreementAnswerIn)
@blp.response(200, AgreementOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def answer(args: AgreementAnswerInData, agreement_id: int) -> ResponseReturnValue:
    """An admin of a partner organisation named in the version answers it in the
    organisation's name (answering again changes the answer): 409 for a version that a newer
    one replaced, 403 for people who speak for no partner named in it."""
    session, actor = db.session(), current_actor()
    found = reads.get_agreement(session, actor, agreement_id)
    org_id = args["organisation_id"]
    if org_id is not None:
        org = referenced(
            lambda: organisations.get_organisation(session, actor, org_id), "organisation_id"
        )
    else:
        mine = reads.speakable(actor, found)
        if not mine:
            raise NotAllowed(_("You are not an admin of a partner named in this version."))
        if len(mine) > 1:
            raise Invalid(
                "organisation_id",
                _(
                    "You are an admin of more than one partner of this programme: say in "
                    "organisation_id which one answers."
                ),
            )
        org = mine[0]
    agreements.answer(
        session, actor, found, org, accepted=args["accept"], comment=args["comment"], now=utcnow()
    )
    session.commit()
    session.refresh(found)
    return agreement_out(found, _newest_version(found))


__all__ = ["blp"]
