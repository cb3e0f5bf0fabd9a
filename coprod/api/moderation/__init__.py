"""Moderation: report a proposal or a public comment; lead staff hide it with a reason (its
author reads it), show it again, dismiss the reports, and read the programme's queue.

One blueprint, `api_moderation`; its operations live in the modules imported below, in the
order the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "api_moderation",
    __name__,
    url_prefix="/api/v1",
    description="Reporting proposals and public comments; hiding them (lead agency staff)",
)

# isort: off
from coprod.api.moderation import flag_views  # noqa: E402
from coprod.api.moderation import hide_views  # noqa: E402
from coprod.api.moderation import queue_views  # noqa: E402

# isort: on

__all__ = ["blp", "flag_views", "hide_views", "queue_views"]
