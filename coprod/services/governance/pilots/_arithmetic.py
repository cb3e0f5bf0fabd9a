"""A pilot evaluation's arithmetic: rates, shares, the bootstrap interval, and a group's and a
measure's figures."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coprod.models import Metric
from coprod.services.governance.pilots._sums import Unit
from coprod.services.governance.pilots.figure_types import GroupFigures, Interval, MeasureFigures

RATE_PLACES = Decimal("0.0001")


def _rate(outcome: int, hours: int) -> float | None:
    if hours <= 0:
        return None
    return float((Decimal(outcome) / Decimal(hours)).quantize(RATE_PLACES, ROUND_HALF_UP))


def bootstrap_interval(
    pilot: Sequence[tuple[int, int]],
    comparison: Sequence[tuple[int, int]],
    *,
    samples: int,
    seed: int,
) -> tuple[float, float] | None:
    """The percentile bootstrap 95 % interval of (pilot - comparison) outcome per hour, from
    each contributor's (outcome, hours); resampling both groups with replacement `samples`
    times with random.Random(seed): pilot then comparison, each drawn with rng.choices over
    its indices. None when a resample has no hours."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible statistics, not secrets
    diffs: list[float] = []
    for _i in range(samples):
        rates = []
        for group in (pilot, comparison):
            picks = rng.choices(range(len(group)), k=len(group))
            hours = sum(group[i][1] for i in picks)
            if hours <= 0:
                return None
            rates.append(sum(group[i][0] for i in picks) / hours)
        diffs.append(rates[0] - rates[1])
    diffs.sort()
    low = diffs[math.ceil(samples * 0.025) - 1]
    high = diffs[math.ceil(samples * 0.975) - 1]
    return round(low, 4), round(high, 4)


def _group_figures(units: list[Unit], span: tuple[date, date]) -> GroupFigures:
    people = [u for u in units if u.user_id is not None]
    returning = sum(1 for u in people if u.days >= 2)
    hours = sum(u.hours for u in units)
    return {
        "start": span[0].isoformat(),
        "end": span[1].isoformat(),
        "hours": hours / 100,
        "contributors": len(people),
        "returning": returning,
        "retention": _share(returning, len(people)),
    }


def _share(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return float((Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _measure(
    metric: Metric,
    pilot: list[tuple[int, int]],
    comparison: list[tuple[int, int]],
    *,
    samples: int,
    seed: int,
    least: int,
) -> MeasureFigures:
    p_out, p_hours = sum(o for o, _h in pilot), sum(h for _o, h in pilot)
    c_out, c_hours = sum(o for o, _h in comparison), sum(h for _o, h in comparison)
    p_rate, c_rate = _rate(p_out, p_hours), _rate(c_out, c_hours)
    difference = None
    if p_rate is not None and c_rate is not None:
        difference = float(
            (Decimal(p_out) / Decimal(p_hours) - Decimal(c_out) / Decimal(c_hours)).quantize(
                RATE_PLACES, ROUND_HALF_UP
            )
        )
    interval: Interval | None = None
    note: str | None = None
    if difference is None:
        note = "no_hours"
    elif min(len(pilot), len(comparison)) < least:
        note = "too_few_contributors"
    else:
        found = bootstrap_interval(pilot, comparison, samples=samples, seed=seed)
        interval = {"low": found[0], "high": found[1]} if found else None
        note = None if found else "no_hours"
    return {
        "metric_id": metric.id,
        "name": metric.name,
        "unit": metric.unit,
        "pilot": {"quantity": p_out / 100, "per_hour": p_rate},
        "comparison": {"quantity": c_out / 100, "per_hour": c_rate},
        "difference": difference,
        "interval": interval,
        "interval_note": note,
    }
