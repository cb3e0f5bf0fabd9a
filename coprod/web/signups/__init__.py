"""Sign-ups: sign up and cancel, my schedule, the shift roster, assignments and attendance.

The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("signups", __name__)

# The views register their routes on `bp` when imported, after it exists.
from coprod.web.signups import places, roster_pages  # noqa: E402
from coprod.web.signups._common import STATUS_LABELS  # noqa: E402
from coprod.web.signups.places import CancelForm  # noqa: E402
from coprod.web.signups.roster_pages import (  # noqa: E402
    LOG_AFTER_ATTENDED,
    LOG_KEPT_AFTER_NO_SHOW,
    AssignForm,
    PickForm,
)

__all__ = [
    "LOG_AFTER_ATTENDED",
    "LOG_KEPT_AFTER_NO_SHOW",
    "STATUS_LABELS",
    "AssignForm",
    "CancelForm",
    "PickForm",
    "bp",
    "places",
    "roster_pages",
]
