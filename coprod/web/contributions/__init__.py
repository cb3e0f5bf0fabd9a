"""Contribution logs: log hours, my logs, a log's page, resubmit, correct, and the review queue.

The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("contributions", __name__)

# The views register their routes on `bp` when imported, after it exists.
from coprod.web.contributions import logs, reviews  # noqa: E402
from coprod.web.contributions._common import IN_KIND_ROWS, STATUS_LABELS, hours_text  # noqa: E402
from coprod.web.contributions.forms import (  # noqa: E402
    DateText,
    DecimalText,
    LogForm,
    LogValues,
    QueueFilter,
    ReviewForm,
    StatusFilter,
    log_form_class,
)

__all__ = [
    "IN_KIND_ROWS",
    "STATUS_LABELS",
    "DateText",
    "DecimalText",
    "LogForm",
    "LogValues",
    "QueueFilter",
    "ReviewForm",
    "StatusFilter",
    "bp",
    "hours_text",
    "log_form_class",
    "logs",
    "reviews",
]
