"""Logging hours, the list of the logs you may see, and one log."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.contributions import blp
from coprod.api.contributions._common import _pairs, _renaming, _shift
from coprod.api.contributions.schemas import (
    ContributionIn,
    ContributionInData,
    ContributionListArgs,
    ContributionListArgsData,
    ContributionOut,
    ContributionPage,
    log_out,
)
from coprod.api.fields import referenced, window_out
from coprod.db import db, utcnow
from coprod.models import LogStatus
from coprod.services import contributions, listings
from coprod.services import organisations as orgs


@blp.route("/contributions", methods=["POST"])
@blp.arguments(ContributionIn)
@blp.response(201, ContributionOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def submit(args: ContributionInData) -> ResponseReturnValue:
    """Log your hours (or, as its coordinator, an organisation's) with outcomes and in-kind
    items: 0 < hours ≤ 24, no future date, at most 24 h a day. With `shift_id`: a shift you
    held (confirmed or attended) that has started, once per person and shift, dated the
    shift's local day (422 on `shift_id` or `date` otherwise); without: not before the
    programme's start or the task's creation. Answers `submitted`."""
    session, actor = db.session(), current_actor()
    task = referenced(
        lambda: contributions.get_task_for_logging(session, actor, args["task_id"]), "task_id"
    )
    org_id = args["organisation_id"]
    org = None
    if org_id is not None:
        org = referenced(
            lambda: orgs.get_organisation(session, current_actor(), org_id), "organisation_id"
        )
    log = _renaming(
        lambda: contributions.submit_log(
            session,
            actor,
            task,
            on=args["date"],
            hours=args["hours"],
            notes=args["notes"],
            organisation=org,
            shift=_shift(args["shift_id"]),
            now=utcnow(),
            **_pairs(args),
        )
    )
    session.commit()
    location = url_for("api_contributions.get_contribution", log_id=log.id)
    return log_out(log), 201, {"Location": location}


@blp.route("/contributions", methods=["GET"])
@blp.arguments(ContributionListArgs, location="query")
@blp.response(200, ContributionPage)
@token_required
def list_contributions(args: ContributionListArgsData) -> ResponseReturnValue:
    """The logs you may see: yours, your organisations' (as coordinator), and those of the
    programmes your agency leads (as reviewer); newest first. Read by cursor: follow `next`
    (null at the end); `page` numbers are not accepted."""
    status = args.get("status")
    found = listings.list_logs(
        db.session(),
        current_actor(),
        status=LogStatus(status) if status else None,
        programme_id=args.get("programme_id"),
        task_id=args.get("task_id"),
        user_id=args.get("user_id"),
        mine=args["mine"],
        after=args["after"],
        per_page=args["per_page"],
    )
    items = [log_out(log) for log in found.items]
    return window_out(found, items, "api_contributions.list_contributions")


@blp.route("/contributions/<int:log_id>", methods=["GET"])
@blp.response(200, ContributionOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_contribution(log_id: int) -> ResponseReturnValue:
    """One log, for its contributor, its organisation's coordinators and its reviewers."""
    return log_out(contributions.get_log(db.session(), current_actor(), log_id))
