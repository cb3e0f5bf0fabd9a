"""Local time on the web: shift forms take the programme's local time, pages show it with the
zone's abbreviation, organisations and programmes have a time zone field, and the log form
keeps to the one date rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import ContributionLog, Organisation, OrgKind, Role, Shift, TaskStatus
from tests.conftest import login
from tests.factories import make_member, make_org, make_programme, make_task, make_user

# The web layer runs on the real clock: use next year's end of March in London.
YEAR = utcnow().year + 1
CHANGE = max(date(YEAR, 3, d) for d in range(25, 32) if date(YEAR, 3, d).weekday() == 6)
SAT_BEFORE, SAT_AFTER = CHANGE - timedelta(days=1), CHANGE + timedelta(days=6)


@pytest.fixture
def london(session):
    agency = make_org(session, OrgKind.AGENCY, timezone="Europe/London")
    programme = make_programme(session, agency, name="Meals")
    task = make_task(session, programme, status=TaskStatus.DRAFT, title="Kitchen")
    return {
        "agency": agency,
        "programme": programme,
        "task": task,
        "staff": make_member(session, agency, Role.STAFF, Role.ADMIN),
    }


def _shifts(session, task):
    return list(session.scalars(select(Shift).where(Shift.task_id == task.id).order_by(Shift.id)))


def test_a_shift_typed_at_nine_in_london_summer_is_stored_at_eight_utc_and_shown_as_nine_bst(
    client, session, london
):
    task = london["task"]
    login(client, london["staff"])
    form = client.get(f"/tasks/{task.id}/shifts/new").get_data(as_text=True)
    assert "local time in Europe/London" in form and "UTC for now" not in form
    resp = client.post(
        f"/tasks/{task.id}/shifts/new",
        data={
            "date": SAT_AFTER.isoformat(),
            "starts_at": "09:00",
            "ends_at": "12:00",
            "capacity": "4",
        },
    )
    assert resp.status_code == 303
    [shift] = _shifts(session, task)
    assert shift.starts_at == datetime.combine(SAT_AFTER, datetime.min.time(), UTC).replace(hour=8)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "09:00\u201312:00 BST" in page
    edit = client.get(f"/tasks/{task.id}/shifts/{shift.id}/edit").get_data(as_text=True)
    assert 'value="09:00"' in edit and f'value="{SAT_AFTER.isoformat()}"' in edit


def test_a_weekly_series_across_the_end_of_march_shows_nine_every_week(client, session, london):
    task = london["task"]
    login(client, london["staff"])
    resp = client.post(
        f"/tasks/{task.id}/shifts/weekly",
        data={
            "first_date": (SAT_BEFORE - timedelta(weeks=1)).isoformat(),
            "starts_at": "09:00",
            "ends_at": "12:00",
            "until": (SAT_AFTER + timedelta(weeks=1)).isoformat(),
            "capacity": "3",
        },
    )
    assert resp.status_code == 303
    made = _shifts(session, task)
    assert [s.starts_at.astimezone(UTC).hour for s in made] == [9, 9, 8, 8]
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert page.count('data-label="Time">09:00\u201312:00 GMT') == 2
    assert page.count('data-label="Time">09:00\u201312:00 BST') == 2


def test_a_time_the_clocks_skip_gets_a_message_beside_the_start_time(client, session, london):
    task = london["task"]
    login(client, london["staff"])
    resp = client.post(
        f"/tasks/{task.id}/shifts/new",
        data={
            "date": CHANGE.isoformat(),
            "starts_at": "01:30",
            "ends_at": "04:00",
            "capacity": "4",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="starts_at-error"' in html and "does not exist" in html
    assert _shifts(session, task) == []


def test_an_organisation_is_created_with_a_time_zone_and_a_bad_one_is_refused(client, session):
    login(client, make_user(session))
    form = client.get("/orgs/new").get_data(as_text=True)
    assert '<option selected value="Europe/London">' in form
    bad = client.post(
        "/orgs/new", data={"name": "Harbour", "kind": "nonprofit", "timezone": "Moon/Base"}
    )
    assert bad.status_code == 422
    assert b'id="timezone-error"' in bad.data and b"IANA" in bad.data
    ok = client.post(
        "/orgs/new", data={"name": "Harbour", "kind": "nonprofit", "timezone": "America/New_York"}
    )
    assert ok.status_code == 303
    org = session.scalar(select(Organisation).where(Organisation.name == "Harbour"))
    assert org is not None and org.timezone == "America/New_York"


def test_an_admin_changes_the_organisations_time_zone_and_a_member_may_not(client, session, london):
    org = london["agency"]
    member = make_member(session, org)
    login(client, member)
    assert client.get(f"/orgs/{org.id}/timezone").status_code == 403
    login(client, london["staff"])
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "Europe/London" in page and f"/orgs/{org.id}/timezone" in page
    resp = client.post(f"/orgs/{org.id}/timezone", data={"timezone": "Pacific/Auckland"})
    assert resp.status_code == 303
    session.refresh(org)
    assert org.timezone == "Pacific/Auckland"


def test_a_programme_sets_its_own_zone_and_its_shifts_follow_it(client, session, london):
    programme, task = london["programme"], london["task"]
    login(client, london["staff"])
    edit = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    assert "The lead agency&#39;s time zone (Europe/London)" in edit
    data = {"name": programme.name, "starts_on": programme.starts_on.isoformat()}
    resp = client.post(
        f"/programmes/{programme.id}/edit", data=data | {"timezone": "America/New_York"}
    )
    assert resp.status_code == 303
    session.refresh(programme)
    assert programme.timezone == "America/New_York"
    client.post(
        f"/tasks/{task.id}/shifts/new",
        data={
            "date": SAT_AFTER.isoformat(),
            "starts_at": "09:00",
            "ends_at": "12:00",
            "capacity": "2",
        },
    )
    [shift] = _shifts(session, task)
    assert shift.starts_at.astimezone(UTC).hour == 13  # 09:00 EDT
    assert "09:00\u201312:00 EDT" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    bad = client.post(f"/programmes/{programme.id}/edit", data=data | {"timezone": "Nowhere"})
    assert bad.status_code == 422 and b'id="timezone-error"' in bad.data


# --- the log form -------------------------------------------------------------------------


@pytest.fixture
def open_task(session, london):
    london["task"].status = TaskStatus.OPEN
    session.flush()
    return london["task"]


def _logs(session) -> int:
    return session.scalar(select(func.count()).select_from(ContributionLog))


def test_the_log_form_refuses_year_one_beside_the_date(client, session, open_task):
    login(client, make_user(session))
    before = _logs(session)
    resp = client.post(f"/tasks/{open_task.id}/log", data={"date": "0001-01-01", "hours": "2"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="date-error"' in html and "on or after 1 January 2000" in html
    assert _logs(session) == before


def test_in_auckland_the_log_form_takes_todays_local_date_while_utc_is_yesterday(
    client, session, monkeypatch
):
    agency = make_org(session, OrgKind.AGENCY, timezone="Pacific/Auckland")
    task = make_task(session, make_programme(session, agency))
    # 20:30 UTC on 14 June is 08:30 on 15 June in Auckland.
    monkeypatch.setattr(
        "coprod.web.contributions.logs.utcnow", lambda: datetime(2026, 6, 14, 20, 30, tzinfo=UTC)
    )
    login(client, make_user(session))
    form = client.get(f"/tasks/{task.id}/log").get_data(as_text=True)
    assert 'value="2026-06-15"' in form  # the form starts with Auckland's today
    tomorrow = client.post(f"/tasks/{task.id}/log", data={"date": "2026-06-16", "hours": "2"})
    assert tomorrow.status_code == 422 and b"in Pacific/Auckland" in tomorrow.data
    today = client.post(f"/tasks/{task.id}/log", data={"date": "2026-06-15", "hours": "2"})
    assert today.status_code == 303
    log = session.scalar(select(ContributionLog).where(ContributionLog.task_id == task.id))
    assert log is not None and (log.date, log.hours) == (date(2026, 6, 15), Decimal("2"))
