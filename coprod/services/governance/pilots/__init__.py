"""Pilots: their set-up (the metrics they should move and what they are compared with), their
evaluation, and the decision the lead agency takes at the end.

Definitions (the evaluation page and the API say the same):

- **Periods** are days of the programme's local calendar, both ends included. The pilot's
  period is its evaluation window (from `evaluation_starts_on`, or the programme's start, to
  `evaluation_ends_on`). A *baseline* comparison is the same programme over the period of equal
  length just before the window; a *control* comparison is the named established tasks and
  programmes (PilotControl rows) over the window itself.
- **Approved hours** are the hours of approved logs, less those on training tasks (tasks that
  train a qualification): the shared-ownership report counts those as capacity building, not
  service (coprod.services.reports.figures), and so does the evaluation.
- **Outcome**, per measured metric (Metric.pilot_measure): the quantities of that metric on
  those logs. For a baseline, the same metric; for a control, the quantities of every metric of
  the control logs whose unit is the measured metric's unit, compared without regard to case
  ("Meals" and "meals" are one unit).
- **Outcome per hour** is outcome / approved hours of the group (None without hours).
- **Contributors** are the distinct people with such logs; **retention** is the share (per
  cent, one decimal) of them who contributed on at least two different days of the period --
  those who came back. Logs of deleted accounts (no person) count in hours and outcomes only.
- **Difference** is pilot minus comparison outcome per hour; its **95 % interval** is a
  percentile bootstrap over contributors: each person's hours and outcome are summed in the
  database (GROUP BY), then both groups' people are resampled with replacement
  PILOT_BOOTSTRAP_SAMPLES times (random.Random seeded from the programme id, so a rebuild draws
  the same samples), the difference of the resampled ratios taken each time, and the interval
  is the 2.5th and 97.5th percentiles by nearest rank (sorted[ceil(0.025 B) - 1] and
  sorted[ceil(0.975 B) - 1]). With fewer than PILOT_MIN_CONTRIBUTORS people in either group
  there is no interval, and the figures say so.
"""

from __future__ import annotations

from coprod.services.governance.pilots._arithmetic import RATE_PLACES, bootstrap_interval
from coprod.services.governance.pilots._common import (
    Periods,
    get_pilot,
    get_stored,
    list_controls,
    min_contributors_setting,
    periods,
    samples_setting,
    seed_for,
    window_ended,
)
from coprod.services.governance.pilots._sums import L, Unit, contributor_sums
from coprod.services.governance.pilots.building import (
    FIGURES_VERSION,
    build_evaluation,
    build_figures,
    canonical,
    due_pilots,
    rebuild_now,
)
from coprod.services.governance.pilots.controls import (
    MAX_CONTROLS,
    add_control,
    get_managed_pilot,
    remove_control,
    search_controls,
    set_up,
)
from coprod.services.governance.pilots.downloads import CSV_COLUMNS, decision_json, figures_csv
from coprod.services.governance.pilots.evaluations import (
    MAX_LESSONS,
    EvaluationView,
    PilotSummary,
    get_evaluation,
    list_pilots,
    published,
    record_decision,
)
from coprod.services.governance.pilots.figure_types import (
    ControlFigures,
    EvaluationFigures,
    GroupFigures,
    Interval,
    MeasureFigures,
    MethodFigures,
    Rate,
)

__all__ = [
    "CSV_COLUMNS",
    "FIGURES_VERSION",
    "MAX_CONTROLS",
    "MAX_LESSONS",
    "RATE_PLACES",
    "ControlFigures",
    "EvaluationFigures",
    "EvaluationView",
    "GroupFigures",
    "Interval",
    "L",
    "MeasureFigures",
    "MethodFigures",
    "Periods",
    "PilotSummary",
    "Rate",
    "Unit",
    "add_control",
    "bootstrap_interval",
    "build_evaluation",
    "build_figures",
    "canonical",
    "contributor_sums",
    "decision_json",
    "due_pilots",
    "figures_csv",
    "get_evaluation",
    "get_managed_pilot",
    "get_pilot",
    "get_stored",
    "list_controls",
    "list_pilots",
    "min_contributors_setting",
    "periods",
    "published",
    "rebuild_now",
    "record_decision",
    "remove_control",
    "samples_setting",
    "search_controls",
    "seed_for",
    "set_up",
    "window_ended",
]
