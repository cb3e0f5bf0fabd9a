"""GET /api/v1/programmes/{id}/you-said-we-did: public, paginated, the same answers and figures
as the page; the report object carries the volunteers' ratings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coprod.models import LogStatus, PeriodKind, ReportSnapshot, Role
from coprod.services import reports
from tests.api.conftest import Api, bearer
from tests.conftest import NOW
from tests.factories import (
    make_feedback,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_task,
)
from tests.web.test_you_said import answered  # noqa: F401 - the fixture


def test_a_visitor_reads_the_answers_and_figures(client, answered) -> None:  # noqa: F811
    api = Api(client)
    response = api.get(f"/programmes/{answered['programme'].id}/you-said-we-did")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 3)
    assert [i["title"] for i in body["items"]] == [
        "Build a marina",
        "Plant trees",
        "Clear the canal towpath",
    ]
    accepted = body["items"][2]
    assert accepted["status"] == "accepted"
    assert accepted["answer"] == "Yes: we will run it with volunteers."
    assert accepted["task_id"] == answered["task"].id
    assert accepted["impact"]["hours"] == 3.5
    assert accepted["impact"]["volunteers"] == 1
    assert accepted["impact"]["outcomes"][0]["quantity"] == 120
    assert accepted["impact"]["as_of"].startswith("2026-06-13T10:00:00")
    assert body["items"][0]["impact"] is None
    text = response.get_data(as_text=True)
    assert "Priya" not in text and "Vera" not in text and "author" not in text


def test_the_status_filter_and_pages(client, answered) -> None:  # noqa: F811
    api = Api(client)
    path = f"/programmes/{answered['programme'].id}/you-said-we-did"
    declined = api.get(path, query_string={"status": "declined"}).get_json()
    assert [i["title"] for i in declined["items"]] == ["Build a marina"]
    second = api.get(path, query_string={"per_page": 2, "page": 2}).get_json()
    assert [i["title"] for i in second["items"]] == ["Clear the canal towpath"]
    for bad in ({"status": "open"}, {"page": 0}, {"per_page": 1000}, {"page": "9" * 40}):
        response = api.get(path, query_string=bad)
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json"
    assert api.get("/programmes/999999/you-said-we-did").status_code == 404


def test_hidden_proposals_are_absent_for_the_lead_staff_too(client, session, answered):  # noqa: F811
    staff = make_member(session, answered["agency"], Role.STAFF)
    api = Api(client, bearer(session, staff))
    body = api.get(f"/programmes/{answered['programme'].id}/you-said-we-did").get_json()
    assert "Rude words here" not in [i["title"] for i in body["items"]]


def test_the_openapi_document_describes_it(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/programmes/{programme_id}/you-said-we-did"]["get"]
    assert "200" in operation["responses"]
    assert "feedback" in spec["components"]["schemas"]["ReportOut"]["properties"]


def test_the_report_object_carries_the_ratings(client, session, now) -> None:
    agency = make_org(session)
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    task = make_task(session, programme, title="Deliver meals")
    make_log(session, task=task, on=date(2026, 6, 2), status=LogStatus.APPROVED)
    make_feedback(session, task, rating=5, date=date(2026, 6, 3))
    make_feedback(session, task, rating=4, date=date(2026, 6, 4))
    reports.rebuild_reports(session, now=NOW, programme_id=programme.id)
    staff = make_member(session, agency, Role.STAFF)
    api = Api(client, bearer(session, staff))
    body = api.get(f"/programmes/{programme.id}/reports/month/2026-06-01").get_json()
    assert body["feedback"] == {
        "responses": 2,
        "average_rating": 4.5,
        "by_task": [{"id": task.id, "name": "Deliver meals", "responses": 2,
                     "average_rating": 4.5}],
    }  # fmt: skip
    # A snapshot built before ratings were reported: null, still readable.
    snap = session.scalars(
        select(ReportSnapshot).filter_by(
            programme_id=programme.id, period=PeriodKind.MONTH, start=date(2026, 6, 1)
        )
    ).one()
    snap.data = {k: v for k, v in snap.data.items() if k != "feedback"}
    session.flush()
    old = api.get(f"/programmes/{programme.id}/reports/month/2026-06-01")
    assert old.status_code == 200 and old.get_json()["feedback"] is None
    csv_text = api.get(f"/programmes/{programme.id}/reports/month/2026-06-01.csv").text
    assert "feedback" not in csv_text.split("\n", 1)[1]
