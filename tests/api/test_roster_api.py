"""POST /shifts/{id}/attendance: everyone confirmed, or a list, through the same service."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.db import utcnow
from coprod.models import SignupStatus
from tests.api.conftest import is_problem
from tests.factories import ShiftWorld, make_shift, make_signup

A, N, C, W = (
    SignupStatus.ATTENDED,
    SignupStatus.NO_SHOW,
    SignupStatus.CONFIRMED,
    SignupStatus.WAITLISTED,
)


@pytest.fixture
def w(session) -> ShiftWorld:
    return ShiftWorld(session, capacity=2, starts_at=utcnow() - timedelta(hours=1))


def status(session, signup) -> SignupStatus:
    session.expire_all()
    return session.get(type(signup), signup.id).status


def test_all_marks_every_confirmed_volunteer_attended(session, as_user, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    two = make_signup(session, w.shift, w.other_volunteer)
    resp = as_user(w.coordinator).post(f"/shifts/{w.shift.id}/attendance", json={"all": True})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["shift_id"] == w.shift.id and body["unmarked"] == 0
    assert sorted(i["id"] for i in body["items"]) == sorted([one.id, two.id])
    assert {i["status"] for i in body["items"]} == {"attended"}
    again = as_user(w.coordinator).post(f"/shifts/{w.shift.id}/attendance", json={"all": True})
    assert again.status_code == 200 and again.get_json()["items"] == []


def test_a_list_then_all_marks_the_rest(session, as_user, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    two = make_signup(session, w.shift, w.other_volunteer)
    resp = as_user(w.lead_staff).post(
        f"/shifts/{w.shift.id}/attendance",
        json={"signups": [{"signup_id": one.id, "attended": False}], "all": True},
    )
    assert resp.status_code == 200
    assert (status(session, one), status(session, two)) == (N, A)


def test_a_list_alone_leaves_the_others_unmarked(session, as_user, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    two = make_signup(session, w.shift, w.other_volunteer)
    resp = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/attendance",
        json={"signups": [{"signup_id": one.id, "attended": True}]},
    )
    assert resp.status_code == 200 and resp.get_json()["unmarked"] == 1
    assert (status(session, one), status(session, two)) == (A, C)


def test_before_the_start_is_409(session, as_user) -> None:
    w = ShiftWorld(session, starts_at=utcnow() + timedelta(days=1))
    one = make_signup(session, w.shift, w.volunteer)
    resp = as_user(w.coordinator).post(f"/shifts/{w.shift.id}/attendance", json={"all": True})
    assert is_problem(resp, 409)
    assert status(session, one) == C


def test_a_sign_up_of_another_shift_is_422_on_signups_and_changes_nothing(
    session, as_user, w
) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    elsewhere = make_signup(session, make_shift(session, w.task), w.other_volunteer)
    resp = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/attendance",
        json={
            "signups": [
                {"signup_id": one.id, "attended": True},
                {"signup_id": elsewhere.id, "attended": True},
            ]
        },
    )
    assert is_problem(resp, 422) and "signups" in resp.get_json()["errors"]
    assert status(session, one) == C


def test_a_waitlisted_sign_up_in_the_list_is_409_and_nothing_changes(session, as_user) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=utcnow() - timedelta(hours=1))
    one = make_signup(session, w.shift, w.volunteer)
    waiting = make_signup(session, w.shift, w.other_volunteer, status=W)
    resp = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/attendance",
        json={
            "signups": [
                {"signup_id": one.id, "attended": True},
                {"signup_id": waiting.id, "attended": True},
            ]
        },
    )
    assert is_problem(resp, 409)
    assert (status(session, one), status(session, waiting)) == (C, W)  # all or nothing


@pytest.mark.parametrize(
    "body", [{"all": "yes"}, {"signups": [{"signup_id": 0, "attended": True}]}, []]
)
def test_malformed_bodies_are_refused(session, as_user, w, body) -> None:
    make_signup(session, w.shift, w.volunteer)
    resp = as_user(w.coordinator).post(f"/shifts/{w.shift.id}/attendance", json=body)
    assert resp.status_code in (400, 422)


@pytest.mark.parametrize(
    ("who", "code"), [(None, 401), ("volunteer", 403), ("other_coordinator", 403)]
)
def test_only_the_roster_keepers_may_mark(session, as_user, w, who, code) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    actor = getattr(w, who) if who else None
    resp = as_user(actor).post(f"/shifts/{w.shift.id}/attendance", json={"all": True})
    assert is_problem(resp, code)
    assert status(session, one) == C


def test_the_document_describes_the_operation(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/shifts/{shift_id}/attendance"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(op["responses"])
    schema = doc["components"]["schemas"]["ShiftAttendanceIn"]
    assert set(schema["properties"]) == {"all", "signups"}
