"""The report page's "Volunteer feedback" section: the average and a per-task table, an empty
state, no names, and snapshots built before ratings were reported still shown."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coprod.models import LogStatus, OrgKind, PeriodKind, ReportSnapshot, Role
from coprod.services import reports
from tests.conftest import login
from tests.factories import (
    make_feedback,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_task,
    make_user,
)

JUNE = "/programmes/{pid}/reports?period=month&start=2026-06-01"
MAY = "/programmes/{pid}/reports?period=month&start=2026-05-01"


def _world(session, now):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    task = make_task(session, programme, title="Deliver meals")
    make_log(session, task=task, on=date(2026, 5, 2), status=LogStatus.APPROVED)
    rater = make_user(session, display_name="Rita Rater")
    make_feedback(session, task, rater, rating=5, comment="Lovely team", date=date(2026, 6, 2))
    make_feedback(session, task, rating=4, date=date(2026, 6, 3))
    make_feedback(session, task, rating=4, date=date(2026, 6, 4))
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    return programme, make_member(session, agency, Role.STAFF)


def test_the_report_shows_the_average_and_each_tasks_ratings(client, session, now) -> None:
    programme, staff = _world(session, now)
    login(client, staff)
    page = client.get(JUNE.format(pid=programme.id)).text
    section = page[page.index("Volunteer feedback") :]
    assert "4.3 out of 5" in section  # 13 / 3
    assert '<th scope="row">Deliver meals</th><td class="text-right">3</td>' in section
    assert "Rita Rater" not in page and "Lovely team" not in page
    may = client.get(MAY.format(pid=programme.id)).text
    assert "No volunteer gave feedback in this period." in may


def test_a_snapshot_without_ratings_is_shown_with_a_note(client, session, now) -> None:
    programme, staff = _world(session, now)
    snap = session.scalars(
        select(ReportSnapshot).filter_by(
            programme_id=programme.id, period=PeriodKind.MONTH, start=date(2026, 6, 1)
        )
    ).one()
    snap.data = {k: v for k, v in snap.data.items() if k != "feedback"}
    session.flush()
    login(client, staff)
    response = client.get(JUNE.format(pid=programme.id))
    assert response.status_code == 200
    assert "Volunteer feedback appears in this report when it is next rebuilt." in response.text


def test_a_bad_page_of_rated_tasks_is_a_4xx(client, session, now) -> None:
    programme, staff = _world(session, now)
    login(client, staff)
    url = JUNE.format(pid=programme.id) + "&feedback_page=x"
    response = client.get(url)
    assert response.status_code in (400, 422)
    assert "Page numbers must be whole numbers." in response.text
