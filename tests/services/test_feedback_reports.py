"""Volunteers' ratings in the reports: responses and average per period, overall and per task,
without hidden ratings; rebuilt idempotently and picked up by the sweep."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprod.jobs.reports import sweep_reports
from coprod.models import LogStatus, PeriodKind, ReportSnapshot
from coprod.services import reports
from tests.factories import make_feedback, make_log, make_programme, make_task

JUNE = date(2026, 6, 1)


def _snapshot(session, programme, kind=PeriodKind.MONTH, start=JUNE) -> ReportSnapshot:
    session.expire_all()
    return session.scalars(
        select(ReportSnapshot).filter_by(programme_id=programme.id, period=kind, start=start)
    ).one()


@pytest.fixture
def rated(session, now):
    """Two tasks rated in June (5, 4, 4 on the first; 2 on the second), one rating hidden, one
    given in May and one on another programme's task."""
    programme = make_programme(session, starts_on=date(2026, 1, 1))
    first = make_task(session, programme, title="Clear the towpath")
    second = make_task(session, programme, title="Paint the benches")
    make_log(session, task=first, on=date(2026, 4, 20), status=LogStatus.APPROVED)
    for rating, day in ((5, 2), (4, 10), (4, 30)):
        make_feedback(session, first, rating=rating, date=date(2026, 6, day))
    make_feedback(session, second, rating=2, date=date(2026, 6, 12))
    make_feedback(session, second, rating=1, date=date(2026, 6, 12), hidden_at=now)
    make_feedback(session, first, rating=1, date=date(2026, 5, 31))
    make_feedback(session, make_task(session), rating=1, date=date(2026, 6, 3))
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    return programme, first, second


def test_a_period_counts_its_ratings_overall_and_per_task(session, rated) -> None:
    programme, first, second = rated
    feedback = _snapshot(session, programme).data["feedback"]
    # (5 + 4 + 4 + 2) / 4 = 3.75 -> 3.8; the first task 13 / 3 = 4.33 -> 4.3.
    assert feedback == {
        "responses": 4,
        "average_rating": 3.8,
        "by_task": [
            {"id": first.id, "name": "Clear the towpath", "responses": 3, "average_rating": 4.3},
            {"id": second.id, "name": "Paint the benches", "responses": 1, "average_rating": 2.0},
        ],
    }
    may = _snapshot(session, programme, start=date(2026, 5, 1)).data["feedback"]
    assert (may["responses"], may["average_rating"]) == (1, 1.0)
    week = _snapshot(session, programme, PeriodKind.WEEK, date(2026, 6, 8)).data["feedback"]
    assert [(t["name"], t["responses"]) for t in week["by_task"]] == [
        ("Clear the towpath", 1),
        ("Paint the benches", 1),
    ]
    quarter = _snapshot(session, programme, PeriodKind.QUARTER, date(2026, 4, 1))
    assert quarter.data["feedback"]["responses"] == 5


def test_a_period_without_ratings_has_none_and_no_average(session, rated) -> None:
    programme, _first, _second = rated
    april = _snapshot(session, programme, start=date(2026, 4, 1)).data["feedback"]
    assert april == {"responses": 0, "average_rating": None, "by_task": []}


def test_rebuilding_twice_gives_the_same_numbers_and_changes_nothing(session, rated, now):
    programme, _first, _second = rated
    before = _snapshot(session, programme)
    data, built_at = before.data, before.built_at
    later = now + timedelta(hours=1)
    assert reports.rebuild_reports(session, now=later, programme_id=programme.id) == 0
    after = _snapshot(session, programme)
    assert after.data == data and after.built_at == built_at


def test_a_rating_given_after_the_last_log_still_has_its_period(session, now) -> None:
    programme = make_programme(session, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    task = make_task(session, programme)
    make_log(session, task=task, on=date(2026, 2, 10), status=LogStatus.APPROVED)
    make_feedback(session, task, rating=5, date=date(2026, 4, 2))
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    april = _snapshot(session, programme, start=date(2026, 4, 1))
    assert april.data["feedback"]["responses"] == 1


def test_the_sweep_picks_up_new_and_hidden_ratings(session, now) -> None:
    programme = make_programme(session, starts_on=date(2026, 1, 1))
    task = make_task(session, programme)
    make_log(session, task=task, on=date(2026, 2, 10), status=LogStatus.APPROVED)
    sweep_reports(session, now=now)
    assert _snapshot(session, programme, start=date(2026, 2, 1)).data["feedback"]["responses"] == 0
    later = now + timedelta(hours=1)
    # Given in February (a late rating), after the sweep ran: its period is rebuilt.
    rating = make_feedback(session, task, rating=3, date=date(2026, 2, 20), changed_at=later)
    sweep_reports(session, now=later + timedelta(minutes=1))
    feb = _snapshot(session, programme, start=date(2026, 2, 1)).data["feedback"]
    assert (feb["responses"], feb["average_rating"]) == (1, 3.0)
    # Hidden by moderation (which moves changed_at): it leaves the report at the next sweep.
    hidden = later + timedelta(hours=1)
    rating.hidden_at, rating.changed_at = hidden, hidden
    session.flush()
    sweep_reports(session, now=hidden + timedelta(minutes=1))
    assert _snapshot(session, programme, start=date(2026, 2, 1)).data["feedback"]["responses"] == 0


def test_the_csv_and_json_carry_the_ratings(session, rated) -> None:
    programme, first, _second = rated
    snap = _snapshot(session, programme)
    rows = list(csv.DictReader(io.StringIO(reports.snapshot_csv(snap))))
    summary = {r["name"]: r["value"] for r in rows if r["section"] == "summary"}
    assert (summary["feedback_responses"], summary["average_rating"]) == ("4", "3.8")
    per_task = [r for r in rows if r["section"] == "feedback"]
    assert [(r["id"], r["name"], r["responses"], r["average_rating"]) for r in per_task] == [
        (str(first.id), "Clear the towpath", "3", "4.3"),
        (str(_second.id), "Paint the benches", "1", "2.0"),
    ]
    assert reports.snapshot_json(snap)["feedback"]["average_rating"] == 3.8


def test_a_snapshot_built_before_ratings_were_reported_stays_readable(session, rated) -> None:
    programme, _first, _second = rated
    snap = _snapshot(session, programme)
    snap.data = {k: v for k, v in snap.data.items() if k != "feedback"}
    session.flush()
    assert reports.snapshot_json(snap)["feedback"] is None
    rows = list(csv.DictReader(io.StringIO(reports.snapshot_csv(snap))))
    assert not [r for r in rows if r["section"] == "feedback"]
