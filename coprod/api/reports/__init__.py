"""Shared-ownership reports: the list of built periods, one snapshot (JSON or CSV), a
programme's public impact figures and its "You said, we did" answers.

One blueprint, `api_reports`; its operations live in the modules imported below, in the order
the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1", description="Reports and impact")

# isort: off
from coprod.api.reports import snapshot_views  # noqa: E402
from coprod.api.reports import impact_views  # noqa: E402

# isort: on

__all__ = ["blp", "impact_views", "snapshot_views"]
