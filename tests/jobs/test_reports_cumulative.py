"""The sweep starts a batch's cumulative outcome totals from the stored snapshot of the period
before it only where that snapshot vouches for them (coprod.services.reports.cumulative);
everywhere else, and in every full rebuild, from the outcome rows.

Each test stores, for April, cumulative totals that differ from the rows, then approves a log
in May and sweeps: May's figures show which source the sweep started from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from coprod.jobs.reports import sweep_reports
from coprod.models import LogStatus, OutcomeQuantity, PeriodKind, ReportSnapshot
from coprod.services import reports
from coprod.services.reports import building
from tests.factories import make_log, make_metric, make_programme, make_task

BUILT = datetime(2026, 6, 1, tzinfo=UTC)
APRIL, MAY, JUNE = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)
WRONG = 1000.0  # added to April's stored cumulative total: no sum of the rows gives it


class World:
    """A programme with one metric and an approved log with outcomes on the 10th of each month
    from January to June (1.25 units times the month), its snapshots built by a first sweep."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
        self.programme_id = self.task.programme_id
        self.metric = make_metric(session, self.task.programme, target=Decimal(100))
        for month in range(1, 7):
            self.log(date(2026, month, 10), Decimal("1.25") * month, BUILT)
        sweep_reports(session, now=now)  # the first sweep builds everything from the rows

    def log(self, on: date, quantity: Decimal, at: datetime) -> None:
        log = make_log(self.session, task=self.task, on=on, status=LogStatus.APPROVED,
                       counted_changed_at=at)  # fmt: skip
        log.outcomes.append(OutcomeQuantity(metric_id=self.metric.id, quantity=quantity))
        self.session.flush()

    def snapshot(self, start: date) -> ReportSnapshot:
        self.session.expire_all()
        snap = ReportSnapshot
        return self.session.scalars(
            select(snap).where(
                snap.programme_id == self.programme_id,
                snap.period == PeriodKind.MONTH,
                snap.start == start,
            )
        ).one()

    def store_april(self, data: dict[str, Any], to_date: Any) -> None:
        snap = ReportSnapshot
        self.session.execute(
            update(snap)
            .where(
                snap.programme_id == self.programme_id,
                snap.period == PeriodKind.MONTH,
                snap.start == APRIL,
            )
            .values(data=data, outcomes_to_date=to_date)
        )

    def april_with_wrong_totals(self) -> tuple[dict[str, Any], dict[str, int]]:
        """April's document and column with WRONG added to its cumulative total: a snapshot
        that would vouch for itself, but not for what the rows say."""
        april = self.snapshot(APRIL)
        data = {**april.data, "outcomes": [dict(o) for o in april.data["outcomes"]]}
        data["outcomes"][0]["cumulative"] += WRONG
        return data, {str(self.metric.id): int(data["outcomes"][0]["cumulative"] * 100)}

    def sweep_after_a_may_approval(self) -> float:
        """Approve a log of 20 May (2.5 units) and sweep: May's cumulative total."""
        later = self.now + timedelta(hours=1)
        self.log(date(2026, 5, 20), Decimal("2.5"), later - timedelta(minutes=5))
        sweep_reports(self.session, now=later)
        return float(self.snapshot(MAY).data["outcomes"][0]["cumulative"])


# January to May: 1.25 * (1 + 2 + 3 + 4 + 5) = 18.75, and 2.5 approved on 20 May.
MAY_FROM_THE_ROWS = 18.75 + 2.5


@pytest.fixture
def world(session: Session, now: datetime) -> World:
    return World(session, now)


def test_a_sweep_starts_from_the_stored_period_before_it_when_that_vouches_for_itself(
    world: World, session: Session, now: datetime
) -> None:
    assert world.snapshot(APRIL).outcomes_to_date == {str(world.metric.id): 1250}
    world.store_april(*world.april_with_wrong_totals())
    assert world.sweep_after_a_may_approval() == MAY_FROM_THE_ROWS + WRONG  # read from April
    # A full rebuild reads the rows, never a stored period: it puts both months right.
    reports.rebuild_reports(session, now=now, programme_id=world.programme_id)
    assert world.snapshot(MAY).data["outcomes"][0]["cumulative"] == MAY_FROM_THE_ROWS
    assert world.snapshot(APRIL).data["outcomes"][0]["cumulative"] == 12.5


def _built_before_the_column(world: World) -> None:
    """An older builder wrote April: it keeps no totals (NULL)."""
    data, _ = world.april_with_wrong_totals()
    world.store_april(data, None)


def _rewritten_by_an_older_builder(world: World) -> None:
    """A builder that does not know the column rewrote April's document: they disagree."""
    _, to_date = world.april_with_wrong_totals()
    world.store_april(world.snapshot(APRIL).data, to_date)


def _without_the_metric(world: World) -> None:
    """April's snapshot lists no total for the programme's metric (added after it was built)."""
    data = {**world.snapshot(APRIL).data, "outcomes": []}
    world.store_april(data, {})


def _missing(world: World) -> None:
    snap = ReportSnapshot
    world.session.execute(
        delete(snap).where(
            snap.programme_id == world.programme_id,
            snap.period == PeriodKind.MONTH,
            snap.start == APRIL,
        )
    )


@pytest.mark.parametrize(
    "april",
    [_built_before_the_column, _rewritten_by_an_older_builder, _without_the_metric, _missing],
)
def test_a_sweep_reads_the_rows_where_the_period_before_does_not_vouch_for_its_totals(
    world: World, april: Callable[[World], None]
) -> None:
    april(world)
    assert world.sweep_after_a_may_approval() == MAY_FROM_THE_ROWS


def test_a_period_whose_rebuild_failed_no_longer_vouches_for_its_totals(
    world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log of April is approved, and the sweep cannot rebuild April (it is skipped, the
    periods after it built): April's stored totals lack the new log from then on, and the next
    sweep, which touches May only, must not start from them."""
    real = building.compute_batch

    def compute(session: Session, batch: reports.Batch) -> Any:
        if batch.kind == PeriodKind.MONTH and APRIL in batch.starts:
            raise RuntimeError("cannot read the disk")
        return real(session, batch)

    monkeypatch.setattr(building, "compute_batch", compute)
    # Approved after the first sweep, and long enough before this one that the next sweep
    # (an hour after the first) no longer sees it touched: only this sweep rebuilds April.
    world.log(date(2026, 4, 20), Decimal("4"), world.now + timedelta(minutes=5))
    sweep_reports(session, now=world.now + timedelta(minutes=30))
    monkeypatch.setattr(building, "compute_batch", real)
    april = world.snapshot(APRIL)
    assert april.data["outcomes"][0]["cumulative"] == 12.5  # stale: without the 4 units
    assert april.outcomes_to_date is None
    assert world.sweep_after_a_may_approval() == MAY_FROM_THE_ROWS + 4
