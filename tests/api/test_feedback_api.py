"""POST/GET /api/v1/tasks/{id}/feedback and GET /api/v1/feedback/{id}: the same rules as the web
form, problem+json refusals (403, 409, 422, 429), and names only for the organisers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import Config
from coprod.db import utcnow
from coprod.models import LogStatus, SignupStatus
from tests.api.conftest import is_problem
from tests.factories import ShiftWorld, make_log, make_signup, make_user


@pytest.fixture
def world(session):
    world = ShiftWorld(session, capacity=8, starts_at=utcnow() - timedelta(days=2))
    world.attendee = make_user(session, display_name="Ada Attendee")
    make_signup(session, world.shift, world.attendee, status=SignupStatus.ATTENDED)
    return world


def _attendee(session, world, name):
    person = make_user(session, display_name=name)
    make_signup(session, world.shift, person, status=SignupStatus.ATTENDED)
    return person


def test_an_attendee_posts_feedback_and_gets_201_with_the_object(as_user, world) -> None:
    api = as_user(world.attendee)
    body = {"rating": 5, "comment": "Well run.\nThanks!", "public": True}
    response = api.post(f"/tasks/{world.task.id}/feedback", json=body)
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["rating"] == 5 and item["comment"] == "Well run.\nThanks!"
    assert item["public"] is True and item["hidden"] is False
    assert item["task_id"] == world.task.id
    assert item["author_id"] == world.attendee.id  # their own
    assert response.headers["Location"].endswith(f"/api/v1/feedback/{item['id']}")
    again = api.get(f"/feedback/{item['id']}")
    assert again.status_code == 200 and again.get_json()["id"] == item["id"]


def test_twice_is_409(as_user, world) -> None:
    api = as_user(world.attendee)
    assert api.post(f"/tasks/{world.task.id}/feedback", json={"rating": 3}).status_code == 201
    second = api.post(f"/tasks/{world.task.id}/feedback", json={"rating": 4})
    assert is_problem(second, 409)
    assert "already given feedback" in second.get_json()["detail"]


def test_someone_who_neither_attended_nor_logged_gets_403(as_user, world) -> None:
    response = as_user(world.other_volunteer).post(
        f"/tasks/{world.task.id}/feedback", json={"rating": 3}
    )
    assert is_problem(response, 403)
    assert "logged hours on it" in response.get_json()["detail"]
    assert (
        as_user(None).post(f"/tasks/{world.task.id}/feedback", json={"rating": 3}).status_code
        == 401
    )


def test_someone_who_logged_hours_may_post(session, as_user, world) -> None:
    make_log(session, user=world.other_volunteer, task=world.task, status=LogStatus.APPROVED)
    response = as_user(world.other_volunteer).post(
        f"/tasks/{world.task.id}/feedback", json={"rating": 2}
    )
    assert response.status_code == 201
    assert response.get_json()["public"] is False


@pytest.mark.parametrize(
    "body",
    [{}, {"rating": 0}, {"rating": 6}, {"rating": "4"}, {"rating": 4.5}, {"rating": None},
     {"rating": True}, {"rating": 3, "comment": "x" * 2001},
     {"rating": 3, "comment": "bell\u0007"}, {"rating": 3, "public": "yes"}],
)  # fmt: skip
def test_bad_values_are_422_beside_the_field(as_user, world, body) -> None:
    response = as_user(world.attendee).post(f"/tasks/{world.task.id}/feedback", json=body)
    assert is_problem(response, 422), response.get_json()
    assert set(response.get_json()["errors"]) <= {"rating", "comment", "public"}


def test_over_the_comment_limit_is_429(app, as_user, world, monkeypatch) -> None:
    monkeypatch.setattr(Config, "FEEDBACK_PER_HOUR", 0)
    api = as_user(world.attendee)
    response = api.post(f"/tasks/{world.task.id}/feedback", json={"rating": 4, "comment": "Hi"})
    assert is_problem(response, 429)
    assert "the most allowed" in response.get_json()["detail"]
    assert api.post(f"/tasks/{world.task.id}/feedback", json={"rating": 4}).status_code == 201


def test_the_list_gives_organisers_names_and_others_public_comments_only(
    session, as_user, world
) -> None:
    pub, priv = _attendee(session, world, "Pia Public"), _attendee(session, world, "Pat Private")
    as_user(pub).post(
        f"/tasks/{world.task.id}/feedback", json={"rating": 5, "comment": "Great", "public": True}
    )
    as_user(priv).post(
        f"/tasks/{world.task.id}/feedback", json={"rating": 2, "comment": "Cold", "public": False}
    )
    for reader in (None, world.other_volunteer, pub):
        body = as_user(reader).get(f"/tasks/{world.task.id}/feedback").get_json()
        assert body["summary"] == {"responses": 2, "average": 3.5}
        assert [i["comment"] for i in body["items"]] == ["Great"]
        assert body["items"][0]["author_id"] is None
        assert body["items"][0]["author_name"] is None
        assert "Pia Public" not in str(body) and "Pat Private" not in str(body)
        assert body["next"] is None
    for organiser in (world.coordinator, world.lead_staff):
        body = as_user(organiser).get(f"/tasks/{world.task.id}/feedback").get_json()
        assert [i["author_name"] for i in body["items"]] == ["Pat Private", "Pia Public"]
        assert [i["comment"] for i in body["items"]] == ["Cold", "Great"]
        assert body["next"] is None


def test_a_private_item_is_not_found_to_others(session, as_user, world) -> None:
    posted = as_user(world.attendee).post(
        f"/tasks/{world.task.id}/feedback", json={"rating": 1, "comment": "Private"}
    )
    item_id = posted.get_json()["id"]
    assert is_problem(as_user(None).get(f"/feedback/{item_id}"), 404)
    assert is_problem(as_user(world.other_volunteer).get(f"/feedback/{item_id}"), 404)
    shown = as_user(world.coordinator).get(f"/feedback/{item_id}").get_json()
    assert shown["author_name"] == "Ada Attendee"


def test_the_operations_are_in_the_openapi_document(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/tasks/{task_id}/feedback"]["post"]
    assert {"201", "403", "409", "422", "429"} <= set(post["responses"])
    assert "get" in doc["paths"]["/api/v1/tasks/{task_id}/feedback"]
    assert "/api/v1/feedback/{feedback_id}" in doc["paths"]
