"""Operations on sign-ups: sign up (or the waitlist), assign, roster, my schedule, cancel and
attendance. The API runs on the real clock, so shifts are placed relative to it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OutboxMessage, Signup, SignupStatus
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import ShiftWorld, make_past_volunteer, make_shift, make_signup, make_user


def _future_world(session, capacity=1):
    return ShiftWorld(session, capacity=capacity, starts_at=utcnow() + timedelta(days=5))


def test_post_signups_confirms_then_waitlists_and_refuses_twice(client, session):
    world = _future_world(session)
    path = f"/shifts/{world.shift.id}/signups"
    first = Api(client, bearer(session, world.volunteer))
    confirmed = first.post(path)
    assert confirmed.status_code == 201 and confirmed.get_json()["status"] == "confirmed"
    assert confirmed.headers["Location"].endswith(f"/signups/{confirmed.get_json()['id']}")
    waiting = Api(client, bearer(session, world.other_volunteer)).post(path)
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waitlisted"
    assert waiting.get_json()["waitlist_position"] == 1
    assert is_problem(first.post(path), 409)
    assert is_problem(Api(client).post(path), 401)
    assert is_problem(first.post("/shifts/999999/signups"), 404)


def test_an_overlapping_shift_is_409_naming_the_other_shift(client, session):
    world = _future_world(session, capacity=3)
    overlapping = make_shift(
        session, world.task, starts_at=world.shift.starts_at + timedelta(hours=1)
    )
    api = Api(client, bearer(session, world.volunteer))
    assert api.post(f"/shifts/{world.shift.id}/signups").status_code == 201
    refused = api.post(f"/shifts/{overlapping.id}/signups")
    assert is_problem(refused, 409)
    assert world.task.title in refused.get_json()["detail"]


def test_post_assignments_by_the_tasks_coordinator(client, session):
    world = _future_world(session)
    make_past_volunteer(session, world.programme, world.volunteer)
    path = f"/shifts/{world.shift.id}/assignments"
    coordinator = Api(client, bearer(session, world.coordinator))
    done = coordinator.post(path, {"user_id": world.volunteer.id})
    assert done.status_code == 201 and done.get_json()["assigned_by_id"] == world.coordinator.id
    assert is_problem(coordinator.post(path, {"user_id": world.volunteer.id}), 409)
    unknown = coordinator.post(path, {"user_id": 999999})
    assert is_problem(unknown, 422) and "user_id" in unknown.get_json()["errors"]
    outsider = Api(client, bearer(session, world.other_coordinator))
    assert is_problem(outsider.post(path, {"user_id": world.other_volunteer.id}), 403)


def test_get_roster_for_coordinators_and_lead_staff_only(client, session):
    world = _future_world(session)
    make_signup(session, world.shift, world.volunteer)
    path = f"/shifts/{world.shift.id}/signups"
    roster = Api(client, bearer(session, world.lead_staff)).get(path).get_json()
    assert [e["email"] for e in roster["items"]] == [world.volunteer.email]
    assert is_problem(Api(client, bearer(session, world.other_volunteer)).get(path), 403)
    assert is_problem(Api(client, bearer(session, world.other_coordinator)).get(path), 403)


def test_get_signups_mine_is_my_schedule(client, session):
    world = _future_world(session)
    mine = make_signup(session, world.shift, world.volunteer)
    make_signup(
        session, make_shift(session, starts_at=utcnow() + timedelta(days=9)), world.other_volunteer
    )
    api = Api(client, bearer(session, world.volunteer))
    body = api.get("/signups", query_string={"mine": "true"}).get_json()
    assert [s["id"] for s in body["items"]] == [mine.id]
    assert body["items"][0]["task_id"] == world.task.id
    assert is_problem(api.get("/signups", query_string={"mine": "false"}), 422)
    assert is_problem(Api(client).get("/signups"), 401)


def test_get_signup_for_its_volunteer_and_roster_keepers(client, session):
    world = _future_world(session)
    signup = make_signup(session, world.shift, world.volunteer)
    assert (
        Api(client, bearer(session, world.volunteer)).get(f"/signups/{signup.id}").status_code
        == 200
    )
    assert (
        Api(client, bearer(session, world.coordinator)).get(f"/signups/{signup.id}").status_code
        == 200
    )
    other = Api(client, bearer(session, world.other_volunteer))
    assert is_problem(other.get(f"/signups/{signup.id}"), 404)


def test_post_cancel_promotes_the_oldest_waitlisted(client, session):
    world = _future_world(session)
    seated = make_signup(session, world.shift, world.volunteer)
    waiting = make_signup(
        session, world.shift, world.other_volunteer, status=SignupStatus.WAITLISTED
    )
    assert is_problem(Api(client, bearer(session, world.other_volunteer)).post(
        f"/signups/{seated.id}/cancel"), 404)  # fmt: skip
    api = Api(client, bearer(session, world.volunteer))
    done = api.post(f"/signups/{seated.id}/cancel")
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert session.get(Signup, waiting.id, populate_existing=True).status == SignupStatus.CONFIRMED
    assert is_problem(api.post(f"/signups/{seated.id}/cancel"), 409)


def test_post_attendance_after_the_start_by_a_coordinator(client, session):
    world = ShiftWorld(session, starts_at=utcnow() - timedelta(hours=1))
    signup = make_signup(session, world.shift, world.volunteer)
    path = f"/signups/{signup.id}/attendance"
    coordinator = Api(client, bearer(session, world.coordinator))
    marked = coordinator.post(path, {"attended": False})
    assert marked.status_code == 200 and marked.get_json()["status"] == "no_show"
    assert is_problem(coordinator.post(path, {"attended": "yes"}), 422)
    assert is_problem(
        Api(client, bearer(session, world.volunteer)).post(path, {"attended": True}), 403
    )
    later = _future_world(session)
    early = make_signup(session, later.shift, make_user(session))
    too_soon = Api(client, bearer(session, later.coordinator)).post(
        f"/signups/{early.id}/attendance", {"attended": True}
    )
    assert is_problem(too_soon, 409)


def test_assigning_a_stranger_by_id_is_answered_as_an_unknown_id_and_learns_nothing(
    client, session
):
    world = _future_world(session)
    stranger = make_user(session, phone="+44 7700 900123")
    coordinator = Api(client, bearer(session, world.coordinator))
    path = f"/shifts/{world.shift.id}/assignments"
    refused = coordinator.post(path, {"user_id": stranger.id})
    unknown = coordinator.post(path, {"user_id": 10**9})
    assert is_problem(refused, 422)
    assert refused.get_json() == unknown.get_json()
    assert "user_id" in refused.get_json()["errors"]
    queued = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == stranger.email)
    )
    assert queued == 0
    roster = coordinator.get(f"/shifts/{world.shift.id}/signups").get_json()
    assert stranger.id not in [e["user_id"] for e in roster["items"]]


def test_a_roster_gives_contacts_only_of_people_legitimately_on_it(client, session):
    world = _future_world(session, capacity=3)
    world.volunteer.phone = "+44 7700 900789"
    make_signup(session, world.shift, world.volunteer)
    harvested = make_user(session, phone="+44 7700 900456")
    make_signup(session, world.shift, harvested, assigned_by_id=world.coordinator.id)
    path = f"/shifts/{world.shift.id}/signups"
    roster = Api(client, bearer(session, world.coordinator)).get(path).get_json()
    contacts = {e["user_id"]: (e["email"], e["phone"]) for e in roster["items"]}
    assert contacts == {
        world.volunteer.id: (world.volunteer.email, "+44 7700 900789"),
        harvested.id: (None, None),
    }
