"""Report pages: who may read them, the exports, the public impact page."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coprod.models import LogStatus, OrgKind, OutcomeQuantity, Role
from coprod.services import reports
from tests.conftest import login
from tests.factories import (
    add_partner,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)


@pytest.fixture
def built(session, now):
    """A programme with a partner, a metric and a few approved June logs, reports built."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency")
    partner = make_org(session, OrgKind.COMMUNITY, name="=cmd|' /C calc'!A0")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    add_partner(session, programme, partner)
    metric = make_metric(session, programme, name="Meals delivered")
    task = make_task(session, programme, title="Deliver meals")
    volunteer = make_user(session, display_name="Vera Volunteer")
    log = make_log(session, user=volunteer, task=task, on=date(2026, 6, 2), hours="3",
                   status=LogStatus.APPROVED, organisation_id=partner.id)  # fmt: skip
    session.add(OutcomeQuantity(log_id=log.id, metric_id=metric.id, quantity=Decimal(40)))
    make_log(session, task=task, on=date(2026, 5, 2), hours="2", status=LogStatus.APPROVED)
    session.flush()
    reports.rebuild_reports(session, now=now, programme_id=programme.id)
    return {"programme": programme, "agency": agency, "partner": partner, "volunteer": volunteer}


def _actor(session, built, who):
    if who == "anonymous":
        return None
    if who == "lead member":
        return make_member(session, built["agency"], Role.MEMBER)
    if who == "partner member":
        return make_member(session, built["partner"])
    if who == "site admin":
        return make_user(session, is_site_admin=True)
    if who == "other org member":
        return make_member(session, make_org(session, OrgKind.NONPROFIT))
    return make_user(session)  # a citizen volunteer


PAGES = {
    "show": "/programmes/{pid}/reports?period=month&start=2026-06-01",
    "csv": "/programmes/{pid}/reports/month/2026-06-01.csv",
    "json": "/programmes/{pid}/reports/month/2026-06-01.json",
    "impact": "/programmes/{pid}/impact",
}
MATRIX = [
    ("anonymous", {"show": 302, "csv": 302, "json": 302, "impact": 200}),
    ("citizen", {"show": 403, "csv": 403, "json": 403, "impact": 200}),
    ("other org member", {"show": 403, "csv": 403, "json": 403, "impact": 200}),
    ("lead member", {"show": 200, "csv": 200, "json": 200, "impact": 200}),
    ("partner member", {"show": 200, "csv": 200, "json": 200, "impact": 200}),
    ("site admin", {"show": 200, "csv": 200, "json": 200, "impact": 200}),
]


@pytest.mark.parametrize(("who", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("page", list(PAGES))
def test_report_pages_permission_matrix(client, session, built, who, expected, page) -> None:
    actor = _actor(session, built, who)
    if actor is not None:
        login(client, actor)
    resp = client.get(PAGES[page].format(pid=built["programme"].id))
    assert resp.status_code == expected[page]


def test_unknown_programme_or_period_is_404(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    pid = built["programme"].id
    assert client.get("/programmes/999999/reports").status_code == 404
    assert client.get("/programmes/999999/impact").status_code == 404
    assert client.get(f"/programmes/{pid}/reports/month/2020-01-01.csv").status_code == 404
    assert client.get(f"/programmes/{pid}/reports/year/2026-06-01.json").status_code == 404
    assert client.get(f"/programmes/{pid}/reports/month/not-a-date.csv").status_code == 404


@pytest.fixture
def clock(monkeypatch):
    """Fix the instant the report pages see as now."""

    def set_now(at: datetime) -> None:
        monkeypatch.setattr("coprod.web.reports.pages.utcnow", lambda: at)

    set_now(JULY_SECOND)
    return set_now


JULY_SECOND = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)


def test_the_report_page_draws_accessible_charts_with_tables(client, session, built, clock) -> None:
    login(client, make_user(session, is_site_admin=True))
    resp = client.get(f"/programmes/{built['programme'].id}/reports?period=month")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.count('role="img"') == 3
    assert html.count("<title id=") == 3
    assert html.count("<caption>") >= 5
    assert "<h1>" in html and html.count("<h1>") == 1
    assert 'style="' not in html and "<script" not in html  # the CSP allows neither
    assert "June 2026" in html and "3.00" in html


def test_the_page_opens_on_the_last_complete_month_of_the_programme_calendar(
    client, session, built, clock
) -> None:
    """At 00:30 on 1 July in London (23:30 UTC on 30 June) June is complete: the page opens
    on it, with its change on May; an hour earlier it opens on May."""
    login(client, make_user(session, is_site_admin=True))
    url = f"/programmes/{built['programme'].id}/reports"
    clock(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    html = client.get(url).get_data(as_text=True)
    assert '<p class="usa-intro">June 2026 ·' in html
    assert "in progress" not in html.split("Neighbouring periods")[0]
    assert "+1.00 h (+50.0%)" in html  # 3 h in June against 2 h in May
    assert "July 2026 (in progress) →" in html  # the current month, one click away
    clock(datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # 23:30 BST, still June in London
    html = client.get(url).get_data(as_text=True)
    assert '<p class="usa-intro">May 2026 ·' in html
    assert "June 2026 (in progress) →" in html


def test_the_period_in_progress_is_marked_and_not_compared(client, session, built, clock) -> None:
    """Two days into July, July's report says "in progress" (page, table, chart) instead of a
    minus-100-per-cent change on June."""
    make_log(session, task=make_task(session, built["programme"]), on=date(2026, 7, 1),
             hours="0.5", status=LogStatus.APPROVED)  # fmt: skip
    reports.rebuild_reports(session, now=JULY_SECOND, programme_id=built["programme"].id)
    login(client, make_user(session, is_site_admin=True))
    url = f"/programmes/{built['programme'].id}/reports?period=month&start=2026-07-01"
    html = client.get(url).get_data(as_text=True)
    assert 'id="in-progress">in progress</span>' in html
    assert "Approved hours so far" in html
    assert "<dd>In progress</dd>" in html
    assert "%)" not in html.split("<h2>Hours by sector over time")[0]  # no percentage change
    assert "-83.3%" not in html and "\u2212" not in html
    assert ">in progress</text>" in html  # under the chart's last column
    assert 'July 2026 <span class="cp-tag cp-tag--draft">in progress</span>' in html
    assert "Show the last complete month" in html


def test_a_bad_date_is_shown_beside_the_field_with_422(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    resp = client.get(f"/programmes/{built['programme'].id}/reports?period=month&start=13/06")
    assert resp.status_code == 422
    assert 'id="start-error"' in resp.get_data(as_text=True)
    resp = client.get(f"/programmes/{built['programme'].id}/reports?period=decade")
    assert resp.status_code == 422
    assert 'id="period-error"' in resp.get_data(as_text=True)


def test_a_period_without_a_report_shows_an_empty_state(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    resp = client.get(f"/programmes/{built['programme'].id}/reports?period=week&start=2025-01-01")
    assert resp.status_code == 200
    assert "No report for this period yet" in resp.get_data(as_text=True)


def test_csv_export_is_safe_from_formula_injection(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    resp = client.get(f"/programmes/{built['programme'].id}/reports/month/2026-06-01.csv")
    text = resp.get_data(as_text=True)
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert "'=cmd|" in text
    assert not re.search(r"(^|,)\"?[=+@]", text, re.M)


def test_json_export_is_the_snapshot(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    resp = client.get(f"/programmes/{built['programme'].id}/reports/month/2026-06-01.json")
    body = json.loads(resp.get_data(as_text=True))
    assert body["hours_total"] == 3.0
    assert body["hours_by_sector"]["community"] == 3.0
    assert body["previous"]["hours_total"] == 2.0
    assert body["outcomes"][0]["quantity"] == 40.0
    assert "built_at" in body


def test_the_impact_page_is_public_and_names_nobody(client, session, built) -> None:
    html = client.get(f"/programmes/{built['programme'].id}/impact").get_data(as_text=True)
    assert "5.00" in html  # May 2 h + June 3 h
    assert "Meals delivered" in html
    assert "Vera Volunteer" not in html
    assert built["volunteer"].email not in html
    assert 'role="img"' in html


def test_the_period_picker_shows_the_period_on_screen(client, session) -> None:
    programme = make_programme(session)
    staff = make_member(session, programme.lead_organisation, Role.STAFF)
    login(client, staff)
    page = client.get(f"/programmes/{programme.id}/reports").data.decode()
    assert '<option selected value="month">' in page
    page = client.get(f"/programmes/{programme.id}/reports?period=quarter").data.decode()
    assert '<option selected value="quarter">' in page


def test_the_figures_kept_in_the_cache_follow_each_rebuild(database_url, session, built, now):
    from config import TestConfig
    from coprod import create_app

    app = create_app(
        TestConfig, DATABASE_URL=database_url, WTF_CSRF_ENABLED=False, CACHE_TYPE="SimpleCache"
    )
    staff = login(app.test_client(), make_member(session, built["agency"], Role.STAFF))
    partner = login(app.test_client(), make_member(session, built["partner"]))
    url = f"/programmes/{built['programme'].id}/reports?period=month&start=2026-06-01"

    def hours_total(client):
        page = client.get(url).text
        return re.search(r"<dt>Approved hours</dt><dd>([\d.]+)</dd>", page).group(1)

    assert hours_total(staff) == hours_total(partner) == "3.00"
    make_log(session, on=date(2026, 6, 9), hours="4", status=LogStatus.APPROVED,
             task=make_task(session, built["programme"]))  # fmt: skip
    reports.rebuild_reports(session, now=now.replace(minute=5), programme_id=built["programme"].id)
    session.flush()
    assert hours_total(staff) == hours_total(partner) == "7.00"


def test_money_in_the_report_impact_and_csv_carries_the_programme_currency(
    client, session, built, clock
) -> None:
    """Hourly value £30 → in USD: "$90.00" for June's 3 h; the CSV names the currency in
    its header and keeps the amounts plain numbers."""
    programme = built["programme"]
    programme.currency = "USD"
    session.flush()
    login(client, make_user(session, is_site_admin=True))
    html = client.get(f"/programmes/{programme.id}/reports?period=month&start=2026-06-01").text
    assert "<dt>Value of hours at $30.00 an hour</dt><dd>$90.00</dd>" in html
    assert "<dt>In-kind value</dt><dd>$0.00</dd>" in html
    assert "£" not in html
    impact = client.get(f"/programmes/{programme.id}/impact").text
    assert "<dd>$150.00</dd>" in impact  # 5 h since the start at $30
    text = client.get(f"/programmes/{programme.id}/reports/month/2026-06-01.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "value_USD" in rows[0]
    money = {r["name"]: r["value_USD"] for r in rows if r["value_USD"]}
    assert money == {"in_kind_value": "0.0", "hours_value": "90.0"}
    body = client.get(f"/programmes/{programme.id}/reports/month/2026-06-01.json").get_json()
    assert body["currency"] == "USD" and body["hours_value"] == 90.0
