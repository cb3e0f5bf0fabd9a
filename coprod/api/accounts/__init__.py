"""Registering an account, the signed-in person's own profile, and site admins' list of
accounts (deactivate, reactivate).

One blueprint, `api_accounts`; its operations live in the modules imported below, in the order
the OpenAPI document lists them (so keep that order).
"""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Accounts")

# isort: off
from coprod.api.accounts import me_views  # noqa: E402
from coprod.api.accounts import admin_views  # noqa: E402

# isort: on
from coprod.api.accounts.schemas import Accepted  # noqa: E402

__all__ = ["Accepted", "admin_views", "blp", "me_views"]
