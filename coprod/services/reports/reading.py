"""Reading reports: a programme's report page, one snapshot for export (see exports.py) and the
public impact page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.orm import Session, defer

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import (
    PeriodKind,
    Programme,
    ReportSnapshot,
    User,
)
from coprod.services.localtime import local_today
from coprod.services.reports.document import Capacity, Outcome, document_of
from coprod.services.reports.exports import capacity_of
from coprod.services.reports.figures import (
    SECTORS,
    as_number,
    percent,
    to_cents,
)
from coprod.services.reports.periods import (
    default_start,
    next_start,
    parse_day,
    parse_period,
    period_end,
    period_start,
)

HISTORY = 12  # periods shown in the "hours by sector over time" chart


@dataclass(frozen=True)
class PeriodTotals:
    """A period's hours (in total and by sector), for the "over time" chart and table."""

    start: date
    hours_total: float
    hours_by_sector: dict[str, float]


@dataclass
class ReportPage:
    programme: Programme
    kind: PeriodKind
    start: date
    end: date
    snapshot: ReportSnapshot | None
    history: list[PeriodTotals]  # up to HISTORY periods, oldest first, ending at `start`
    newer: date | None
    current: date  # the start of the period containing the programme's today (in progress)

    @property
    def in_progress(self) -> bool:
        """The period shown has not ended yet: its figures are still growing."""
        return self.start >= self.current

    def is_current(self, start: date) -> bool:
        """Whether a period of this page's kind (in the history) is still in progress."""
        return start >= self.current


def _programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None or not policy.can(actor, "programme.view", programme):
        raise NotFound(_("There is no such programme."))
    return programme


def _snapshots(programme_id: int, kind: PeriodKind) -> Select[ReportSnapshot]:
    return select(ReportSnapshot).where(
        ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind
    )


def get_report(
    session: Session,
    actor: User | None,
    programme_id: int,
    *,
    period: str | None,
    start: str | None,
    now: datetime,
) -> ReportPage:
    """A programme's report for one period (when none is asked, the last complete one in the
    programme's calendar), for members of the lead agency and partner organisations and site
    admins; the period in progress is one step newer and marked so."""
    programme = _programme(session, actor, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    kind, day = parse_period(period), parse_day(start)
    current = period_start(kind, local_today(programme, now))
    first = period_start(kind, day) if day is not None else default_start(programme, kind, now)
    # The history's rows without their documents (the chart's two figures are columns of
    # their own); the chosen period's document is read only when its figures are rendered.
    totals = (
        select(ReportSnapshot)
        .where(ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind)
        .where(policy.visible_reports(actor))
        .options(defer(ReportSnapshot.data))
        .order_by(ReportSnapshot.start.desc())
        .limit(HISTORY)
    )
    rows = list(session.scalars(totals.where(ReportSnapshot.start <= first)))[::-1]
    history = [PeriodTotals(s.start, float(s.hours_total), s.hours_by_sector) for s in rows]
    newer = None if day is None else _newer_built(session, programme_id, kind, first)
    if newer is None and first < current:  # the next period, in progress or not built yet
        newer = next_start(kind, first)
    snapshot = rows[-1] if rows and rows[-1].start == first else None
    end = period_end(kind, first)
    return ReportPage(programme, kind, first, end, snapshot, history, newer, current)


def _newer_built(session: Session, programme_id: int, kind: PeriodKind, first: date) -> date | None:
    """The first built period after `first` (skipping periods nobody logged hours in)."""
    return session.scalar(
        select(func.min(ReportSnapshot.start)).where(
            ReportSnapshot.programme_id == programme_id,
            ReportSnapshot.period == kind,
            ReportSnapshot.start > first,
        )
    )


def get_snapshot(
    session: Session, actor: User | None, programme_id: int, period: str, start: str
) -> ReportSnapshot:
    """One stored snapshot, for export by those who may read the programme's reports."""
    programme = _programme(session, actor, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    missing = NotFound(_("There is no report for that period yet."))
    try:
        kind, day = PeriodKind(period), date.fromisoformat(start)
    except ValueError:
        raise missing from None
    snap = session.scalar(_snapshots(programme_id, kind).where(ReportSnapshot.start == day))
    if snap is None:
        raise missing
    return snap


@dataclass
class Impact:
    programme: Programme
    totals: dict[str, Any]
    outcomes: list[Outcome]
    as_of: date | None
    # Training hours delivered and qualifications awarded since it began (see _impact_capacity).
    capacity: dict[str, Any]


def get_impact(session: Session, actor: User | None, programme_id: int, *, now: datetime) -> Impact:
    """A programme's public figures since it began: totals, sector shares and outcomes against
    targets, from the quarterly snapshots; never a person's name."""
    programme = _programme(session, actor, programme_id)
    current = period_start(PeriodKind.QUARTER, local_today(programme, now))
    snaps = list(
        session.scalars(
            _snapshots(programme_id, PeriodKind.QUARTER)
            .where(ReportSnapshot.start <= current)
            .order_by(ReportSnapshot.start)
        )
    )
    by_sector = dict.fromkeys(SECTORS, Decimal(0))
    sums = dict.fromkeys(("contributors", "in_kind_value", "hours_value"), Decimal(0))
    for s in snaps:
        for k in SECTORS:
            by_sector[k] += to_cents(s.data["hours_by_sector"][k])
        sums["contributors"] += s.data["new_contributors"]  # each person is new exactly once
        sums["in_kind_value"] += to_cents(s.data["in_kind_value"])
        sums["hours_value"] += to_cents(s.data["hours_value"])
    total = sum(by_sector.values(), Decimal(0))
    totals = {
        "hours_total": as_number(total),
        "hours_by_sector": {k: as_number(v) for k, v in by_sector.items()},
        "share_by_sector": {k: percent(v, total) for k, v in by_sector.items()},
        "contributors": int(sums["contributors"]),
        "in_kind_value": as_number(sums["in_kind_value"]),
        "hours_value": as_number(sums["hours_value"]),
    }
    latest = snaps[-1] if snaps else None
    outcomes = latest.data["outcomes"] if latest else []
    capacity = _impact_capacity([capacity_of(document_of(s)) for s in snaps])
    return Impact(programme, totals, outcomes, latest.end if latest else None, capacity)


def _impact_capacity(blocks: list[Capacity]) -> dict[str, Any]:
    """Capacity building since the programme began, in aggregate: the training hours delivered
    (in total and by the sector of the organisations that ran the trainings) and the
    qualifications awarded, per qualification (most first, then by name and id)."""
    by_sector = dict.fromkeys(SECTORS, Decimal(0))
    awarded: dict[int, list[Any]] = {}
    for cap in blocks:
        for k in SECTORS:
            by_sector[k] += to_cents(cap["training_delivered_by_sector"][k])
        for row in cap["qualifications_awarded"]:
            awarded.setdefault(row["id"], [0, row["name"]])[0] += row["count"]
    ranked = sorted((-n, name, i) for i, (n, name) in awarded.items())
    return {
        "training_hours_total": as_number(sum(by_sector.values(), Decimal(0))),
        "training_delivered_by_sector": {k: as_number(v) for k, v in by_sector.items()},
        "qualifications_awarded": [{"id": i, "name": name, "count": -n} for n, name, i in ranked],
        "qualifications_awarded_total": sum(n for n, _name in awarded.values()),
    }
