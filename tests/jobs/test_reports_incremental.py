"""The sweep rebuilds only what changed, yet leaves exactly the snapshots a full rebuild would;
the nightly rebuild commits each batch on its own and survives a bad one."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from coprod.jobs import reports as report_jobs
from coprod.jobs.reports import REBUILD_JOB, rebuild_all_reports, sweep_reports
from coprod.models import (
    ContributionLog,
    InKindItem,
    JobState,
    LogStatus,
    OrgKind,
    OutcomeQuantity,
    PeriodKind,
    ReportSnapshot,
)
from coprod.services import reports
from coprod.services.reports import building
from tests.factories import make_log, make_metric, make_org, make_programme, make_task, make_user

FIRST = date(2026, 1, 1)
BUILT = datetime(2026, 6, 1, tzinfo=UTC)  # counted before the first sweep


def _snapshots(session: Session, programme_id: int) -> dict[Any, Any]:
    session.expire_all()
    rows = session.scalars(
        select(ReportSnapshot).where(ReportSnapshot.programme_id == programme_id)
    )
    return {(r.period, r.start): r.data for r in rows}


class World:
    """A programme with two partners, citizens, two tasks and an outcome metric; approved and
    waiting logs spread from January to mid-June."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session, self.rng = session, rng
        agency, nonprofit = make_org(session, OrgKind.AGENCY), make_org(session, OrgKind.NONPROFIT)
        self.programme = make_programme(session, agency, starts_on=FIRST)
        self.orgs = [agency.id, nonprofit.id, None]
        self.metric = make_metric(session, self.programme, target=Decimal(100))
        self.tasks = [make_task(session, self.programme) for _ in range(2)]
        self.people = [make_user(session) for _ in range(5)]
        statuses = [LogStatus.APPROVED] * 3 + [LogStatus.SUBMITTED]
        self.logs = [self.log(self.rng.choice(statuses), BUILT) for _ in range(30)]

    def day(self, last: date = date(2026, 6, 12)) -> date:
        return FIRST + timedelta(days=self.rng.randrange((last - FIRST).days + 1))

    def log(self, status: LogStatus, at: datetime | None = None, **fields: Any) -> ContributionLog:
        fields.setdefault("user", self.rng.choice(self.people))
        fields.setdefault("on", self.day())
        log = make_log(
            self.session,
            task=self.rng.choice(self.tasks),
            hours=f"{self.rng.randrange(1, 16) / 4:.2f}",
            status=status,
            organisation_id=self.rng.choice(self.orgs),
            **({"counted_changed_at": at} if at else {}),
            **fields,
        )
        if self.rng.random() < 0.4:
            qty = Decimal(self.rng.randrange(1, 9))
            log.outcomes.append(OutcomeQuantity(metric_id=self.metric.id, quantity=qty))
        if self.rng.random() < 0.2:
            log.in_kind.append(InKindItem(description="Van hire", value=Decimal("12.50")))
        self.session.flush()
        return log

    def review(self, at: datetime) -> None:
        """One reviewer's action, as the service records it: an approval (sometimes of a late
        log, or a newcomer's first log dated long ago), a rejection, or an approved correction
        that supersedes the original (only the correction carries the new time)."""
        approved = [lg for lg in self.logs if lg.status == LogStatus.APPROVED]
        waiting = [lg for lg in self.logs if lg.status == LogStatus.SUBMITTED]
        action = self.rng.choice(["approve", "reject", "correct", "newcomer", "late"])
        if action == "approve" and waiting:
            chosen = self.rng.choice(waiting)
            chosen.status, chosen.counted_changed_at = LogStatus.APPROVED, at
        elif action == "reject" and approved:
            chosen = self.rng.choice(approved)
            chosen.status, chosen.counted_changed_at = LogStatus.REJECTED, at
        elif action == "correct" and approved:
            original = self.rng.choice(approved)
            original.status = LogStatus.SUPERSEDED
            self.logs.append(
                self.log(LogStatus.APPROVED, at, user=original.contributor, corrects_id=original.id)
            )
        elif action == "newcomer":
            self.people.append(make_user(self.session))
            self.logs.append(self.log(LogStatus.APPROVED, at, user=self.people[-1]))
        else:  # an existing person's log dated before their first one
            self.logs.append(self.log(LogStatus.APPROVED, at, on=self.day(date(2026, 2, 15))))
        self.session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_after_random_reviews_a_sweep_leaves_exactly_what_a_full_rebuild_would(
    session, now, seed
) -> None:
    world = World(session, random.Random(seed))
    clock = now - timedelta(days=3)
    sweep_reports(session, now=clock)  # the first sweep builds everything
    for _ in range(4):
        clock += timedelta(hours=1)
        for _ in range(4):
            world.review(clock - timedelta(minutes=30))
        sweep_reports(session, now=clock)
        swept = _snapshots(session, world.programme.id)
        assert reports.rebuild_reports(session, now=clock, programme_id=world.programme.id) == 0
        assert _snapshots(session, world.programme.id) == swept


def test_a_sweep_rebuilds_the_changed_period_and_those_after_it_only(session, now) -> None:
    world = World(session, random.Random(5))
    sweep_reports(session, now=now)
    later = now + timedelta(hours=1)
    world.log(LogStatus.APPROVED, later, on=date(2026, 5, 20))
    batches = reports.sweep_batches(session, now, now=later)
    starts = {(b.kind, s) for b in batches for s in b.starts}
    months = sorted(s for k, s in starts if k == PeriodKind.MONTH)
    weeks = sorted(s for k, s in starts if k == PeriodKind.WEEK)
    assert months == [date(2026, 5, 1), date(2026, 6, 1)]
    assert weeks == [date(2026, 5, 18) + timedelta(weeks=n) for n in range(4)]
    assert sorted(s for k, s in starts if k == PeriodKind.QUARTER) == [date(2026, 4, 1)]


def test_the_contributors_new_in_a_later_month_move_when_an_earlier_log_is_approved(
    session, now
) -> None:
    task = make_task(session, make_programme(session, starts_on=FIRST))
    pat = make_user(session)
    make_log(session, user=pat, task=task, on=date(2026, 5, 5), status=LogStatus.APPROVED,
             counted_changed_at=BUILT)  # fmt: skip
    sweep_reports(session, now=now)
    may = (PeriodKind.MONTH, date(2026, 5, 1))
    assert _snapshots(session, task.programme_id)[may]["new_contributors"] == 1
    later = now + timedelta(hours=1)
    make_log(session, user=pat, task=task, on=date(2026, 2, 3), status=LogStatus.APPROVED,
             counted_changed_at=later - timedelta(minutes=5))  # fmt: skip
    sweep_reports(session, now=later)
    snaps = _snapshots(session, task.programme_id)
    assert snaps[(PeriodKind.MONTH, date(2026, 2, 1))]["new_contributors"] == 1
    assert snaps[may]["new_contributors"] == 0  # no longer new in May
    assert snaps[may]["contributors"] == 1


def _committed_world(engine: Engine) -> list[int]:
    """Two programmes with approved logs from February to June, committed."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ids = []
        for _ in range(2):
            task = make_task(s, make_programme(s, starts_on=date(2026, 2, 1)))
            for month in range(2, 7):
                make_log(s, task=task, on=date(2026, month, 3), hours="2",
                         status=LogStatus.APPROVED)  # fmt: skip
            ids.append(task.programme_id)
    return ids


def _committed_snapshots(engine: Engine, programme_id: int) -> int:
    with Session(engine) as s:
        q = select(ReportSnapshot.id).where(ReportSnapshot.programme_id == programme_id)
        return len(s.scalars(q).all())


def test_the_nightly_rebuild_commits_each_batch_and_survives_a_bad_one(
    committed_engine, now, monkeypatch, caplog
) -> None:
    good, bad = _committed_world(committed_engine)
    real = building.compute_batch

    def compute(session: Session, batch: reports.Batch) -> Any:
        if batch.programme_id == bad and batch.kind == PeriodKind.MONTH:
            raise RuntimeError("cannot read the disk")
        return real(session, batch)

    monkeypatch.setattr(building, "compute_batch", compute)
    commits: list[int] = []
    with Session(committed_engine) as session:
        real_commit = session.commit
        monkeypatch.setattr(session, "commit", lambda: (commits.append(1), real_commit())[1])
        with caplog.at_level("ERROR", logger="coprod.reports"):
            rebuild_all_reports(session, now=now)
        real_commit()
        plan_size = len(reports.plan_rebuild(session, now=now))
    # every batch committed on its own (and the plan and the job's state each once)
    assert len(commits) >= plan_size
    # the bad programme's months are logged and recorded, its weeks and quarters built
    assert "cannot read the disk" in caplog.text
    with Session(committed_engine) as s:
        failures = s.get(JobState, REBUILD_JOB).failures
    assert failures["count"] == 5  # February to June
    assert {p["programme_id"] for p in failures["periods"]} == {bad}
    assert _committed_snapshots(committed_engine, good) == 5 + 19 + 2
    assert _committed_snapshots(committed_engine, bad) == 19 + 2


def test_what_the_nightly_rebuild_built_stays_when_a_later_step_fails(
    committed_engine, now, monkeypatch
) -> None:
    first, second = _committed_world(committed_engine)

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("impact figures unavailable")

    monkeypatch.setattr(report_jobs.impact, "refresh_impact", broken)
    with Session(committed_engine) as session, pytest.raises(RuntimeError, match="unavailable"):
        rebuild_all_reports(session, now=now)  # the job's unit of work then rolls back
    assert _committed_snapshots(committed_engine, first) == 5 + 19 + 2
    assert _committed_snapshots(committed_engine, second) == 5 + 19 + 2
