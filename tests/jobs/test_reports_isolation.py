"""One period that cannot be built (a log dated in year 1, stored before the date rule refused
it) is skipped, logged and recorded in the job's state; every other period is still built and
the sweep moves on; a later clean run clears the record."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from coprod.jobs import reports as report_jobs
from coprod.jobs.reports import REBUILD_JOB, SWEEP_JOB, rebuild_all_reports, sweep_reports
from coprod.models import JobState, LogStatus, PeriodKind, ReportSnapshot
from coprod.services.reports import plan_rebuild
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
    # the year-1 log adds only its own quarter to the plan, which fails: nothing in between
    assert _hours(session, bad.programme, PeriodKind.QUARTER, date(1, 4, 1)) is None
    assert _hours(session, bad.programme, PeriodKind.QUARTER, YEAR_ONE) is None


def _failures(session, job_id):
    session.flush()  # what the unit of work commits
    session.expire_all()
    return session.get(JobState, job_id).failures


def test_the_sweep_records_the_periods_it_skipped_and_a_clean_run_clears_them(session, now) -> None:
    bad = make_task(session, make_programme(session, starts_on=date(2026, 1, 1), name="Bad Prog"))
    good = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    sweep_reports(session, now=now)
    assert _failures(session, SWEEP_JOB) is None
    later = now + timedelta(minutes=5)
    make_log(session, task=bad, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    make_log(session, task=good, on=date(2026, 3, 10), hours="4", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    sweep_reports(session, now=later + timedelta(minutes=1))
    recorded = _failures(session, SWEEP_JOB)
    assert recorded["count"] == 3
    assert sorted(p["period"] for p in recorded["periods"]) == ["month", "quarter", "week"]
    for p in recorded["periods"]:
        assert p["programme_id"] == bad.programme.id
        assert p["start"] == "0001-01-01"
        assert p["error"].startswith("OverflowError: ")
        assert "\n" not in p["error"] and len(p["error"]) <= report_jobs.ERROR_CHARS
    # the rest was built and progress saved in the same unit of work
    assert _hours(session, good.programme, PeriodKind.MONTH, date(2026, 3, 1)) == 4.0
    assert session.get(JobState, SWEEP_JOB).cursor == later + timedelta(minutes=1)
    # the next sweep looks back before its cursor, reads the bad log again and fails again
    after = later + report_jobs.LOOKBACK + timedelta(minutes=5)
    sweep_reports(session, now=after)
    assert _failures(session, SWEEP_JOB)["count"] == 3
    # the one after touches nothing that fails: the record is cleared
    sweep_reports(session, now=after + report_jobs.LOOKBACK + timedelta(minutes=5))
    assert _failures(session, SWEEP_JOB) is None
    cleared = select(JobState.job_id).where(JobState.failures.is_(None))
    assert session.scalar(cleared) == SWEEP_JOB  # SQL NULL, not a JSON null


def test_the_nightly_rebuild_records_its_failures_until_the_bad_log_is_gone(session, now) -> None:
    bad = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    log = make_log(session, task=bad, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED)
    make_log(session, task=bad, on=date(2026, 3, 10), hours="2", status=LogStatus.APPROVED)
    rebuild_all_reports(session, now=now)
    recorded = _failures(session, REBUILD_JOB)
    assert recorded["count"] == 3
    assert {p["start"] for p in recorded["periods"]} == {"0001-01-01"}
    assert _hours(session, bad.programme, PeriodKind.MONTH, date(2026, 3, 1)) == 2.0
    assert session.get(JobState, REBUILD_JOB).last_run_at == now
    log.status = LogStatus.REJECTED
    session.flush()
    rebuild_all_reports(session, now=now + timedelta(days=1))
    assert _failures(session, REBUILD_JOB) is None


def test_the_record_lists_the_first_failures_and_counts_them_all(session, now, monkeypatch) -> None:
    monkeypatch.setattr(report_jobs, "FAILURES_LISTED", 2)
    bad = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=bad, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED)
    sweep_reports(session, now=now)  # the first sweep rebuilds everything
    recorded = _failures(session, SWEEP_JOB)
    assert recorded["count"] == 3
    assert len(recorded["periods"]) == 2


def test_an_error_is_recorded_as_one_short_line() -> None:
    text = report_jobs.one_line(ValueError("first line\nsecond line " + "x" * 1000))
    assert text.startswith("ValueError: first line second line x")
    assert len(text) == report_jobs.ERROR_CHARS and text.endswith("…")


def test_a_year_one_log_adds_only_its_own_periods_to_the_full_rebuild(session, now) -> None:
    """Not every week from year 1 to today (~105,000 of them, ~137,000 snapshots in all)."""
    task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=task, on=YEAR_ONE, hours="1", status=LogStatus.APPROVED)
    make_log(session, task=task, on=date(2026, 3, 10), hours="2", status=LogStatus.APPROVED)
    starts = {(b.kind, start) for b in plan_rebuild(session, now=now) for start in b.starts}
    old = {(kind, start) for kind, start in starts if start.year < 2000}
    assert old == {(kind, YEAR_ONE) for kind in PeriodKind}
    assert min(s for _, s in starts - old) >= date(2026, 1, 1) - timedelta(days=7)
    assert len(starts) < 100
    sweep_reports(session, now=now)  # the first sweep: a full rebuild
    session.expire_all()
    snapshots = session.scalars(
        select(ReportSnapshot.start).filter_by(programme_id=task.programme.id)
    ).all()
    assert snapshots and min(snapshots) >= date(2026, 1, 1) - timedelta(days=7)
    assert len(snapshots) < 100
