"""Taking a place on a shift (yourself, or someone booked by a coordinator) and its roster."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import CursorArgs, CursorArgsData, window_out
from coprod.api.signups import blp
from coprod.api.signups._common import _created
from coprod.api.signups.schemas import AssignIn, AssignInData, RosterPage, SignupOut, signup_out
from coprod.db import db, utcnow
from coprod.services import signups
from coprod.services.capacity import rosters


@blp.route("/shifts/<int:shift_id>/signups", methods=["POST"])
@blp.response(201, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def sign_up(shift_id: int) -> ResponseReturnValue:
    """Sign yourself up: `confirmed`, or `waitlisted` when the shift is full (not an error).
    Twice for one shift, or an overlapping shift, is 409. Without a qualification the task
    requires, valid on the shift's day, 422 on `qualification`, whose problem names it (and
    how to get it) in `detail` and gives its id as the extension member `qualification_id`."""
    session = db.session()
    shift = signups.get_shift(session, current_actor(), shift_id)
    signup = signups.sign_up(session, current_actor(), shift, utcnow())
    session.commit()
    return _created(signup)


@blp.route("/shifts/<int:shift_id>/assignments", methods=["POST"])
@blp.arguments(AssignIn)
@blp.response(201, SignupOut)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def assign(args: AssignInData, shift_id: int) -> ResponseReturnValue:
    """A coordinator of the task or the lead agency's staff book a volunteer, same rules: a
    member of the coordinating organisation, or someone who signed up to the programme
    before; any other id is answered as an unknown one (422 on `user_id`). Someone without a
    required qualification on the shift's day: 422 on `qualification` with `qualification_id`."""
    session, actor = db.session(), current_actor()
    shift = signups.get_shift(session, actor, shift_id)
    signup = signups.assign_by_id(session, actor, shift, args["user_id"], utcnow())
    session.commit()
    return _created(signup)


@blp.route("/shifts/<int:shift_id>/signups", methods=["GET"])
@blp.arguments(CursorArgs, location="query")
@blp.response(200, RosterPage)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@token_required
def roster(args: CursorArgsData, shift_id: int) -> ResponseReturnValue:
    """The shift's roster: seated volunteers, then the waitlist in order. Read by cursor:
    follow `next` (null at the end)."""
    session = db.session()
    shift = signups.get_shift(session, current_actor(), shift_id)
    page = signups.get_roster(
        session, current_actor(), shift, after=args["after"], per_page=args["per_page"]
    )
    positions = signups.waitlist_positions(session, page.items)
    contacts = signups.roster_contacts(session, current_actor(), shift, page.items)
    gaps = rosters.roster_gaps(session, shift, page.items) if utcnow() < shift.starts_at else {}
    items = [
        {
            **signup_out(s, positions.get(s.id)),
            "display_name": s.volunteer.display_name,
            "email": s.volunteer.email if s.id in contacts else None,
            "phone": s.volunteer.phone if s.id in contacts else None,
            "missing_qualifications": [
                {
                    "qualification_id": g.qualification.id,
                    "name": g.qualification.name,
                    "expired_on": g.expired_on,
                    "message": g.message,
                }
                for g in gaps.get(s.id, [])
            ],
        }
        for s in page.items
    ]
    return window_out(page, items, "api_signups.roster", shift_id=shift_id)
