"""Contribution logs: submitting hours and outcomes, reading them, review and resubmission.

One blueprint, `api_contributions`; its operations live in the modules imported below, in the
order the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_contributions", __name__, url_prefix="/api/v1", description="Contributions")

# isort: off
from coprod.api.contributions import log_views  # noqa: E402
from coprod.api.contributions import change_views  # noqa: E402

# isort: on

__all__ = ["blp", "change_views", "log_views"]
