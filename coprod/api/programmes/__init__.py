"""Programmes: public list and page; creation, partners and shared objectives (metrics).

One blueprint, `api_programmes`; its operations live in the modules imported below, in the
order the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_programmes", __name__, url_prefix="/api/v1", description="Programmes")

# isort: off
from coprod.api.programmes import programme_views  # noqa: E402
from coprod.api.programmes import partner_views  # noqa: E402

# isort: on

__all__ = ["blp", "partner_views", "programme_views"]
