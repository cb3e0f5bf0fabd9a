"""Download my data: the ZIP of everything coprod holds about the token's owner."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from coprod.api.auth import current_actor, token_required
from coprod.db import db, utcnow
from coprod.extensions import export_limits
from coprod.services import exports

blp = Blueprint("api_exports", __name__, url_prefix="/api/v1", description="Your data")

ZIP_DOC = {
    "type": "string",
    "format": "binary",
    "description": "A ZIP: README.txt, data.json and one CSV file per table.",
}


@blp.route("/me/export", methods=["GET"])
@blp.alt_response(200, schema=ZIP_DOC, content_type=exports.ZIP_TYPE, success=True)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@export_limits
@token_required
def export_me() -> Any:
    """Everything coprod holds about you (profile, memberships, sign-ups, logs with outcomes
    and in-kind, reviews, email settings, emails sent to you, audit entries about you, API
    token names) as a ZIP of JSON and CSV with a README. Secrets and other people's data are
    left out."""
    person = current_actor()
    export = exports.build_export(db.session(), person, person, now=utcnow())
    response = Response(export.data, mimetype=exports.ZIP_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
