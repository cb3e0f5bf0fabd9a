"""Matching people and work: the shifts that fit me, a shift's candidates, invitations."""

from __future__ import annotations

from typing import TypedDict

import marshmallow as ma
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from coprod import policy
from coprod.api.auth import current_actor, token_required
from coprod.api.fields import (
    CursorArgs,
    CursorArgsData,
    Id,
    PageArgs,
    PageArgsData,
    UTCDateTime,
    page_schema,
    window_out,
    window_schema,
)
from coprod.api.signups import SignupOut, signup_out
from coprod.db import db, utcnow
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import ShiftInvitation
from coprod.services import localtime, signups
from coprod.services.capacity import candidates, matching

blp = Blueprint("api_matching", __name__, url_prefix="/api/v1", description="Matching")


class SuggestionOut(ma.Schema):
    shift_id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    task_title = fields.String(required=True)
    programme_id = fields.Integer(required=True)
    location = fields.String(required=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    timezone = fields.String(required=True)
    free_places = fields.Integer(required=True)
    matched_skills = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Your skills that the task's skill tags ask for."},
    )


class CandidateOut(ma.Schema):
    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    matched_skills = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The person's skills that the task's skill tags ask for."},
    )
    invited = fields.Boolean(required=True, metadata={"description": "Invited to this shift."})


class InvitationIn(ma.Schema):
    user_id = Id(required=True)


class InvitationInData(TypedDict):
    """What `InvitationIn` loads."""

    user_id: int


class InvitationOut(ma.Schema):
    id = fields.Integer(required=True)
    shift_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    invited_by_id = fields.Integer(required=True, allow_none=True)
    created_at = UTCDateTime(required=True)
    accepted_at = UTCDateTime(required=True, allow_none=True)


SuggestionWindow = window_schema(SuggestionOut, "SuggestionWindow")
CandidatePage = page_schema(CandidateOut, "CandidatePage")


def invitation_out(invitation: ShiftInvitation) -> dict[str, object]:
    keys = ("id", "shift_id", "user_id", "invited_by_id", "created_at", "accepted_at")
    return {k: getattr(invitation, k) for k in keys}


@blp.route("/me/suggestions", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, SuggestionWindow)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def suggestions(args: CursorArgsData) -> ResponseReturnValue:
    """Tasks that fit me: upcoming shifts with a free place of open tasks, whose required
    qualifications I hold on the shift's day, with no overlapping place of mine and not taken
    by me already; tasks matching my skills first, then the soonest. Read by cursor: follow
    `next` (no page numbers, no total)."""
    page = matching.list_suggestions(
        db.session(), current_actor(), now=utcnow(), after=args["after"], per_page=args["per_page"]
    )
    items = [
        {
            "shift_id": s.shift.id,
            "task_id": s.shift.task_id,
            "task_title": s.shift.task.title,
            "programme_id": s.shift.task.programme_id,
            "location": s.shift.task.location,
            "starts_at": s.shift.starts_at,
            "ends_at": s.shift.ends_at,
            "timezone": localtime.programme_zone_name(s.shift.task.programme),
            "free_places": s.shift.capacity - s.shift.confirmed,
            "matched_skills": s.skills,
        }
        for s in page.items
    ]
    return window_out(page, items, "api_matching.suggestions")


@blp.route("/shifts/<int:shift_id>/candidates", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, CandidatePage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def shift_candidates(args: PageArgsData, shift_id: int) -> ResponseReturnValue:
    """Members of the task's coordinating organisation (the lead agency's when it names none)
    who are active, confirmed, opted in to invitations, hold every required qualification on
    the shift's day, have no overlapping place and are not on this shift, by name. For the
    shift's coordinators and the lead agency's staff."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    page = candidates.list_candidates(
        session, actor, shift, page=args["page"], per_page=args["per_page"]
    )
    items = [
        {
            "user_id": c.user.id,
            "display_name": c.user.display_name,
            "matched_skills": c.skills,
            "invited": c.invited,
        }
        for c in page.items
    ]
    return {**page.__dict__, "items": items}


@blp.route("/shifts/<int:shift_id>/invitations", methods=["POST"])
@blp.arguments(InvitationIn)
@blp.response(201, InvitationOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@token_required
def invite(args: InvitationInData, shift_id: int) -> ResponseReturnValue:
    """Invite a candidate to the shift (an email with a link to take the place). 409 when they
    were invited already or the shift started, is cancelled or full; 422 when the person is not
    a candidate; 429 past INVITATIONS_PER_HOUR invitations an hour."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    invitation = candidates.invite(session, actor, shift, args["user_id"], now=utcnow())
    session.commit()
    location = url_for("api_matching.get_invitation", invitation_id=invitation.id)
    return invitation_out(invitation), 201, {"Location": location}


def _visible_invitation(invitation_id: int) -> ShiftInvitation:
    session, actor = db.session(), current_actor()
    invitation = session.scalar(select(ShiftInvitation).where(ShiftInvitation.id == invitation_id))
    if invitation is None or not (
        invitation.user_id == actor.id or policy.can(actor, "shift.invite", invitation.shift)
    ):
        raise NotFound(_("There is no such invitation."))
    return invitation


@blp.route("/invitations/<int:invitation_id>", methods=["GET"])
@blp.response(200, InvitationOut)
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def get_invitation(invitation_id: int) -> ResponseReturnValue:
    """One invitation: for the invited person and the shift's coordinators."""
    return invitation_out(_visible_invitation(invitation_id))


@blp.route("/invitations/<int:invitation_id>/accept", methods=["POST"])
@blp.response(201, SignupOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def accept(invitation_id: int) -> ResponseReturnValue:
    """Take the place: a sign-up under every rule of POST /shifts/{id}/signups (201 with
    `status` confirmed, or waitlisted when the last place went meanwhile)."""
    session, actor = db.session(), current_actor()
    invitation = _visible_invitation(invitation_id)
    if invitation.user_id != actor.id:
        raise NotFound(_("There is no such invitation."))
    signup = candidates.accept(session, actor, invitation.shift, now=utcnow())
    session.commit()
    location = url_for("api_signups.get_signup", signup_id=signup.id)
    position = signups.waitlist_position(session, signup)
    return signup_out(signup, position), 201, {"Location": location}
