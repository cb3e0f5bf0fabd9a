"""What partners delivered, summed in one grouped statement, and each figure's document and
a programme's block of figures for its report periods."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, select, union_all
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import ColumnElement

from coprod.db import is_postgres
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
from coprod.services.governance.figures.arithmetic import (
    cents,
    judge,
    number,
    own_kind,
    spread,
    start_of,
)
from coprod.services.reports.periods import bucket, period_end

L = ContributionLog


# Sums by (figure id, period start); None holds what was delivered before the first period.
Sums = dict[int, dict[date | None, int]]


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
    pg = is_postgres(session)
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
