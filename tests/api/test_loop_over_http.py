"""The whole co-production loop through the API alone, over HTTP, as an integration would run it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import NotificationKind, OutboxMessage, PeriodKind
from coprod.services import reports
from tests.api.conftest import Api, bearer
from tests.factories import make_user

PASSWORD = "a long enough passphrase"


def _register(client, session, name: str) -> Api:
    """Register, confirm the address with the link from the email, and make a token."""
    anon = Api(client)
    email = f"{name.lower()}@loop.example.org"
    body = {"email": email, "password": PASSWORD, "display_name": name}
    assert anon.post("/accounts", body).status_code == 202
    sent = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient == email, OutboxMessage.kind == NotificationKind.CONFIRM_EMAIL
        )
    )
    link = re.search(r"/confirm-email/(\S+)", sent.body_text)
    assert anon.post(f"/email-confirmations/{link.group(1)}").status_code == 200
    created = anon.post("/tokens", {"email": email, "password": PASSWORD, "name": "loop"})
    assert created.status_code == 201, created.get_json()
    api = Api(client, {"Authorization": f"Bearer {created.get_json()['token']}"})
    api.email = email  # type: ignore[attr-defined]
    return api


def _at(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def test_an_integration_runs_the_whole_loop_through_the_api(client, session):
    ana, nick, rita = (_register(client, session, n) for n in ("Ana", "Nick", "Rita"))
    vera, walt = _register(client, session, "Vera"), _register(client, session, "Walt")
    admin = Api(client, bearer(session, make_user(session, is_site_admin=True)))

    # Organisations: an agency (unverified until a site admin verifies it) and a nonprofit.
    agency = ana.post("/organisations", {"name": "Loop City Parks", "kind": "agency"})
    assert agency.status_code == 201 and agency.get_json()["is_verified"] is False
    agency_id = agency.get_json()["id"]
    assert (
        nick.post("/organisations", {"name": "Loop Friends", "kind": "nonprofit"}).status_code
        == 201
    )
    nonprofit_id = nick.get("/me").get_json()["memberships"][0]["organisation_id"]
    programme_body = {
        "name": "Loop Greening",
        "description": "Trees for every street.",
        "lead_organisation_id": agency_id,
        "is_pilot": False,
        "starts_on": "2026-01-01",
    }
    assert ana.post("/programmes", programme_body).status_code == 403  # not verified yet
    verified = admin.post(f"/organisations/{agency_id}/verify")
    assert verified.status_code == 200 and verified.get_json()["is_verified"] is True
    member = ana.post(
        f"/organisations/{agency_id}/members", {"email": rita.email, "role": "reviewer"}
    )
    assert member.status_code == 201 and "reviewer" in member.get_json()["roles"]

    # The programme, its partner and its shared objective.
    created = ana.post("/programmes", programme_body)
    assert created.status_code == 201 and created.headers["Location"].endswith(
        f"/api/v1/programmes/{created.get_json()['id']}"
    )
    pid = created.get_json()["id"]
    partner = {"organisation_id": nonprofit_id, "role": "Volunteers", "commitments": "Weekends"}
    assert ana.post(f"/programmes/{pid}/partners", partner).status_code == 201
    metric = ana.post(
        f"/programmes/{pid}/metrics",
        {"name": "Trees planted", "unit": "trees", "target": 500, "target_date": "2026-12-31"},
    )
    assert metric.status_code == 201
    metric_id = metric.get_json()["id"]

    # A task coordinated by the nonprofit, one shift of one place, then published.
    task = ana.post(
        f"/programmes/{pid}/tasks",
        {
            "title": "Plant street trees",
            "location": "Elm Street",
            "metric_ids": [metric_id],
            "coordinating_organisation_id": nonprofit_id,
        },
    )
    assert task.status_code == 201 and task.get_json()["status"] == "draft"
    task_id = task.get_json()["id"]
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    shift = ana.post(
        f"/tasks/{task_id}/shifts",
        {"starts_at": _at(starts), "ends_at": _at(starts + timedelta(hours=3)), "capacity": 1},
    )
    assert shift.status_code == 201
    shift_id = shift.get_json()["id"]
    opened = ana.patch(f"/tasks/{task_id}", {"status": "open"})
    assert opened.status_code == 200 and opened.get_json()["status"] == "open"
    found = vera.get("/tasks", query_string={"q": "street trees", "programme_id": pid})
    assert found.status_code == 200, found.get_json()
    assert [t["id"] for t in found.get_json()["items"]] == [task_id]

    # Sign-ups: the place, the waitlist, a refused double sign-up, a promotion on cancelling.
    first = vera.post(f"/shifts/{shift_id}/signups")
    assert first.status_code == 201 and first.get_json()["status"] == "confirmed"
    second = walt.post(f"/shifts/{shift_id}/signups")
    assert second.status_code == 201 and second.get_json()["status"] == "waitlisted"
    assert vera.post(f"/shifts/{shift_id}/signups").status_code == 409
    counts = vera.get(f"/shifts/{shift_id}").get_json()
    assert (counts["capacity"], counts["confirmed"], counts["waitlisted"]) == (1, 1, 1)
    roster = nick.get(f"/shifts/{shift_id}/signups").get_json()
    assert [e["status"] for e in roster["items"]] == ["confirmed", "waitlisted"]
    cancelled = vera.post(f"/signups/{first.get_json()['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    schedule = walt.get("/signups", query_string={"mine": "true"}).get_json()
    assert [s["status"] for s in schedule["items"]] == ["confirmed"]

    # Logging hours, the 24-hour day, review with a request for changes, then approval.
    today = utcnow().date().isoformat()
    log = walt.post(
        "/contributions",
        {
            "task_id": task_id,
            "date": today,
            "hours": 3,
            "outcomes": [{"metric_id": metric_id, "quantity": 12}],
        },
    )
    assert log.status_code == 201 and log.get_json()["status"] == "submitted"
    log_id = log.get_json()["id"]
    too_long = walt.post("/contributions", {"task_id": task_id, "date": today, "hours": 22})
    assert too_long.status_code == 422 and "hours" in too_long.get_json()["errors"]
    back = rita.post(
        f"/contributions/{log_id}/review",
        {"decision": "request_changes", "comment": "Was it 4 hours?"},
    )
    assert back.get_json()["status"] == "changes_requested"
    again = walt.post(f"/contributions/{log_id}/resubmit", {"hours": 4})
    assert again.status_code == 200 and again.get_json()["status"] == "submitted"
    approved = rita.post(f"/contributions/{log_id}/review", {"decision": "approve"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert rita.post(f"/contributions/{log_id}/review", {"decision": "approve"}).status_code == 409

    # The scheduler builds the reports; partners read them as JSON and CSV.
    reports.rebuild_reports(session, now=utcnow(), programme_id=pid)
    session.flush()
    listed = nick.get(f"/programmes/{pid}/reports", query_string={"period": "month"})
    assert listed.status_code == 200
    month = reports.period_start(PeriodKind.MONTH, utcnow().date()).isoformat()
    assert month in [r["start"] for r in listed.get_json()["items"]]
    report = ana.get(f"/programmes/{pid}/reports/month/{month}")
    data = report.get_json()
    assert report.status_code == 200 and data["hours_total"] == 4.0
    assert data["share_by_sector"]["citizen"] == 100.0
    assert data["outcomes"][0]["quantity"] == 12.0
    as_csv = ana.get(f"/programmes/{pid}/reports/month/{month}", headers={"Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert {"section": "summary", "name": "hours_total"}.items() <= rows[3].items()
    suffixed = ana.get(f"/programmes/{pid}/reports/month/{month}.csv")
    assert suffixed.status_code == 200 and suffixed.get_data() == as_csv.get_data()
    assert vera.get(f"/programmes/{pid}/reports").status_code == 403
    assert Api(client).get(f"/programmes/{pid}/impact").get_json()["hours_total"] == 4.0
