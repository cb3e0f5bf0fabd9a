"""Qualifications over the API: defining (problem+json 422s), awarding by user id, holders,
revoking, my qualifications and skills, and task objects with their qualifications."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.models import OrgKind, Role, TaskStatus
from tests.api.conftest import is_problem
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_award,
    make_member,
    make_org,
    make_qualification,
    make_user,
)


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def coordinator(session, org):
    return make_member(session, org, Role.COORDINATOR)


def test_a_coordinator_defines_one_with_201_and_a_location(as_user, org, coordinator):
    response = as_user(coordinator).post(
        f"/organisations/{org.id}/qualifications",
        json={"name": "Food hygiene", "how_to_get": "Course.", "validity_months": 24},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "Food hygiene" and body["validity_months"] == 24
    assert body["verifier"] == "coordinators" and body["archived"] is False
    assert response.headers["Location"].endswith(f"/api/v1/qualifications/{body['id']}")
    listed = as_user(None).get(f"/organisations/{org.id}/qualifications").get_json()
    assert [q["name"] for q in listed["items"]] == ["Food hygiene"] and listed["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "A", "validity_months": 0}, "validity_months"),
        ({"name": "A", "validity_months": 601}, "validity_months"),
        ({"name": "A", "verifier": "lead_agency"}, "programme_id"),
        ({"name": "A", "verifier": "someone"}, "verifier"),
        ({"name": "FOOD HYGIENE"}, "name"),
    ],
)
def test_bad_definitions_are_422_problems_naming_the_field(
    session, as_user, org, coordinator, body, field
):
    make_qualification(session, org, name="Food hygiene")
    response = as_user(coordinator).post(f"/organisations/{org.id}/qualifications", json=body)
    assert is_problem(response, 422)
    assert field in response.get_json()["errors"]


def test_patch_edits_and_archives(as_user, session, org, coordinator):
    q = make_qualification(session, org, name="Chainsaw")
    api = as_user(coordinator)
    body = api.patch(f"/qualifications/{q.id}", json={"validity_months": None, "archived": True})
    assert body.status_code == 200
    assert body.get_json()["validity_months"] is None and body.get_json()["archived"] is True
    assert as_user(None).get(f"/organisations/{org.id}/qualifications").get_json()["items"] == []
    archived = api.get(f"/organisations/{org.id}/qualifications?archived=true").get_json()
    assert [i["id"] for i in archived["items"]] == [q.id]
    assert (
        as_user(None).get(f"/organisations/{org.id}/qualifications?archived=true").status_code
        == 403
    )
    assert (
        as_user(make_user(session)).patch(f"/qualifications/{q.id}", json={"name": "X"}).status_code
        == 403
    )


def test_a_verifier_awards_by_user_id(as_user, session, org, coordinator):
    q = make_qualification(session, org, validity_months=12)
    person = make_user(session)
    response = as_user(coordinator).post(
        f"/users/{person.id}/qualifications",
        json={"qualification_id": q.id, "awarded_on": "2026-01-31", "evidence": "No. 5"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["user_id"], body["expires_on"], body["evidence"]) == (
        person.id,
        "2027-01-31",
        "No. 5",
    )
    assert body["state"] in ("valid", "expiring", "expired")
    assert as_user(person).get(response.headers["Location"].split("/api/v1")[1]).status_code == 200


def test_awarding_refuses_bad_values_as_problems(as_user, session, org, coordinator, now):
    q = make_qualification(session, org)
    person = make_user(session)
    api = as_user(coordinator)
    cases = [
        (person.id, {"qualification_id": q.id, "awarded_on": "2999-01-01"}, 422, "awarded_on"),
        (person.id, {"qualification_id": q.id, "awarded_on": "1999-12-31"}, 422, "awarded_on"),
        (
            person.id,
            {"qualification_id": 999999, "awarded_on": "2026-01-01"},
            422,
            "qualification_id",
        ),
        (999999, {"qualification_id": q.id, "awarded_on": "2026-01-01"}, 422, "user_id"),
        (
            person.id,
            {"qualification_id": q.id, "awarded_on": "2026-01-01", "evidence": "x" * 501},
            422,
            "evidence",
        ),
        (person.id, {"awarded_on": "2026-01-01"}, 422, "qualification_id"),
    ]
    for user_id, body, status, field in cases:
        response = api.post(f"/users/{user_id}/qualifications", json=body)
        assert is_problem(response, status), (body, response.get_json())
        assert field in response.get_json()["errors"], body
    stranger = as_user(make_user(session))
    response = stranger.post(
        f"/users/{person.id}/qualifications",
        json={"qualification_id": q.id, "awarded_on": "2026-01-01"},
    )
    assert is_problem(response, 403)
    q.archived_at = now
    session.flush()
    response = api.post(
        f"/users/{person.id}/qualifications",
        json={"qualification_id": q.id, "awarded_on": "2026-01-01"},
    )
    assert is_problem(response, 409)


def test_holders_and_revoking(as_user, session, org, coordinator):
    q = make_qualification(session, org)
    made = make_award(session, make_user(session), q)
    api = as_user(coordinator)
    holders = api.get(f"/qualifications/{q.id}/awards").get_json()
    assert [a["id"] for a in holders["items"]] == [made.id] and holders["total"] == 1
    assert is_problem(as_user(made.holder).get(f"/qualifications/{q.id}/awards"), 403)
    assert is_problem(as_user(made.holder).post(f"/awards/{made.id}/revoke"), 403)
    assert is_problem(as_user(make_user(session)).get(f"/awards/{made.id}"), 404)
    revoked = api.post(f"/awards/{made.id}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert is_problem(api.post(f"/awards/{made.id}/revoke"), 409)


def test_my_qualifications_and_skills(as_user, session, org):
    person = make_user(session)
    make_award(session, person, make_qualification(session, org, name="First aid"))
    api = as_user(person)
    mine = api.get("/me/qualifications").get_json()
    assert [a["qualification_name"] for a in mine["awards"]] == ["First aid"]
    assert mine["skills"] == [] and mine["open_to_invitations"] is False
    changed = api.patch(
        "/me/qualifications",
        json={"skills": ["Cooking", "cooking", "First Aid"], "open_to_invitations": True},
    ).get_json()
    assert changed["skills"] == ["cooking", "first aid"] and changed["open_to_invitations"] is True
    bad = api.patch("/me/qualifications", json={"skills": ["x" * 41]})
    assert is_problem(bad, 422) and any(k.startswith("skills") for k in bad.get_json()["errors"])
    assert is_problem(as_user(None).get("/me/qualifications"), 401)


def test_task_objects_carry_their_qualifications_and_skills(as_user, session, now):
    world = ShiftWorld(session, status=TaskStatus.DRAFT, starts_at=now + timedelta(days=3))
    add_partner(session, world.programme, world.nonprofit)
    need = make_qualification(session, world.nonprofit)
    course = make_qualification(session, world.agency)
    api = as_user(world.lead_staff)
    created = api.post(
        f"/programmes/{world.programme.id}/tasks",
        json={"title": "Kitchen", "required_qualification_ids": [need.id],
              "trains_qualification_id": course.id, "skills": ["Cooking"]},
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["required_qualification_ids"] == [need.id]
    assert body["trains_qualification_id"] == course.id and body["skills"] == ["cooking"]
    patched = api.patch(
        f"/tasks/{body['id']}", json={"required_qualification_ids": [], "skills": []}
    )
    assert (
        patched.get_json()["required_qualification_ids"] == []
        and patched.get_json()["skills"] == []
    )
    foreign = make_qualification(session, make_org(session, OrgKind.AGENCY))
    refused = api.patch(f"/tasks/{body['id']}", json={"trains_qualification_id": foreign.id})
    assert is_problem(refused, 422) and "trains_qualification_id" in refused.get_json()["errors"]
