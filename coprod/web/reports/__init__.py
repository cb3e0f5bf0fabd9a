"""Report pages: a programme's shared-ownership report with server-drawn SVG charts, its CSV and
JSON export, and the public impact page.

The blueprint `bp` is made here; its views live in the modules imported at the bottom.
"""

from __future__ import annotations

from flask import Blueprint

bp: Blueprint = Blueprint("reports", __name__)

# The views and filters register on `bp` when imported, after it exists.
from coprod.web.reports import charts, filters, pages  # noqa: E402
from coprod.web.reports.charts import (  # noqa: E402
    SECTORS,
    Chart,
    CommitmentRow,
    Label,
    Line,
    Rect,
    commitment_chart,
    delivered_chart,
    over_time_chart,
    progress_chart,
    share_chart,
    training_chart,
)
from coprod.web.reports.filters import currency_name_filter, money_filter, period_label  # noqa: E402
from coprod.web.reports.pages import PeriodForm  # noqa: E402

__all__ = [
    "SECTORS",
    "Chart",
    "CommitmentRow",
    "Label",
    "Line",
    "PeriodForm",
    "Rect",
    "bp",
    "charts",
    "commitment_chart",
    "currency_name_filter",
    "delivered_chart",
    "filters",
    "money_filter",
    "over_time_chart",
    "pages",
    "period_label",
    "progress_chart",
    "share_chart",
    "training_chart",
]
