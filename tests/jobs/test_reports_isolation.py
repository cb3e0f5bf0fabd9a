"""One period that cannot be built (a log dated in year 1, stored before the date rule refused
it) is skipped and reported; every other period is still built and the sweep moves on."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from coprod.jobs.reports import SWEEP_JOB, sweep_reports
from coprod.models import JobState, LogStatus, PeriodKind, ReportSnapshot
from tests.factories import make_log, make_programme, make_task

YEAR_ONE = date(1, 1, 1)


def _hours(session, programme, kind, start):
    snap = session.scalar(
        select(ReportSnapshot).filter_by(programme_id=programme.id, period=kind, start=start)
    )
    return None if snap is None else snap.data["hours_total"]


def test_a_sweep_skips_the_period_that_fails_builds_the_others_and_moves_on(
    session, now, caplog
) -> None:
    bad = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    good = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    sweep_reports(session, now=now)
    later = now + timedelta(minutes=5)
    make_log(session, task=bad, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    make_log(session, task=bad, on=date(2026, 3, 10), hours="2", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    make_log(session, task=good, on=date(2026, 3, 10), hours="4", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="coprod.reports"):
        sweep_reports(session, now=later + timedelta(minutes=1))
    session.expire_all()
    assert _hours(session, good.programme, PeriodKind.MONTH, date(2026, 3, 1)) == 4.0
    assert _hours(session, bad.programme, PeriodKind.MONTH, date(2026, 3, 1)) == 2.0
    assert _hours(session, bad.programme, PeriodKind.WEEK, date(2026, 3, 9)) == 2.0
    assert _hours(session, bad.programme, PeriodKind.MONTH, YEAR_ONE) is None
    assert session.get(JobState, SWEEP_JOB).cursor == later + timedelta(minutes=1)
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 3  # its week, month and quarter
    assert all(f"programme {bad.programme.id}," in m and "0001-01-01" in m for m in skipped)
    assert all("OverflowError" in m for m in skipped)


def test_reports_rebuild_lists_the_failures_per_programme_and_exits_1_after_the_rest(
    app, session, now
) -> None:
    bad = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    good = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=bad, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED)
    make_log(session, task=bad, on=date(2026, 3, 10), hours="2", status=LogStatus.APPROVED)
    make_log(session, task=good, on=date(2026, 3, 10), hours="4", status=LogStatus.APPROVED)
    session.commit()  # the command reads in its own unit of work (a savepoint here)
    result = app.test_cli_runner().invoke(
        args=["reports", "rebuild", "--period", "quarter", "--jobs", "1"]
    )
    assert result.exit_code == 1, result.output
    assert f"programme {bad.programme.id}:\n    quarter of 0001-01-01: OverflowError" in (
        result.output
    )
    assert f"programme {good.programme.id}:" not in result.output
    assert "1 periods could not be built" in result.output
    session.expire_all()
    assert _hours(session, good.programme, PeriodKind.QUARTER, date(2026, 1, 1)) == 4.0
    assert _hours(session, bad.programme, PeriodKind.QUARTER, date(2026, 1, 1)) == 2.0
    # its batch was built again period by period: only the failing quarter is missing
    assert _hours(session, bad.programme, PeriodKind.QUARTER, date(1, 4, 1)) == 0.0
    assert _hours(session, bad.programme, PeriodKind.QUARTER, YEAR_ONE) is None
