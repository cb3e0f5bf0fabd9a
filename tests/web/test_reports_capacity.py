"""The capacity report on the report page, in its exports and the API, and on the public impact
page, from the hand-computed world of tests/services/test_reports_capacity.py."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from coprod.models import PeriodKind, ReportSnapshot, Role
from coprod.services import reports
from tests.api.conftest import Api, bearer
from tests.conftest import login
from tests.factories import make_member, make_user
from tests.services.test_reports_capacity import world  # noqa: F401 - the shared fixture

JUNE_PAGE = "/programmes/{pid}/reports?period=month&start=2026-06-01"


def _built(session, world, now):  # noqa: F811
    reports.rebuild_reports(session, now=now, programme_id=world.programme.id)
    return world.programme.id


def _staff(session, world):  # noqa: F811
    return make_member(session, world.agency, Role.STAFF)


def test_the_report_page_shows_capacity_building_with_a_chart_and_tables(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    login(client, _staff(session, world))
    html = client.get(JUNE_PAGE.format(pid=pid)).get_data(as_text=True)
    section = html[html.index('id="capacity"') : html.index('id="feedback"')]
    assert "<dt>Training hours</dt><dd>8.00</dd>" in section
    assert "<dt>Qualifications awarded</dt><dd>3</dd>" in section
    assert "<dt>Qualifications expiring, not renewed</dt><dd>2</dd>" in section
    assert section.count('role="img"') == 1 and "chart-training-desc" in section
    assert "4.5 h received" in section and "5.5 h delivered" in section
    # The table beside the chart: citizens received 4.50 and delivered nothing.
    assert (
        '<tr><th scope="row">Individual citizens</th><td class="text-right">4.50</td>'
        '<td class="text-right">0.00</td></tr>'
    ) in section
    assert "Training hours delivered by each organisation" in section
    assert '<th scope="row">City Agency</th><td class="text-right">2.50</td>' in section
    assert (
        '<tr><th scope="row">Food hygiene</th><td class="text-right">2</td>'
        '<td class="text-right">2</td></tr>'
    ) in section
    assert "Chainsaw" not in section
    # The service figures above are service hours only.
    assert "<dd>5.00</dd>" in html[: html.index('id="capacity"')]


def test_a_month_without_training_says_so_without_a_chart(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    login(client, _staff(session, world))
    html = client.get(f"/programmes/{pid}/reports?period=month&start=2026-07-01").data.decode()
    section = html[html.index('id="capacity"') : html.index('id="feedback"')]
    assert "No training hours in this period." in section and 'role="img"' not in section
    assert "Food hygiene" in section  # kim's expires in July


def test_a_snapshot_built_before_capacity_was_reported_still_renders(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    snap = session.scalars(
        select(ReportSnapshot).where(
            ReportSnapshot.programme_id == pid,
            ReportSnapshot.period == PeriodKind.MONTH,
            ReportSnapshot.start == date(2026, 6, 1),
        )
    ).one()
    snap.data = {k: v for k, v in snap.data.items() if k != "capacity"}
    session.flush()
    login(client, _staff(session, world))
    resp = client.get(JUNE_PAGE.format(pid=pid))
    assert resp.status_code == 200
    assert "No training hours in this period." in resp.get_data(as_text=True)
    assert client.get(f"/programmes/{pid}/reports/month/2026-06-01.csv").status_code == 200


def test_the_csv_export_has_the_capacity_rows(client, session, world, now) -> None:  # noqa: F811
    pid = _built(session, world, now)
    login(client, _staff(session, world))
    body = client.get(f"/programmes/{pid}/reports/month/2026-06-01.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))

    def section(name, column):
        return [(r["name"], r[column]) for r in rows if r["section"] == name]

    delivered = section("training_delivered_organisation", "hours")
    assert delivered == [("Riverside Food Bank", "5.5"), ("City Agency", "2.5")]
    assert section("qualification_expiring", "quantity") == [("Food hygiene", "2")]


def test_the_api_report_and_impact_carry_the_capacity_block(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    staff = Api(client, bearer(session, _staff(session, world)))
    cap = staff.get(f"/programmes/{pid}/reports/month/2026-06-01").get_json()["capacity"]
    assert cap["training_hours_total"] == 8.0
    assert cap["training_delivered_by_sector"]["agency"] == 2.5
    assert cap["qualifications_awarded"][0] == {
        "id": world.food.id,
        "name": "Food hygiene",
        "count": 2,
    }
    impact = Api(client).get(f"/programmes/{pid}/impact").get_json()["capacity"]
    # Every quarter so far: May's 2 h and June's 8 h; awards of May and June (5).
    assert impact["training_hours_total"] == 10.0
    assert impact["training_delivered_by_sector"]["nonprofit"] == 7.5
    assert impact["qualifications_awarded_total"] == 5
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "training_delivered_by_organisation" in spec["CapacityFigures"]["properties"]


def test_the_impact_page_shows_training_and_awards_and_names_nobody(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    html = client.get(f"/programmes/{pid}/impact").get_data(as_text=True)
    assert "<dt>Training hours delivered</dt><dd>10.00</dd>" in html
    assert "<dt>Qualifications awarded</dt><dd>5</dd>" in html
    assert '<th scope="row">Food hygiene</th><td class="text-right">3</td>' in html
    assert "impact-training-desc" in html
    assert "Cy Volunteer" not in html and world.cy.email not in html


def test_the_capacity_section_is_in_spanish_for_a_spanish_reader(
    client,
    session,
    world,  # noqa: F811
    now,
) -> None:
    pid = _built(session, world, now)
    login(client, make_user(session, is_site_admin=True, language="es"))
    html = client.get(JUNE_PAGE.format(pid=pid)).get_data(as_text=True)
    assert "Desarrollo de capacidades" in html
