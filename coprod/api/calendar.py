"""A volunteer's private iCalendar feed of their shifts, behind the secret link in GET /me."""

from __future__ import annotations

import re

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from coprod.db import db
from coprod.errors import NotFound
from coprod.i18n import _

blp = Blueprint("api_calendar", __name__, url_prefix="/api/v1", description="Calendar feed")

ICS = "text/calendar"
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,100}")
CALENDAR_DOC = {"type": "string", "description": "iCalendar (RFC 5545)."}


@blp.route("/calendar/<feed_token>.ics", methods=["GET"])
@blp.alt_response(200, schema=CALENDAR_DOC, content_type=ICS, success=True)
@blp.alt_response(404, response="NOT_FOUND")
def feed(feed_token: str) -> ResponseReturnValue:
    """Your confirmed shifts as iCalendar, for whoever holds the private link."""
    from coprod.services import calendar

    if not TOKEN.fullmatch(feed_token):
        raise NotFound(_("No calendar at this address."))  # not a link we ever gave out
    session = db.session()
    user = calendar.get_feed_user(session, feed_token)
    body = calendar.build_feed(session, user, request.host_url)
    response = Response(body, mimetype=ICS)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
