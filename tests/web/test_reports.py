"""Report pages: who may read them, the exports, the public impact page."""

from __future__ import annotations

import json
import re
from datetime import date
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


def test_the_report_page_draws_accessible_charts_with_tables(client, session, built) -> None:
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


def test_the_page_defaults_to_the_latest_period(client, session, built) -> None:
    login(client, make_user(session, is_site_admin=True))
    html = client.get(f"/programmes/{built['programme'].id}/reports").get_data(as_text=True)
    assert "June 2026" in html  # the last period built (the current one when built)


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
