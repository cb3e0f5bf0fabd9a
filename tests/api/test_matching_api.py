"""Matching over the API: GET /me/suggestions, GET /shifts/{id}/candidates,
POST /shifts/{id}/invitations, GET /invitations/{id}, POST /invitations/{id}/accept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.db import utcnow
from coprod.models import Role, SignupStatus, TaskSkill, UserSkill
from coprod.services.capacity import candidates
from tests.api.conftest import is_problem
from tests.factories import (
    ShiftWorld,
    make_award,
    make_member,
    make_qualification,
    make_shift,
    make_user,
)


@pytest.fixture
def w(session):
    world = ShiftWorld(session, capacity=2, starts_at=utcnow() + timedelta(days=5))
    world.q = make_qualification(session, world.nonprofit, required_by=world.task, name="First aid")
    world.person = make_member(
        session, world.nonprofit, Role.MEMBER, display_name="Pat Fit", open_to_invitations=True
    )
    make_award(session, world.person, world.q, awarded_on=utcnow().date() - timedelta(days=3))
    session.add_all(
        [
            TaskSkill(task_id=world.task.id, tag="cooking"),
            UserSkill(user_id=world.person.id, tag="cooking"),
        ]
    )
    session.flush()
    return world


def test_my_suggestions_list_the_shifts_that_fit(as_user, w):
    body = as_user(w.person).get("/me/suggestions").get_json()
    assert body["next"] is None and "total" not in body
    [item] = body["items"]
    assert item["shift_id"] == w.shift.id
    assert item["free_places"] == 2
    assert item["matched_skills"] == ["cooking"]
    assert as_user(w.volunteer).get("/me/suggestions").get_json()["items"] == []  # lacks it
    assert is_problem(as_user(w.person).get("/me/suggestions?per_page=500"), 422)
    assert is_problem(as_user(w.person).get("/me/suggestions?page=2"), 422)  # follow `next`
    assert is_problem(as_user(w.person).get("/me/suggestions?after=nonsense"), 422)


def test_my_suggestions_are_walked_by_next(as_user, w, session):
    later = make_shift(session, w.task, starts_at=w.shift.starts_at + timedelta(days=1))
    api = as_user(w.person)
    first = api.get("/me/suggestions?per_page=1").get_json()
    assert [i["shift_id"] for i in first["items"]] == [w.shift.id]
    assert first["next"].startswith("/api/v1/me/suggestions?") and "per_page=1" in first["next"]
    second = api.get(first["next"].removeprefix("/api/v1")).get_json()
    assert [i["shift_id"] for i in second["items"]] == [later.id] and second["next"] is None
    assert is_problem(as_user(None).get("/me/suggestions"), 401)


def test_the_coordinator_lists_candidates_and_invites_one(as_user, w):
    api = as_user(w.coordinator)
    body = api.get(f"/shifts/{w.shift.id}/candidates").get_json()
    assert [c["display_name"] for c in body["items"]] == ["Pat Fit"]
    assert body["items"][0] == {
        "user_id": w.person.id,
        "display_name": "Pat Fit",
        "matched_skills": ["cooking"],
        "invited": False,
    }
    made = api.post(f"/shifts/{w.shift.id}/invitations", {"user_id": w.person.id})
    assert made.status_code == 201
    assert made.get_json()["user_id"] == w.person.id
    assert (
        api.get(made.headers["Location"].removeprefix("/api/v1")).get_json()["id"]
        == made.get_json()["id"]
    )
    again = api.post(f"/shifts/{w.shift.id}/invitations", {"user_id": w.person.id})
    assert is_problem(again, 409)
    assert "already invited" in again.get_json()["detail"]
    assert api.get(f"/shifts/{w.shift.id}/candidates").get_json()["items"][0]["invited"]


def test_inviting_someone_who_is_not_a_candidate_is_422(as_user, w):
    made = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/invitations", {"user_id": w.volunteer.id}
    )
    assert is_problem(made, 422)
    assert "user_id" in made.get_json()["errors"]


def test_others_may_not_see_candidates_or_invite(as_user, w):
    for person in (w.person, w.other_coordinator):
        api = as_user(person)
        assert api.get(f"/shifts/{w.shift.id}/candidates").status_code in (403, 404)
        made = api.post(f"/shifts/{w.shift.id}/invitations", {"user_id": w.person.id})
        assert made.status_code in (403, 404)


def test_past_the_hourly_limit_is_429(as_user, w, monkeypatch):
    monkeypatch.setattr(candidates, "limit", lambda name: 0)
    made = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/invitations", {"user_id": w.person.id}
    )
    assert is_problem(made, 429)


def test_the_invited_person_accepts_and_nobody_else_can(as_user, session, w):
    made = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/invitations", {"user_id": w.person.id}
    )
    invitation_id = made.get_json()["id"]
    stranger = as_user(make_user(session))
    assert stranger.get(f"/invitations/{invitation_id}").status_code == 404
    assert stranger.post(f"/invitations/{invitation_id}/accept").status_code == 404
    done = as_user(w.person).post(f"/invitations/{invitation_id}/accept")
    assert done.status_code == 201
    assert done.get_json()["status"] == SignupStatus.CONFIRMED.value
    mine = as_user(w.person).get(f"/invitations/{invitation_id}").get_json()
    assert mine["accepted_at"] is not None
    twice = as_user(w.person).post(f"/invitations/{invitation_id}/accept")
    assert is_problem(twice, 409)


def test_the_openapi_document_describes_the_matching_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/me/suggestions"]
    assert "get" in paths["/api/v1/shifts/{shift_id}/candidates"]
    assert "post" in paths["/api/v1/shifts/{shift_id}/invitations"]
