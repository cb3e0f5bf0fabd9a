"""The API keeps ISO 8601 instants with offsets and names the IANA zone of organisations,
programmes, tasks and shifts; zones are set on organisations and programmes; a log's date
follows the same rule as on the web."""

from __future__ import annotations

from datetime import UTC, datetime

from coprod.models import OrgKind, Role, TaskStatus
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import make_member, make_org, make_programme, make_shift, make_task, make_user


def test_organisations_carry_their_zone_and_take_one_when_created(client, session):
    api = Api(client, bearer(session, make_user(session)))
    plain = api.post("/organisations", {"name": "Plain", "kind": "nonprofit"})
    assert plain.status_code == 201 and plain.get_json()["timezone"] == "Europe/London"
    nyc = api.post(
        "/organisations", {"name": "Bronx Aid", "kind": "nonprofit", "timezone": "America/New_York"}
    )
    assert nyc.status_code == 201 and nyc.get_json()["timezone"] == "America/New_York"
    shown = Api(client).get(f"/organisations/{nyc.get_json()['id']}").get_json()
    assert shown["timezone"] == "America/New_York"


def test_a_zone_that_is_not_an_iana_name_is_a_422_naming_the_field(client, session):
    api = Api(client, bearer(session, make_user(session)))
    refused = api.post("/organisations", {"name": "X", "kind": "nonprofit", "timezone": "EU/Paris"})
    assert is_problem(refused, 422)
    assert "IANA" in refused.get_json()["errors"]["timezone"][0]


def test_an_admin_patches_the_organisations_zone_and_a_member_gets_403(client, session):
    org = make_org(session)
    admin, member = make_member(session, org, Role.ADMIN), make_member(session, org)
    refused = Api(client, bearer(session, member)).patch(
        f"/organisations/{org.id}", {"timezone": "Asia/Tokyo"}
    )
    assert is_problem(refused, 403)
    done = Api(client, bearer(session, admin)).patch(
        f"/organisations/{org.id}", {"timezone": "Asia/Tokyo"}
    )
    assert done.status_code == 200 and done.get_json()["timezone"] == "Asia/Tokyo"
    bad = Api(client, bearer(session, admin)).patch(f"/organisations/{org.id}", {"timezone": ""})
    assert is_problem(bad, 422)


def test_a_programme_follows_its_lead_agency_unless_it_sets_its_own(client, session):
    agency = make_org(session, OrgKind.AGENCY, timezone="America/New_York")
    api = Api(client, bearer(session, make_member(session, agency, Role.STAFF)))
    body = {"name": "Rivers", "lead_organisation_id": agency.id, "starts_on": "2026-07-01"}
    follows = api.post("/programmes", body)
    assert follows.status_code == 201
    assert (follows.get_json()["timezone"], follows.get_json()["own_timezone"]) == (
        "America/New_York",
        None,
    )
    own = api.post("/programmes", body | {"name": "Kiwi", "timezone": "Pacific/Auckland"})
    assert own.status_code == 201 and own.get_json()["timezone"] == "Pacific/Auckland"
    pid = follows.get_json()["id"]
    patched = api.patch(f"/programmes/{pid}", {"timezone": "Europe/Lisbon"})
    assert patched.status_code == 200 and patched.get_json()["timezone"] == "Europe/Lisbon"
    assert patched.get_json()["name"] == "Rivers"  # fields not sent keep their values
    back = api.patch(f"/programmes/{pid}", {"timezone": None})
    assert back.get_json()["timezone"] == "America/New_York"
    listed = Api(client).get("/programmes").get_json()["items"]
    assert {p["name"]: p["timezone"] for p in listed}["Kiwi"] == "Pacific/Auckland"
    assert is_problem(api.patch(f"/programmes/{pid}", {"timezone": "Kiwi/Land"}), 422)


def test_tasks_and_shifts_name_the_zone_and_keep_utc_instants_with_offsets(client, session):
    agency = make_org(session, OrgKind.AGENCY, timezone="Europe/London")
    task = make_task(session, make_programme(session, agency), status=TaskStatus.OPEN)
    shift = make_shift(session, task, starts_at=datetime(2030, 4, 6, 8, tzinfo=UTC))
    api = Api(client)
    assert api.get(f"/tasks/{task.id}").get_json()["timezone"] == "Europe/London"
    body = api.get(f"/shifts/{shift.id}").get_json()
    assert body["timezone"] == "Europe/London"
    assert body["starts_at"] == "2030-04-06T08:00:00+00:00"  # 09:00 BST
    listed = api.get(f"/tasks/{task.id}/shifts").get_json()["items"]
    assert [s["timezone"] for s in listed] == ["Europe/London"]


def test_a_shift_posted_with_a_local_offset_is_the_same_instant(client, session):
    agency = make_org(session, OrgKind.AGENCY, timezone="Europe/London")
    task = make_task(session, make_programme(session, agency), status=TaskStatus.DRAFT)
    api = Api(client, bearer(session, make_member(session, agency, Role.STAFF)))
    created = api.post(
        f"/tasks/{task.id}/shifts",
        {
            "starts_at": "2030-04-06T09:00:00+01:00",
            "ends_at": "2030-04-06T12:00:00+01:00",
            "capacity": 3,
        },
    )
    assert created.status_code == 201
    assert created.get_json()["starts_at"] == "2030-04-06T08:00:00+00:00"


def test_a_log_dated_year_one_is_a_422_with_the_same_message_as_the_web(client, session):
    task = make_task(session, status=TaskStatus.OPEN)
    api = Api(client, bearer(session, make_user(session)))
    refused = api.post("/contributions", {"task_id": task.id, "date": "0001-01-01", "hours": 2})
    assert is_problem(refused, 422)
    assert refused.get_json()["errors"]["date"] == [
        "The date must be on or after 1 January 2000: check the year you typed."
    ]
    docs = Api(client).get("/openapi.json").get_json()
    field = docs["components"]["schemas"]["ContributionIn"]["properties"]["date"]
    assert "2000-01-01" in field["description"]
