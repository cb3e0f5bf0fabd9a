"""GET /me/home: what needs you, section by section, as on the signed-in home page (the same
service, coprod.services.home); GET /me/hours: your approved hours, as on My hours
(coprod.services.record).

One blueprint, `api_home`; its operations live in the modules imported below, in the order the
OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_home", __name__, url_prefix="/api/v1", description="Home")

# isort: off
from coprod.api.home import home_views  # noqa: E402
from coprod.api.home import hours_views  # noqa: E402

# isort: on

__all__ = ["blp", "home_views", "hours_views"]
