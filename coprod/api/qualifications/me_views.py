"""A person's own awards and skills, and whether coordinators may invite them."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import marshmallow as ma
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from coprod.api.auth import current_actor, token_required
from coprod.api.fields import Line
from coprod.api.qualifications import blp
from coprod.api.qualifications.award_views import AwardOut, award_out
from coprod.db import db, utcnow
from coprod.services.capacity import MAX_TAG, MAX_TAGS
from coprod.services.capacity import qualifications as quals


class MyQualificationsOut(ma.Schema):
    awards = fields.List(fields.Nested(AwardOut), required=True)
    skills = fields.List(fields.String(), required=True)
    open_to_invitations = fields.Boolean(required=True)


class MyQualificationsPatch(ma.Schema):
    skills = fields.List(
        Line(max_len=MAX_TAG, blank=True),
        validate=validate.Length(max=100),
        metadata={
            "description": f"Free tags, each at most {MAX_TAG} characters, at most {MAX_TAGS}; "
            "stored lower case, each once."
        },
    )
    open_to_invitations = fields.Boolean(
        metadata={"description": "Coordinators may invite me to understaffed shifts I qualify for."}
    )


class MyQualificationsPatchData(TypedDict):
    """What `MyQualificationsPatch` loads."""

    skills: NotRequired[list[str]]
    open_to_invitations: NotRequired[bool]


def _mine() -> dict[str, object]:
    session, actor = db.session(), current_actor()
    holdings = quals.my_awards(session, actor, now=utcnow())
    return {
        "awards": [award_out(h.award, h.state) for h in holdings],
        "skills": quals.my_skills(session, actor),
        "open_to_invitations": actor.open_to_invitations,
    }


@blp.route("/me/qualifications", methods=["GET"])
@blp.response(200, MyQualificationsOut)
@token_required
def my_qualifications() -> ResponseReturnValue:
    """All my awards (the newest first, with their state today), my skills and whether
    coordinators may invite me to understaffed shifts."""
    return _mine()


@blp.route("/me/qualifications", methods=["PATCH"])
@blp.arguments(MyQualificationsPatch)
@blp.response(200, MyQualificationsOut)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@token_required
def update_my_qualifications(args: MyQualificationsPatchData) -> ResponseReturnValue:
    """Set my skills (replacing them) and whether coordinators may invite me."""
    session, actor = db.session(), current_actor()
    if "skills" in args:
        quals.set_skills(session, actor, args["skills"])
    if "open_to_invitations" in args:
        quals.set_open_to_invitations(session, actor, args["open_to_invitations"])
    session.commit()
    return _mine()
