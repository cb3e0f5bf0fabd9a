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

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, select, union_all
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import ColumnElement

from coprod.models import (
    Commitment,
    CommitmentKind,
    ContributionLog,
    InKindItem,
    LogStatus,
    OutcomeQuantity,
    Partner,
    PeriodKind,
    Programme,
    Task,
)
from coprod.services.reports.periods import bucket, period_end, period_start

L = ContributionLog
ON_TRACK, BEHIND, MET, MISSED = "on_track", "behind", "met", "missed"
STATUSES = (ON_TRACK, BEHIND, MET, MISSED)
# Sums by (figure id, period start); None holds what was delivered before the first period.
Sums = dict[int, dict[date | None, int]]


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


# --- delivered: one grouped statement -----------------------------------------------------


def _credited(where: ColumnElement[bool]) -> Any:
    """Every credited row of the chosen figures: (figure id, its own period, date, value)."""
    c, p, g = Commitment, Partner, Programme
    since = func.coalesce(c.starts_on, g.starts_on)

    def base(kind: CommitmentKind, day: Any, value: Any) -> Any:
        return (
            select(c.id.label("cid"), c.period.label("per"), day.label("d"), value.label("v"))
            .join(p, p.id == c.partner_id)
            .join(g, g.id == p.programme_id)
            .join(
                L,
                and_(
                    L.programme_id == p.programme_id,
                    L.organisation_id == p.organisation_id,
                    L.status == LogStatus.APPROVED,
                ),
            )
            .where(where, c.kind == kind, day >= since)
        )

    hours = (
        base(CommitmentKind.HOURS, L.date, L.hours)
        .join(Task, Task.id == L.task_id)
        .where(Task.trains_qualification_id.is_(None))
    )
    item, q = InKindItem, OutcomeQuantity
    in_kind = base(CommitmentKind.IN_KIND, item.date, item.value).join(item, item.log_id == L.id)
    outcome = (
        base(CommitmentKind.OUTCOME, q.date, q.quantity)
        .join(q, and_(q.log_id == L.id, q.metric_id == c.metric_id))
        .where(q.date <= c.due_on)
    )
    return union_all(hours, in_kind, outcome).subquery("credited")


def delivered(
    session: Session, where: ColumnElement[bool], kind: PeriodKind | None, lo: date, hi: date
) -> Sums:
    """Cents delivered per chosen figure and period of `kind` (None: each figure's own)
    between lo and hi, and (key None) from the figure's start to lo."""
    pg = session.get_bind().dialect.name == "postgresql"
    u = _credited(where).c
    if kind is None:
        week, quarter = (bucket(pg, k, u.d) for k in (PeriodKind.WEEK, PeriodKind.QUARTER))
        month = bucket(pg, PeriodKind.MONTH, u.d)
        b: ColumnElement[date] = case(
            (u.per == PeriodKind.WEEK, week), (u.per == PeriodKind.QUARTER, quarter), else_=month
        )
    else:
        b = bucket(pg, kind, u.d)
    rows = select(u.cid, case((u.d >= lo, b)).label("b"), u.v).where(u.d <= hi).subquery("rows").c
    total = cast(func.round(func.sum(rows.v) * 100), BigInteger)
    out: Sums = defaultdict(dict)
    for cid, start, amount in session.execute(
        select(rows.cid, rows.b, total).group_by(rows.cid, rows.b)
    ):
        out[cid][start] = int(amount or 0)
    return out


def load_figures(session: Session, where: ColumnElement[bool], limit: int = 1000) -> list[Any]:
    """The chosen figures with their partner, organisation, programme and metric, by
    organisation name, then partner and figure."""
    return list(
        session.scalars(
            select(Commitment)
            .join(Partner, Partner.id == Commitment.partner_id)
            .where(where)
            .options(
                joinedload(Commitment.partner).joinedload(Partner.organisation),
                joinedload(Commitment.partner).joinedload(Partner.programme),
                joinedload(Commitment.metric),
            )
            .order_by(Partner.programme_id, Partner.id, Commitment.id)
            .limit(limit)
        ).unique()
    )


# --- one figure in one period --------------------------------------------------------------


def figure_doc(
    c: Commitment, kind: PeriodKind, start: date, sums: dict[date | None, int]
) -> dict[str, Any]:
    """The figure in the report period of `kind` starting on `start`: committed and
    delivered in it and to date, judged as of the period's end (see `judge`)."""
    end, s, ends = period_end(kind, start), start_of(c), c.partner.programme.ends_on
    in_period = sums.get(start, 0)
    to_date = sum(v for k, v in sums.items() if k is None or k <= start)
    doc: dict[str, Any] = {
        "id": c.id,
        "kind": c.kind.value,
        "amount": float(c.amount),
        "period": c.period.value if c.period else None,
        "metric_id": c.metric_id,
        "metric_name": c.metric.name if c.metric else None,
        "unit": c.metric.unit if c.metric else None,
        "starts_on": s.isoformat(),
        "ends_on": ends.isoformat() if ends else None,
        "due_on": c.due_on.isoformat() if c.due_on else None,
        "delivered": number(in_period),
        "delivered_to_date": number(to_date),
    }
    if c.kind == CommitmentKind.OUTCOME:
        doc.update(committed=None, committed_to_date=float(c.amount))
    else:
        last = min(end, ends) if ends else end
        amount, per = c.amount, own_kind(c)
        doc["committed"] = number(cents(spread(amount, per, max(start, s), last)))
        doc["committed_to_date"] = number(cents(spread(amount, per, s, last)))
    return judge(doc, start, end, None)


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


# --- a programme's block for report periods ------------------------------------------------


def programme_blocks(
    session: Session,
    programme: Programme,
    kind: PeriodKind,
    starts: list[date],
    figures: list[Commitment] | None = None,
) -> dict[date, list[dict[str, Any]]]:
    """Per report period: the programme's partners with figures that started by the period's
    end, each with its figures in that period (figure_doc), by organisation name."""
    if figures is None:
        figures = load_figures(session, Partner.programme_id == programme.id)
    if not starts:
        return {}
    if not figures:
        return {start: [] for start in starts}
    lo, hi = min(starts), period_end(kind, max(starts))
    ids = Commitment.id.in_([c.id for c in figures])
    sums = delivered(session, ids, kind, lo, hi)
    return {start: _block(figures, kind, start, sums) for start in starts}


def _block(
    figures: list[Commitment], kind: PeriodKind, start: date, sums: Sums
) -> list[dict[str, Any]]:
    end = period_end(kind, start)
    partners: dict[int, dict[str, Any]] = {}
    for c in figures:
        if start_of(c) > end:
            continue
        p = c.partner
        entry = partners.setdefault(
            p.id,
            {
                "partner_id": p.id,
                "organisation_id": p.organisation_id,
                "organisation_name": p.organisation.name,
                "figures": [],
            },
        )
        entry["figures"].append(figure_doc(c, kind, start, sums.get(c.id, {})))
    return sorted(partners.values(), key=lambda e: (e["organisation_name"], e["partner_id"]))


def judged_block(
    block: list[dict[str, Any]], start: date, end: date, today: date | None
) -> list[dict[str, Any]]:
    """A stored block with each figure judged as of `today` (a period in progress)."""
    return [
        {**entry, "figures": [judge(f, start, end, today) for f in entry["figures"]]}
        for entry in block
    ]
