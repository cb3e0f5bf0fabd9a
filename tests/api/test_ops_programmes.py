"""Operations on programmes, partners, metrics, tasks and shifts: success and each documented
error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.models import OrgKind, Role, TaskStatus
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)


def _programme_body(lead_id: int, **over):
    return {
        "name": "Clean rivers",
        "lead_organisation_id": lead_id,
        "starts_on": "2026-07-01",
    } | over


def test_get_programmes_is_public_with_search(client, session):
    make_programme(session, name="River clean-up")
    make_programme(session, name="Library helpers")
    body = Api(client).get("/programmes", query_string={"q": "river"}).get_json()
    assert [p["name"] for p in body["items"]] == ["River clean-up"] and body["total"] == 1


def test_get_programme_with_partners_and_metrics_and_404(client, session):
    programme = make_programme(session)
    metric = make_metric(session, programme)
    body = Api(client).get(f"/programmes/{programme.id}").get_json()
    assert body["metrics"][0]["id"] == metric.id and body["partners"] == []
    assert body["hourly_rate"] == 30.0
    assert is_problem(Api(client).get(f"/programmes/{programme.id + 99}"), 404)


def test_post_programmes_by_staff_of_a_verified_agency(client, session):
    agency = make_org(session, OrgKind.AGENCY)
    staff = Api(client, bearer(session, make_member(session, agency, Role.STAFF)))
    created = staff.post("/programmes", _programme_body(agency.id, is_pilot=True, hypothesis="H"))
    assert created.status_code == 201 and created.get_json()["is_pilot"] is True
    assert created.headers["Location"].endswith(f"/programmes/{created.get_json()['id']}")
    bad = staff.post("/programmes", _programme_body(agency.id, ends_on="2026-01-01", is_pilot=True))
    assert is_problem(bad, 422) and {"ends_on", "hypothesis"} <= set(bad.get_json()["errors"])
    missing = staff.post("/programmes", _programme_body(999999))
    assert is_problem(missing, 422) and "lead_organisation_id" in missing.get_json()["errors"]
    stranger = Api(client, bearer(session, make_user(session)))
    assert is_problem(stranger.post("/programmes", _programme_body(agency.id)), 403)
    unverified = make_org(session, OrgKind.AGENCY, verified=False)
    waiting = Api(client, bearer(session, make_member(session, unverified, Role.STAFF)))
    refused = waiting.post("/programmes", _programme_body(unverified.id))
    assert is_problem(refused, 403) and "verified" in refused.get_json()["detail"]


def test_post_partners_by_lead_staff_once_per_organisation(client, session):
    programme = make_programme(session)
    staff = Api(
        client, bearer(session, make_member(session, programme.lead_organisation, Role.STAFF))
    )
    partner = make_org(session)
    body = {"organisation_id": partner.id, "role": "Volunteers", "commitments": "Saturdays"}
    created = staff.post(f"/programmes/{programme.id}/partners", body)
    assert created.status_code == 201 and created.get_json()["organisation_id"] == partner.id
    assert is_problem(staff.post(f"/programmes/{programme.id}/partners", body), 409)
    lead = {"organisation_id": programme.lead_organisation_id, "role": "Lead"}
    assert is_problem(staff.post(f"/programmes/{programme.id}/partners", lead), 422)
    other = Api(client, bearer(session, make_member(session, partner, Role.ADMIN)))
    assert is_problem(other.post(f"/programmes/{programme.id}/partners", body), 403)
    assert is_problem(staff.post("/programmes/999999/partners", body), 404)


def test_post_metrics_by_lead_staff_with_a_positive_target(client, session):
    programme = make_programme(session)
    staff = Api(
        client, bearer(session, make_member(session, programme.lead_organisation, Role.STAFF))
    )
    body = {"name": "Bags collected", "unit": "bags", "target": 250.5, "target_date": "2026-12-31"}
    created = staff.post(f"/programmes/{programme.id}/metrics", body)
    assert created.status_code == 201 and created.get_json()["target"] == 250.5
    zero = staff.post(f"/programmes/{programme.id}/metrics", body | {"name": "x", "target": 0})
    assert is_problem(zero, 422) and "target" in zero.get_json()["errors"]
    volunteer = Api(client, bearer(session, make_user(session)))
    assert is_problem(volunteer.post(f"/programmes/{programme.id}/metrics", body), 403)


def test_get_tasks_lists_open_tasks_with_filters(client, session, now):
    world = ShiftWorld(session, starts_at=now + timedelta(days=400))
    make_task(session, world.programme, status=TaskStatus.DRAFT, title="Secret draft")
    anon = Api(client)
    body = anon.get("/tasks", query_string={"programme_id": world.programme.id}).get_json()
    assert [t["id"] for t in body["items"]] == [world.task.id]
    assert body["items"][0]["free_places"] == 2
    day = world.shift.starts_at.date()
    within = anon.get("/tasks", query_string={"from": day.isoformat(), "to": day.isoformat()})
    assert world.task.id in [t["id"] for t in within.get_json()["items"]]
    drafts = anon.get("/tasks", query_string={"status": "draft"}).get_json()
    assert drafts["items"] == []
    staff = Api(client, bearer(session, world.lead_staff))
    assert len(staff.get("/tasks", query_string={"status": "draft"}).get_json()["items"]) == 1
    assert is_problem(anon.get("/tasks", query_string={"from": "2026-13-01"}), 422)
    backwards = anon.get("/tasks", query_string={"from": "2026-07-02", "to": "2026-07-01"})
    assert is_problem(backwards, 422) and "to" in backwards.get_json()["errors"]


def test_get_task_hides_drafts_from_the_public(client, session):
    world = ShiftWorld(session)
    draft = make_task(session, world.programme, status=TaskStatus.DRAFT)
    assert Api(client).get(f"/tasks/{world.task.id}").get_json()["status"] == "open"
    assert is_problem(Api(client).get(f"/tasks/{draft.id}"), 404)
    staff = Api(client, bearer(session, world.lead_staff))
    assert staff.get(f"/tasks/{draft.id}").status_code == 200


def test_post_tasks_starts_a_draft_for_lead_staff(client, session):
    world = ShiftWorld(session)
    add_partner(session, world.programme, world.nonprofit)
    metric = make_metric(session, world.programme)
    staff = Api(client, bearer(session, world.lead_staff))
    body = {"title": "Sort donations", "metric_ids": [metric.id],
            "coordinating_organisation_id": world.nonprofit.id}  # fmt: skip
    created = staff.post(f"/programmes/{world.programme.id}/tasks", body)
    assert created.status_code == 201 and created.get_json()["status"] == "draft"
    assert created.get_json()["metric_ids"] == [metric.id]
    foreign = make_metric(session)
    bad = staff.post(f"/programmes/{world.programme.id}/tasks", body | {"metric_ids": [foreign.id]})
    assert is_problem(bad, 422)
    coordinator = Api(client, bearer(session, world.coordinator))
    assert is_problem(coordinator.post(f"/programmes/{world.programme.id}/tasks", body), 403)
    assert is_problem(staff.post("/programmes/999999/tasks", body), 404)


def test_patch_task_fields_and_lifecycle(client, session, now):
    world = ShiftWorld(session, status=TaskStatus.DRAFT, starts_at=now + timedelta(days=400))
    staff = Api(client, bearer(session, world.lead_staff))
    coordinator = Api(client, bearer(session, world.coordinator))
    path = f"/tasks/{world.task.id}"
    described = coordinator.patch(path, {"description": "Bring gloves."})
    assert described.status_code == 200 and described.get_json()["description"] == "Bring gloves."
    assert is_problem(coordinator.patch(path, {"title": "Mine now"}), 403)
    assert is_problem(coordinator.patch(path, {"status": "open"}), 403)
    opened = staff.patch(path, {"status": "open", "title": "Renamed"})
    assert opened.get_json()["status"] == "open" and opened.get_json()["title"] == "Renamed"
    assert is_problem(staff.patch(path, {"status": "draft"}), 409)
    assert is_problem(staff.patch(path, {"status": "finished"}), 422)
    assert is_problem(Api(client, bearer(session, make_user(session))).patch(path, {}), 403)
    assert is_problem(staff.patch("/tasks/999999", {"status": "open"}), 404)


def test_post_and_get_shifts(client, session, now):
    world = ShiftWorld(session, starts_at=now + timedelta(days=400))
    staff = Api(client, bearer(session, world.lead_staff))
    starts = world.shift.starts_at + timedelta(days=7)
    body = {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 4}  # fmt: skip
    created = staff.post(f"/tasks/{world.task.id}/shifts", body)
    assert created.status_code == 201 and created.get_json()["capacity"] == 4
    assert created.headers["Location"].endswith(f"/shifts/{created.get_json()['id']}")
    backwards = body | {"ends_at": body["starts_at"], "capacity": 0}
    bad = staff.post(f"/tasks/{world.task.id}/shifts", backwards)
    assert is_problem(bad, 422) and {"ends_at", "capacity"} <= set(bad.get_json()["errors"])
    past = body | {"starts_at": "2000-01-01T09:00:00Z", "ends_at": "2000-01-01T10:00:00Z"}
    assert is_problem(staff.post(f"/tasks/{world.task.id}/shifts", past), 422)
    coordinator = Api(client, bearer(session, world.coordinator))
    assert is_problem(coordinator.post(f"/tasks/{world.task.id}/shifts", body), 403)
    listed = Api(client).get(f"/tasks/{world.task.id}/shifts").get_json()
    assert [s["capacity"] for s in listed["items"]] == [2, 4]
    assert is_problem(Api(client).get("/tasks/999999/shifts"), 404)


def test_get_shift_with_counts_and_hidden_for_drafts(client, session):
    world = ShiftWorld(session)
    body = Api(client).get(f"/shifts/{world.shift.id}").get_json()
    assert {k: body[k] for k in ("capacity", "confirmed", "waitlisted", "free_places")} == {
        "capacity": 2, "confirmed": 0, "waitlisted": 0, "free_places": 2
    }  # fmt: skip
    hidden = make_shift(session, make_task(session, world.programme, status=TaskStatus.DRAFT))
    assert is_problem(Api(client).get(f"/shifts/{hidden.id}"), 404)


def test_a_programme_currency_is_created_read_changed_and_documented(client, session):
    agency = make_org(session, OrgKind.AGENCY)
    staff = Api(client, bearer(session, make_member(session, agency, Role.STAFF)))
    created = staff.post("/programmes", _programme_body(agency.id, currency="USD"))
    assert created.status_code == 201 and created.get_json()["currency"] == "USD"
    pid = created.get_json()["id"]
    assert Api(client).get(f"/programmes/{pid}").get_json()["currency"] == "USD"
    changed = staff.patch(f"/programmes/{pid}", {"currency": "EUR"})
    assert changed.status_code == 200 and changed.get_json()["currency"] == "EUR"
    default = staff.post("/programmes", _programme_body(agency.id, name="Trees"))
    assert default.get_json()["currency"] == "GBP"
    for bad in ("XYZ", "usd", "£", 12):
        refused = staff.patch(f"/programmes/{pid}", {"currency": bad})
        assert is_problem(refused, 422) and "currency" in refused.get_json()["errors"]
    doc = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    field = doc["ProgrammeIn"]["properties"]["currency"]
    assert "GBP" in field["enum"] and "USD" in field["enum"] and "EUR" in field["enum"]
    assert doc["ProgrammeOut"]["properties"]["currency"]["type"] == "string"
    assert "currency" in doc["ReportOut"]["properties"]


@pytest.mark.parametrize("status", ["open", "closed"])
def test_get_tasks_searches_and_filters_dates_alike_in_every_status(client, session, now, status):
    """The search is the same in every status: every word of 3 letters or more, in any order and
    case, part of a word enough; shorter words are left out."""
    world = ShiftWorld(session, starts_at=now + timedelta(days=400), status=TaskStatus(status))
    world.task.title = "Litter pick in Riverside Park"
    session.flush()
    anon = Api(client)

    def found(**query: str) -> bool:
        page = anon.get("/tasks", query_string={"status": status, **query}).get_json()
        return world.task.id in [t["id"] for t in page["items"]]

    assert found(q="riverside PARK") and found(q="pick in")  # "in" is too short to count
    assert found(q="park riverside") and found(q="litt rive")  # any order; part of a word
    assert not found(q="litter zebra")  # every word must be there
    day = world.shift.starts_at.date()
    assert found(**{"from": day.isoformat(), "to": day.isoformat()})
    assert not found(**{"from": (day + timedelta(days=1)).isoformat()})
    backwards = anon.get(
        "/tasks", query_string={"status": status, "from": "2026-07-02", "to": "2026-07-01"}
    )
    assert is_problem(backwards, 422) and "to" in backwards.get_json()["errors"]
