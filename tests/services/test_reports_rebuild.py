"""Building report batches on several connections at once (`build_batches`, `reports rebuild
--jobs N`): the same snapshots as one after the other, idempotent, errors surfaced."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from coprod.db import db, deferred_begin
from coprod.models import LogStatus, OrgKind, PeriodKind, ReportSnapshot
from coprod.services import reports
from coprod.services.reports import figures
from tests.factories import make_log, make_org, make_programme, make_task, make_user


def _unit(engine: Engine) -> reports.UnitOfWork:
    @contextmanager
    def unit() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    return unit


def _world(engine: Engine) -> list[int]:
    """Two programmes with approved logs over three months, for organisations and citizens."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        agency, nonprofit = make_org(s, OrgKind.AGENCY), make_org(s, OrgKind.NONPROFIT)
        people = [make_user(s) for _ in range(4)]
        ids = []
        for n in range(2):
            programme = make_programme(s, agency, starts_on=date(2026, 1, 1))
            task = make_task(s, programme)
            for i in range(30):
                org = (agency, nonprofit, None)[i % 3]
                make_log(
                    s,
                    user=people[i % 4],
                    task=task,
                    on=date(2026, 4, 1) + timedelta(days=3 * i + n),
                    hours=f"{1 + i % 5}.25",
                    status=LogStatus.APPROVED,
                    organisation_id=org.id if org else None,
                )
            ids.append(programme.id)
    return ids


def _snapshots(engine: Engine, ids: list[int]) -> dict[Any, Any]:
    with Session(engine) as s:
        rows = s.execute(
            select(ReportSnapshot).where(ReportSnapshot.programme_id.in_(ids))
        ).scalars()
        return {(r.programme_id, r.period, r.start): (r.data, r.built_at) for r in rows}


def _plan(engine: Engine, ids: list[int], now: Any) -> list[reports.Batch]:
    with Session(engine) as s:
        return [b for pid in ids for b in reports.plan_rebuild(s, now=now, programme_id=pid)]


def test_one_job_per_batch_in_turn_reports_each_batch_as_it_commits(committed_engine, now):
    ids = _world(committed_engine)
    plan = _plan(committed_engine, ids, now)
    seen: list[reports.Batch] = []
    changed = reports.build_batches(
        _unit(committed_engine), plan, now=now, done=lambda b, _n: seen.append(b)
    )
    assert seen == plan
    assert changed == sum(len(b.starts) for b in plan) == len(_snapshots(committed_engine, ids))


@pytest.mark.postgres
def test_two_jobs_build_the_same_snapshots_as_one_and_twice_changes_nothing(committed_engine, now):
    assert committed_engine.dialect.name == "postgresql"
    ids = _world(committed_engine)
    plan = _plan(committed_engine, ids, now)
    unit = _unit(committed_engine)
    seen: list[reports.Batch] = []
    built = reports.build_batches(unit, plan, now=now, jobs=2, done=lambda b, _n: seen.append(b))
    assert sorted(map(repr, seen)) == sorted(map(repr, plan))
    two = _snapshots(committed_engine, ids)
    assert built == len(two) == sum(len(b.starts) for b in plan)

    later = now + timedelta(hours=1)
    assert reports.build_batches(unit, plan, now=later, jobs=2) == 0
    assert _snapshots(committed_engine, ids) == two  # built_at included

    with Session(committed_engine) as s, s.begin():
        s.query(ReportSnapshot).filter(ReportSnapshot.programme_id.in_(ids)).delete()
    assert reports.build_batches(unit, plan, now=now, jobs=1) == len(two)
    assert _snapshots(committed_engine, ids) == two


@pytest.mark.postgres
def test_two_jobs_racing_on_the_same_batch_write_it_once(committed_engine, now):
    ids = _world(committed_engine)
    month = next(b for b in _plan(committed_engine, ids, now) if b.kind == PeriodKind.MONTH)
    changed = reports.build_batches(_unit(committed_engine), [month] * 4, now=now, jobs=4)
    assert changed == len(month.starts)  # the losers find the winner's identical rows
    assert len(_snapshots(committed_engine, [month.programme_id])) == len(month.starts)


def test_an_error_in_a_batch_is_raised_with_the_batch_named(committed_engine, now):
    ids = _world(committed_engine)
    plan = _plan(committed_engine, ids, now)
    good = _unit(committed_engine)
    calls = 0

    @contextmanager
    def failing() -> Iterator[Session]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("connection lost")
        with good() as session:
            yield session

    jobs = 2 if committed_engine.dialect.name == "postgresql" else 1
    with pytest.raises(RuntimeError, match="connection lost") as caught:
        reports.build_batches(failing, plan, now=now, jobs=jobs)
    assert any(note.startswith("while building Batch(") for note in caught.value.__notes__)
    # what committed stays; running again finishes the job and changes only the rest
    rest = sum(len(b.starts) for b in plan) - len(_snapshots(committed_engine, ids))
    assert reports.build_batches(good, plan, now=now, jobs=jobs) == rest


def test_default_jobs_one_per_cpu(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert reports.default_jobs() == 6


def _read_unit(engine: Engine) -> reports.UnitOfWork:
    @contextmanager
    def unit() -> Iterator[Session]:
        with deferred_begin(), Session(engine) as session:
            yield session
            session.rollback()

    return unit


def test_batches_computed_side_by_side_then_written_give_the_same_snapshots(committed_engine, now):
    """Several jobs with a read-only unit (how the command runs, on SQLite too): each batch
    is computed in a transaction that only reads and written in a short one after. The
    snapshots are those of one job, and a second run changes nothing."""
    ids = _world(committed_engine)
    plan = _plan(committed_engine, ids, now)
    unit, read = _unit(committed_engine), _read_unit(committed_engine)
    assert reports.build_batches(unit, plan, now=now, jobs=1) == sum(len(b.starts) for b in plan)
    one = _snapshots(committed_engine, ids)
    with Session(committed_engine) as s, s.begin():
        s.query(ReportSnapshot).filter(ReportSnapshot.programme_id.in_(ids)).delete()

    built = reports.build_batches(unit, plan, now=now, jobs=3, read_unit=read)
    assert built == len(one)
    assert _snapshots(committed_engine, ids) == one
    later = now + timedelta(hours=1)
    assert reports.build_batches(unit, plan, now=later, jobs=3, read_unit=read) == 0
    assert _snapshots(committed_engine, ids) == one  # built_at included


def test_the_rebuild_command_builds_every_period_and_shows_progress(app, session, now):
    programme = make_programme(session, starts_on=date(2026, 1, 1))
    make_log(
        session, task=make_task(session, programme), on=date(2026, 3, 5), status=LogStatus.APPROVED
    )
    session.commit()
    args = ["reports", "rebuild", "--programme", str(programme.id), "--jobs", "1"]
    result = app.test_cli_runner().invoke(args=[*args, "--period", "month"])
    assert result.exit_code == 0, result.output
    snaps = session.scalars(select(ReportSnapshot).filter_by(programme_id=programme.id)).all()
    months = sorted(s.start for s in snaps)
    assert months[0] == date(2026, 3, 1) and {s.period for s in snaps} == {PeriodKind.MONTH}
    assert f"{len(months)} periods rebuilt; {len(months)} snapshots changed." in result.output
    again = app.test_cli_runner().invoke(args=[*args, "--period", "month"])
    assert f"{len(months)} periods rebuilt; 0 snapshots changed." in again.output


def test_the_rebuild_command_refuses_zero_jobs(app):
    result = app.test_cli_runner().invoke(args=["reports", "rebuild", "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_integer_cents_give_the_same_floats_and_shares_as_decimal_arithmetic() -> None:
    """The builder adds integer cents; the snapshots must hold exactly the floats the Decimal
    arithmetic gave (x / 100 and float(Decimal) are both correctly rounded), and shares
    rounded half up to 0.1 % as _pct does."""
    rng = random.Random(7)
    cases = [(1, 8), (1, 16), (1, 80), (3, 80), (5, 1000), (1, 3), (2, 3), (0, 5), (7, 0)]
    cases += [(rng.randrange(0, 10**7), rng.randrange(1, 10**7)) for _ in range(20_000)]
    for part, whole in cases:
        if part > whole:
            part, whole = whole, part
        assert part / 100 == float(Decimal(part).scaleb(-2))
        expected = figures.percent(Decimal(part).scaleb(-2), Decimal(whole).scaleb(-2))
        assert figures._share(part, whole) == expected, (part, whole)


@pytest.mark.postgres
def test_the_rebuild_command_on_two_connections_commits_every_batch(app, committed_engine, now):
    """The command's default on PostgreSQL: batches on a thread pool, each through
    unit_of_work (one scoped session, connection and transaction per thread and batch)."""
    ids = _world(committed_engine)
    # The app's sessions on its own engine, as outside tests (SQLAlchemy's default mode: the
    # `session` fixture's teardown leaves a mode name SQLAlchemy 2.1 refuses).
    db.session.remove()
    db.session.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    args = ["reports", "rebuild", "--programme", str(ids[0]), "--jobs", "2"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    built = _snapshots(committed_engine, [ids[0]])
    assert {kind for _pid, kind, _start in built} == set(PeriodKind)
    assert f"{len(built)} periods rebuilt; {len(built)} snapshots changed." in result.output
    again = app.test_cli_runner().invoke(args=args)
    assert f"{len(built)} periods rebuilt; 0 snapshots changed." in again.output
    assert _snapshots(committed_engine, [ids[0]]) == built
