"""Ongoing tasks over the API: the `ongoing` field, publishing without shifts, no shifts, the
interest toggle and the contact list, and their place in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OrgKind, Role, TaskInterest
from tests.api.conftest import Api, is_problem
from tests.factories import (
    add_partner,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    return {
        "programme": programme,
        "partner": partner,
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "other_coordinator": make_member(session, make_org(session), Role.COORDINATOR),
        "volunteer": make_user(session, phone="07700 900456"),
    }


def _drain(session, world, **kw):
    return make_task(
        session,
        world["programme"],
        title="Adopt a storm drain",
        ongoing=True,
        coordinating_organisation_id=world["partner"].id,
        **kw,
    )


def test_staff_create_an_ongoing_task_and_publish_it_without_a_shift(as_user, world) -> None:
    api = as_user(world["staff"])
    made = api.post(
        f"/programmes/{world['programme'].id}/tasks", {"title": "Adopt a drain", "ongoing": True}
    )
    assert made.status_code == 201 and made.get_json()["ongoing"] is True
    task_id = made.get_json()["id"]
    opened = api.patch(f"/tasks/{task_id}", {"status": "open"})
    assert opened.status_code == 200 and opened.get_json()["status"] == "open"
    plain = api.post(f"/programmes/{world['programme'].id}/tasks", {"title": "Kitchen"})
    assert plain.get_json()["ongoing"] is False
    assert is_problem(api.patch(f"/tasks/{plain.get_json()['id']}", {"status": "open"}), 409)


def test_an_ongoing_task_takes_no_shift_and_a_task_with_shifts_cannot_become_ongoing(
    session, as_user, world
) -> None:
    api = as_user(world["staff"])
    drain = _drain(session, world)
    start = utcnow() + timedelta(days=3)
    shift = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 3,
    }
    refused = api.post(f"/tasks/{drain.id}/shifts", shift)
    assert is_problem(refused, 409) and "ongoing task has no shifts" in refused.get_json()["detail"]
    kitchen = make_task(session, world["programme"])
    make_shift(session, kitchen, starts_at=start)
    bad = api.patch(f"/tasks/{kitchen.id}", {"ongoing": True})
    assert is_problem(bad, 422) and "ongoing" in bad.get_json()["errors"]
    assert api.get(f"/tasks/{kitchen.id}").get_json()["ongoing"] is False


def test_the_list_finds_an_ongoing_task_with_no_next_shift(session, as_user, world) -> None:
    drain = _drain(session, world)
    body = as_user(None).get("/tasks", query_string={"q": "storm drain"}).get_json()
    assert [
        (t["id"], t["ongoing"], t["next_starts_at"], t["free_places"]) for t in body["items"]
    ] == [(drain.id, True, None, None)]


def test_interest_toggles_are_idempotent(session, as_user, world) -> None:
    drain = _drain(session, world)
    api = as_user(world["volunteer"])
    first = api.post(f"/tasks/{drain.id}/interest")
    again = api.post(f"/tasks/{drain.id}/interest")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["interested"] is True
    assert again.get_json()["since"] == first.get_json()["since"]
    count = select(func.count()).select_from(TaskInterest).where(TaskInterest.task_id == drain.id)
    assert session.scalar(count) == 1
    for _ in range(2):
        gone = api.delete(f"/tasks/{drain.id}/interest")
        assert gone.status_code == 200
        assert gone.get_json() == {"task_id": drain.id, "interested": False, "since": None}
    assert session.scalar(count) == 0


def test_interest_is_refused_without_a_confirmed_email_or_on_a_task_with_shifts(
    session, as_user, world
) -> None:
    drain = _drain(session, world)
    unconfirmed = make_user(session, email_confirmed_at=None)
    assert is_problem(as_user(unconfirmed).post(f"/tasks/{drain.id}/interest"), 403)
    assert as_user(None).post(f"/tasks/{drain.id}/interest").status_code == 401
    kitchen = make_task(session, world["programme"])
    assert is_problem(as_user(world["volunteer"]).post(f"/tasks/{kitchen.id}/interest"), 409)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("volunteer", 403),
        ("other_coordinator", 403),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_permission_table_of_the_interested_list(session, client, as_user, world, who, status):
    drain = _drain(session, world)
    as_user(world["volunteer"]).post(f"/tasks/{drain.id}/interest")
    api = as_user(None) if who == "anonymous" else as_user(world[who])
    resp = api.get(f"/tasks/{drain.id}/interested")
    assert resp.status_code == status
    if status == 200:
        body = resp.get_json()
        assert body["total"] == 1
        person = body["items"][0]
        assert person["user_id"] == world["volunteer"].id
        assert person["email"] == world["volunteer"].email
        assert person["phone"] == "07700 900456"


def test_the_document_describes_the_ongoing_field_and_the_interest_operations(client) -> None:
    doc = Api(client).get("/openapi.json").get_json()
    paths = doc["paths"]
    assert {"post", "delete"} <= set(paths["/api/v1/tasks/{task_id}/interest"])
    assert "get" in paths["/api/v1/tasks/{task_id}/interested"]
    schemas = doc["components"]["schemas"]
    for name in ("TaskIn", "TaskPatch", "TaskDetail", "TaskListItem"):
        assert schemas[name]["properties"]["ongoing"]["type"] == "boolean", name
    assert "InterestedPage" in schemas
