"""The committed amounts and the flags: plain arithmetic on a figure's dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from coprod.models import Commitment, CommitmentKind, PeriodKind
from coprod.services.reports.periods import period_end, period_start

ON_TRACK, BEHIND, MET, MISSED = "on_track", "behind", "met", "missed"
STATUSES = (ON_TRACK, BEHIND, MET, MISSED)


def own_kind(c: Commitment | dict[str, Any]) -> PeriodKind:
    """The period a figure is measured in on its own: its own (an outcome's: the month)."""
    period = c["period"] if isinstance(c, dict) else c.period
    return PeriodKind(period) if period else PeriodKind.MONTH


def start_of(c: Commitment) -> date:
    """The day the figure counts from: its own start, else its programme's."""
    return c.starts_on or c.partner.programme.starts_on


# --- committed: plain arithmetic on days ---------------------------------------------------


def spread(amount: Decimal, per: PeriodKind, first: date, last: date) -> Fraction:
    """What a figure of `amount` a `per` commits over the days first..last (inclusive): each
    day commits amount / the days of its period (whole periods between: amount each)."""
    if first > last:
        return Fraction(0)
    a, b = period_start(per, first), period_start(per, last)

    def share(start: date, lo: date, hi: date) -> Fraction:
        length = (period_end(per, start) - start).days + 1
        return Fraction(amount) * ((hi - lo).days + 1) / length

    if a == b:
        return share(a, first, last)
    between = _index(per, b) - _index(per, a) - 1
    return share(a, first, period_end(per, a)) + Fraction(amount) * between + share(b, b, last)


def _index(per: PeriodKind, start: date) -> int:
    """A period's place in a count of periods of its kind (consecutive periods differ by 1)."""
    if per == PeriodKind.WEEK:
        return start.toordinal() // 7
    months = start.year * 12 + start.month - 1
    return months if per == PeriodKind.MONTH else months // 3


def cents(value: Fraction | Decimal | float | int | str) -> int:
    """An amount as whole cents, rounded half up."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def number(c: int) -> float:
    return c / 100


def judge(doc: dict[str, Any], start: date, end: date, today: date | None) -> dict[str, Any]:
    """The figure's expected amounts and flags (module docstring) as of the end of its
    period, or, while the period is in progress on `today`, as of yesterday; a new dict."""
    out = dict(doc)
    as_of = end if today is None or today > end else min(end, today - timedelta(days=1))
    s = date.fromisoformat(doc["starts_on"])
    got, got_to_date = cents(doc["delivered"]), cents(doc["delivered_to_date"])
    if doc["kind"] == CommitmentKind.OUTCOME:
        due, whole_cents = date.fromisoformat(doc["due_on"]), cents(doc["amount"])
        whole = (due - s).days + 1
        passed = min(max((min(as_of, due) - s).days + 1, 0), whole)
        expected = cents(Fraction(whole_cents, 100) * passed / whole)
        if got_to_date >= whole_cents:
            status = MET
        elif as_of >= due:
            status = MISSED
        else:
            status = ON_TRACK if got_to_date >= expected else BEHIND
        out.update(expected=None, expected_to_date=number(expected))
        out.update(status=status, status_to_date=status)
    else:
        ends = date.fromisoformat(doc["ends_on"]) if doc["ends_on"] else as_of
        last, per = min(as_of, ends), own_kind(doc)
        amount = Decimal(str(doc["amount"]))
        expected = cents(spread(amount, per, max(start, s), last))
        expected_to_date = cents(spread(amount, per, s, last))
        out.update(expected=number(expected), expected_to_date=number(expected_to_date))
        out["status"] = ON_TRACK if got >= expected else BEHIND
        out["status_to_date"] = ON_TRACK if got_to_date >= expected_to_date else BEHIND
    out["on_track"] = out["status"] in (ON_TRACK, MET)
    return out
