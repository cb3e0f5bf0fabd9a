"""Partners' commitments as figures against what they delivered, for a report period and to
date: the sums are grouped in the database (one statement whatever the number of figures and
periods), the committed amounts and the flags are plain arithmetic on dates.

**Delivered** is credited exactly as the shared-ownership report credits "hours by
organisation" (coprod.services.reports.figures): the approved logs of the programme made for
the partner organisation (`ContributionLog.organisation_id`), dated from the figure's start
(`starts_on`, else the programme's start):

- hours: their approved hours, except the hours of training tasks (capacity building, counted
  in no service figure);
- in-kind: the value of their in-kind items (as the report's `in_kind_value`);
- outcome: the quantity of the figure's metric on them, dated up to its due date.

**Committed** spreads a figure of A per week, month or quarter evenly over the days of each of
its periods: a day commits A / (the number of days of the figure's period containing it), from
the figure's start to the programme's end (if it has one). So a report period commits the sum
over its days, which converts the figure to the report's period:
month→quarter x3 (each whole month adds A), quarter→month A x days of the month / days of the
quarter, week→month or quarter A x days / 7, month→week A x Σ 1/(days of each day's month)
(7/30 A in a 30-day month), quarter→week A x 7 / days of the quarter. "To date" is the same
sum from the figure's start to the end of the period: A x the periods elapsed, a part-period
by its days. An outcome figure commits its amount by its due date.

**Flags** (`status`): hours and in-kind figures are *behind* when delivered in the period is
less than committed for it, *on track* otherwise; while the period is still in progress,
delivered is compared with the part committed for the days already over (today not counted),
pro rata. The same rule on the to-date figures gives `status_to_date`. An outcome figure is
*met* once delivered to date reaches its amount; *missed* when its due date has passed without
it; otherwise *on track* when delivered to date is at least its amount x the share of the days
from its start to its due date that are over (by the period's end, or yesterday while the
period is in progress), *behind* when not.
"""

from __future__ import annotations

from coprod.services.governance.figures.arithmetic import (
    BEHIND,
    MET,
    MISSED,
    ON_TRACK,
    STATUSES,
    cents,
    judge,
    number,
    own_kind,
    spread,
    start_of,
)
from coprod.services.governance.figures.blocks import (
    L,
    Sums,
    delivered,
    figure_doc,
    judged_block,
    load_figures,
    programme_blocks,
)

__all__ = [
    "BEHIND",
    "MET",
    "MISSED",
    "ON_TRACK",
    "STATUSES",
    "L",
    "Sums",
    "cents",
    "delivered",
    "figure_doc",
    "judge",
    "judged_block",
    "load_figures",
    "number",
    "own_kind",
    "programme_blocks",
    "spread",
    "start_of",
]
