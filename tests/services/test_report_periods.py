"""The report opens on the last complete period of the programme's own calendar; the period
in progress stays one step newer and is marked so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from coprod.models import LogStatus, OrgKind, PeriodKind, ReportSnapshot
from coprod.services import reports
from coprod.services.reports.periods import default_start, in_progress, last_complete_start
from tests.factories import make_log, make_org, make_programme, make_task, make_user

MONTH, QUARTER, WEEK = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.WEEK


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        (MONTH, date(2026, 12, 2), date(2026, 11, 1)),  # two days into December: November
        (MONTH, date(2026, 12, 1), date(2026, 11, 1)),
        (MONTH, date(2026, 11, 30), date(2026, 10, 1)),  # November not over yet
        (MONTH, date(2027, 1, 1), date(2026, 12, 1)),  # across a year
        (QUARTER, date(2026, 12, 2), date(2026, 7, 1)),
        (QUARTER, date(2026, 1, 5), date(2025, 10, 1)),
        (WEEK, date(2026, 12, 2), date(2026, 11, 23)),  # a Wednesday: the week before's Monday
        (WEEK, date(2026, 11, 30), date(2026, 11, 23)),  # a Monday
    ],
)
def test_the_last_complete_period_is_the_one_before_today(kind, today, expected) -> None:
    assert last_complete_start(kind, today) == expected
    assert not in_progress(kind, expected, today)
    assert in_progress(kind, reports.period_start(kind, today), today)


def test_the_default_period_follows_the_programme_calendar_across_a_month_boundary(
    session,
) -> None:
    """At 23:30 UTC on 30 June it is already 1 July in London (BST) and 11:30 on 1 July in
    Auckland, but still 30 June in New York: June is complete in the first two only."""
    london = make_programme(session, timezone="Europe/London")
    auckland = make_programme(session, timezone="Pacific/Auckland")
    new_york = make_programme(session, timezone="America/New_York")
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert default_start(london, MONTH, late) == date(2026, 6, 1)
    assert default_start(auckland, MONTH, late) == date(2026, 6, 1)
    assert default_start(new_york, MONTH, late) == date(2026, 5, 1)
    earlier = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 23:30 BST: still June in London
    assert default_start(london, MONTH, earlier) == date(2026, 5, 1)
    assert default_start(london, QUARTER, late) == date(2026, 4, 1)


def test_a_programme_in_its_first_period_opens_on_it(session) -> None:
    """Nothing before the start: a programme that began this month opens on this month (in
    progress), one that has not begun yet on the current month too."""
    now = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    new = make_programme(session, timezone="Europe/London", starts_on=date(2026, 7, 1))
    assert default_start(new, MONTH, now) == date(2026, 7, 1)
    assert default_start(new, WEEK, now) == date(2026, 6, 29)  # the week of 1 July
    assert default_start(new, QUARTER, now) == date(2026, 7, 1)
    later = make_programme(session, timezone="Europe/London", starts_on=date(2026, 9, 1))
    assert default_start(later, MONTH, now) == date(2026, 7, 1)
    older = make_programme(session, timezone="Europe/London", starts_on=date(2026, 6, 30))
    assert default_start(older, MONTH, now) == date(2026, 6, 1)


def _built(session, now):
    programme = make_programme(session, make_org(session, OrgKind.AGENCY), timezone="Europe/London")
    task = make_task(session, programme)
    for day, hours in ((date(2026, 5, 4), "2"), (date(2026, 6, 2), "3"), (date(2026, 7, 1), "1")):
        make_log(session, task=task, on=day, hours=hours, status=LogStatus.APPROVED)
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    return programme


def test_the_report_opens_on_the_last_complete_period_not_the_current_one(session) -> None:
    now = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)  # two days into July
    programme = _built(session, now)
    admin = make_user(session, is_site_admin=True)
    page = reports.get_report(session, admin, programme.id, period=None, start=None, now=now)
    assert (page.start, page.in_progress) == (date(2026, 6, 1), False)
    assert page.snapshot is not None and page.snapshot.data["hours_total"] == 3.0
    assert [h.start for h in page.history] == [date(2026, 1, 1).replace(month=m) for m in (5, 6)]
    assert page.newer == date(2026, 7, 1)  # the period in progress, still one click away
    assert page.is_current(page.newer)
    current = reports.get_report(
        session, admin, programme.id, period="month", start="2026-07-02", now=now
    )
    assert (current.start, current.in_progress, current.newer) == (date(2026, 7, 1), True, None)


def test_an_unbuilt_period_in_progress_is_still_offered(session) -> None:
    """Before the scheduler built the new month, the report still links to it."""
    programme = _built(session, datetime(2026, 6, 20, tzinfo=UTC))  # June built, July not
    now = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    admin = make_user(session, is_site_admin=True)
    page = reports.get_report(session, admin, programme.id, period="month", start=None, now=now)
    assert page.start == date(2026, 6, 1) and page.newer == date(2026, 7, 1)


@pytest.mark.parametrize("day", [2, 28])
def test_the_demo_report_opens_on_a_month_with_figures_whatever_the_day(session, day) -> None:
    """The demo's programmes have approved hours in the month before, so a newcomer's first
    report shows figures, in pounds, on the 2nd as on the 28th."""
    from sqlalchemy import select

    from coprod.demo import load_demo_data
    from coprod.models import Programme

    now = datetime(2026, 6, day, 10, 0, tzinfo=UTC)
    load_demo_data(session, now=now)
    admin = make_user(session, is_site_admin=True)
    for programme in session.scalars(select(Programme)):
        assert programme.currency == "GBP"
        reports.rebuild_reports(session, now=now, programme_id=programme.id)
        page = reports.get_report(session, admin, programme.id, period=None, start=None, now=now)
        assert page.start == date(2026, 5, 1) and not page.in_progress
        assert page.snapshot is not None and page.snapshot.data["hours_total"] > 0


def test_the_history_shows_each_period_as_its_document_says_after_a_rebuild_changes_it(
    session,
) -> None:
    """The chart's figures are kept beside each stored document; a late approval that changes
    May's document changes May's bar too."""
    now = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    programme = _built(session, now)
    admin = make_user(session, is_site_admin=True)

    def history() -> list[tuple[date, float, dict[str, float]]]:
        page = reports.get_report(session, admin, programme.id, period="month", start="2026-06-01",
                                  now=now)  # fmt: skip
        return [(h.start, h.hours_total, h.hours_by_sector) for h in page.history]

    def documents() -> list[tuple[date, float, dict[str, float]]]:
        snaps = session.scalars(
            select(ReportSnapshot)
            .where(ReportSnapshot.programme_id == programme.id)
            .where(ReportSnapshot.period == PeriodKind.MONTH)
            .where(ReportSnapshot.start <= date(2026, 6, 1))
            .order_by(ReportSnapshot.start)
        )
        return [(s.start, s.data["hours_total"], s.data["hours_by_sector"]) for s in snaps]

    assert [(start, total) for start, total, _ in history()] == [
        (date(2026, 5, 1), 2.0), (date(2026, 6, 1), 3.0)
    ]  # fmt: skip
    assert history() == documents()
    make_log(session, task=make_task(session, programme), on=date(2026, 5, 20), hours="5",
             status=LogStatus.APPROVED)  # fmt: skip
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    session.expire_all()
    assert history()[0][1] == 7.0
    assert sum(history()[0][2].values()) == 7.0
    assert history() == documents()
