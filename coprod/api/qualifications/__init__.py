"""Qualifications: an organisation's list and definitions, awards made by verifiers, their
holders and revoking, and a person's own awards and skills.

One blueprint, `api_qualifications`; its operations live in the modules imported below, in the
order the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint(
    "api_qualifications",
    __name__,
    url_prefix="/api/v1",
    description="Qualifications, their awards and people's skills",
)

# isort: off
from coprod.api.qualifications import definition_views  # noqa: E402
from coprod.api.qualifications import award_views  # noqa: E402
from coprod.api.qualifications import me_views  # noqa: E402

# isort: on

__all__ = ["award_views", "blp", "definition_views", "me_views"]
