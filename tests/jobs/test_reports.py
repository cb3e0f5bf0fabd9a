"""The report jobs: late approvals and corrections reach their reports at the next sweep."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coprod.jobs.reports import SWEEP_JOB, rebuild_all_reports, sweep_reports
from coprod.models import JobState, LogStatus, PeriodKind, ReportSnapshot
from tests.factories import make_log, make_programme, make_task


def _hours(session, programme, kind, start):
    snap = session.scalar(
        select(ReportSnapshot).filter_by(programme_id=programme.id, period=kind, start=start)
    )
    return None if snap is None else snap.data["hours_total"]


def test_the_first_sweep_builds_every_report_and_sets_the_cursor(session, now) -> None:
    task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=task, on=date(2026, 2, 10), hours="2", status=LogStatus.APPROVED,
             counted_changed_at=None)  # fmt: skip
    sweep_reports(session, now=now)
    assert _hours(session, task.programme, PeriodKind.MONTH, date(2026, 2, 1)) == 2.0
    assert _hours(session, task.programme, PeriodKind.MONTH, date(2026, 6, 1)) == 0.0
    assert session.get(JobState, SWEEP_JOB).cursor == now


def test_a_late_approval_appears_after_the_next_sweep(session, now) -> None:
    task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=task, on=date(2026, 2, 1), hours="1", status=LogStatus.APPROVED)
    sweep_reports(session, now=now)
    march = date(2026, 3, 1)
    assert _hours(session, task.programme, PeriodKind.MONTH, march) == 0.0
    late = make_log(session, task=task, on=date(2026, 3, 10), hours="4", status=LogStatus.SUBMITTED)
    assert _hours(session, task.programme, PeriodKind.MONTH, march) == 0.0
    late.status, late.counted_changed_at = LogStatus.APPROVED, now + timedelta(minutes=2)
    session.flush()
    sweep_reports(session, now=now + timedelta(minutes=5))
    session.expire_all()
    assert _hours(session, task.programme, PeriodKind.MONTH, march) == 4.0
    assert _hours(session, task.programme, PeriodKind.WEEK, date(2026, 3, 9)) == 4.0
    assert _hours(session, task.programme, PeriodKind.QUARTER, date(2026, 1, 1)) == 5.0


def test_a_correction_to_another_month_leaves_the_old_month_at_the_next_sweep(session, now):
    task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    original = make_log(session, task=task, on=date(2026, 4, 30), hours="3",
                        status=LogStatus.APPROVED)  # fmt: skip
    sweep_reports(session, now=now)
    assert _hours(session, task.programme, PeriodKind.MONTH, date(2026, 4, 1)) == 3.0
    later = now + timedelta(minutes=20)
    # Only the correction carries the new timestamp: the sweep must still revisit April.
    original.status = LogStatus.SUPERSEDED
    make_log(session, task=task, user=original.contributor, on=date(2026, 5, 2), hours="3",
             status=LogStatus.APPROVED, corrects_id=original.id,
             counted_changed_at=later)  # fmt: skip
    sweep_reports(session, now=later + timedelta(minutes=1))
    session.expire_all()
    assert _hours(session, task.programme, PeriodKind.MONTH, date(2026, 4, 1)) == 0.0
    assert _hours(session, task.programme, PeriodKind.MONTH, date(2026, 5, 1)) == 3.0


def test_a_sweep_with_nothing_new_changes_nothing(session, now) -> None:
    task = make_task(session, make_programme(session, starts_on=date(2026, 1, 1)))
    make_log(session, task=task, on=date(2026, 6, 1), hours="1", status=LogStatus.APPROVED)
    assert sweep_reports(session, now=now) > 0
    assert sweep_reports(session, now=now + timedelta(minutes=5)) == 0
    assert rebuild_all_reports(session, now=now + timedelta(hours=8)) == 0


def test_a_new_programme_gets_its_current_reports_at_the_next_sweep(session, now) -> None:
    sweep_reports(session, now=now)
    programme = make_programme(session, starts_on=date(2026, 6, 1))
    sweep_reports(session, now=now + timedelta(minutes=5))
    assert _hours(session, programme, PeriodKind.WEEK, date(2026, 6, 8)) == 0.0
