"""Tasks and their shifts: the public list, a task's page, posting and editing them.

One blueprint, `api_tasks`; its operations live in the modules imported below, in the order
the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1", description="Tasks and shifts")

# isort: off
from coprod.api.tasks import task_views  # noqa: E402
from coprod.api.tasks import shift_views  # noqa: E402
from coprod.api.tasks import series_views  # noqa: E402
from coprod.api.tasks import interest_views  # noqa: E402

# isort: on

__all__ = ["blp", "interest_views", "series_views", "shift_views", "task_views"]
