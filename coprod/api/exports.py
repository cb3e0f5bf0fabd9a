"""Download my data: the ZIP of everything coprod holds about the token's owner."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import fields

from coprod.api.auth import current_actor, token_required
from coprod.db import db, utcnow
from coprod.extensions import export_limits
from coprod.services import exports

blp = Blueprint("api_exports", __name__, url_prefix="/api/v1", description="Your data")


class Queued(ma.Schema):
    detail = fields.String(required=True)


ZIP_DOC = {
    "type": "string",
    "format": "binary",
    "description": "A ZIP: README.txt, data.json and one CSV file per table.",
}


@blp.route("/me/export", methods=["GET"])
@blp.alt_response(200, schema=ZIP_DOC, content_type=exports.ZIP_TYPE, success=True)
@blp.alt_response(202, schema=Queued)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@export_limits
@token_required
def export_me() -> ResponseReturnValue:
    """Everything coprod holds about you (profile, memberships, sign-ups, logs with outcomes
    and in-kind, reviews, email settings, emails sent to you, audit entries about you, API
    token names) as a ZIP of JSON and CSV with a README. Secrets and other people's data are
    left out."""
    person = current_actor()
    result = exports.export_or_queue(
        db.session(),
        person,
        person,
        now=utcnow(),
        inline_max=current_app.config["EXPORT_INLINE_MAX_ROWS"],
    )
    if not isinstance(result, exports.Export):
        db.session.commit()
        return {"detail": exports.queued_message()}, 202
    export = result
    response = Response(export.data, mimetype=exports.ZIP_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
