"""API operations for changing shifts: cancel, remove a date from a series, weekly series with
skipped dates, copy and move (the same services as the pages)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OutboxMessage, Shift, Signup, SignupStatus
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import ShiftWorld, make_shift, make_signup, make_task

SOON = (utcnow() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


def _world(session):
    return ShiftWorld(session, capacity=1, starts_at=SOON)


def test_post_cancel_ends_the_places_and_answers_the_cancelled_shift(client, session):
    world = _world(session)
    confirmed = make_signup(session, world.shift, world.volunteer)
    waiting = make_signup(
        session, world.shift, world.other_volunteer, status=SignupStatus.WAITLISTED
    )
    api = Api(client, bearer(session, world.lead_staff))
    path = f"/shifts/{world.shift.id}/cancel"
    resp = api.post(path, {"reason": "Storm warning"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Storm warning"
    assert body["cancelled_at"] and body["free_places"] == 0 and body["confirmed"] == 0
    session.expire_all()
    for signup in (confirmed, waiting):
        assert session.get(Signup, signup.id).status == SignupStatus.SHIFT_CANCELLED
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) >= 2
    assert is_problem(api.post(path, {}), 409)  # already cancelled
    shown = Api(client).get(f"/shifts/{world.shift.id}").get_json()
    assert shown["status"] == "cancelled"
    signup = Api(client, bearer(session, world.volunteer)).post(f"/shifts/{world.shift.id}/signups")
    assert is_problem(signup, 409) and "cancelled" in signup.get_json()["detail"]


def test_post_cancel_refuses_bad_input_and_strangers(client, session):
    world = _world(session)
    path = f"/shifts/{world.shift.id}/cancel"
    api = Api(client, bearer(session, world.lead_staff))
    bad = api.post(path, {"reason": "x" * 301})
    assert is_problem(bad, 422) and "reason" in bad.get_json()["errors"]
    two_lines = api.post(path, {"reason": "a\nb"})
    assert is_problem(two_lines, 422) and "reason" in two_lines.get_json()["errors"]
    assert is_problem(Api(client, bearer(session, world.volunteer)).post(path, {}), 403)
    assert is_problem(Api(client).post(path, {}), 401)
    assert is_problem(api.post("/shifts/999999/cancel", {}), 404)


def test_post_weekly_with_skipped_dates_and_remove_one_date(client, session):
    world = _world(session)
    api = Api(client, bearer(session, world.lead_staff))
    path = f"/tasks/{world.task.id}/shifts/weekly"
    first = SOON
    body = {
        "first_starts_at": first.isoformat(),
        "first_ends_at": (first + timedelta(hours=2)).isoformat(),
        "until": (first + timedelta(weeks=3)).date().isoformat(),
        "capacity": 2,
    }
    off_day = (first + timedelta(days=1)).date().isoformat()
    bad = api.post(path, body | {"skip_dates": [off_day]})
    assert is_problem(bad, 422) and "skip_dates" in bad.get_json()["errors"]
    skip = (first + timedelta(weeks=1)).date().isoformat()
    made = api.post(path, body | {"skip_dates": [skip]})
    assert made.status_code == 201, made.get_json()
    items = made.get_json()["items"]
    assert len(items) == 3 and len({i["series_id"] for i in items}) == 1
    assert made.headers["Location"].endswith(f"/tasks/{world.task.id}/shifts")
    removed = api.post(f"/shifts/{items[1]['id']}/remove-from-series", {})
    assert removed.status_code == 200 and removed.get_json() == {
        "outcome": "deleted",
        "shift": None,
    }
    make_signup(session, session.get(Shift, items[2]["id"]), world.volunteer)
    cancelled = api.post(f"/shifts/{items[2]['id']}/remove-from-series", {"reason": "Holiday"})
    assert cancelled.get_json()["outcome"] == "cancelled"
    assert cancelled.get_json()["shift"]["cancel_reason"] == "Holiday"
    lone = make_shift(session, world.task, starts_at=SOON + timedelta(days=2))
    assert is_problem(api.post(f"/shifts/{lone.id}/remove-from-series", {}), 409)


def test_post_weekly_names_the_fields_of_the_request(client, session):
    """The service checks starts_at/ends_at; the API answers with the body's field names."""
    world = _world(session)
    api = Api(client, bearer(session, world.lead_staff))
    path = f"/tasks/{world.task.id}/shifts/weekly"
    past = utcnow() - timedelta(days=3)
    body = {
        "first_starts_at": past.isoformat(),
        "first_ends_at": (past - timedelta(hours=1)).isoformat(),
        "until": (past + timedelta(weeks=2)).date().isoformat(),
        "capacity": 2,
    }
    bad = api.post(path, body)
    assert is_problem(bad, 422)
    errors = bad.get_json()["errors"]
    assert "first_starts_at" in errors and "first_ends_at" in errors, errors
    assert "starts_at" not in errors and "ends_at" not in errors


def test_post_copy_and_move(client, session):
    world = _world(session)
    make_signup(session, world.shift, world.volunteer)
    target = make_task(session, world.programme, title="Second task")
    api = Api(client, bearer(session, world.lead_staff))
    copy_path = f"/tasks/{world.task.id}/shifts/copy"
    bad = api.post(copy_path, {"target_task_id": target.id, "weeks": 60})
    assert is_problem(bad, 422) and "weeks" in bad.get_json()["errors"]
    same = api.post(copy_path, {"target_task_id": world.task.id})
    assert is_problem(same, 422) and "target_task_id" in same.get_json()["errors"]
    copied = api.post(copy_path, {"target_task_id": target.id, "shift_ids": None, "weeks": 1})
    assert copied.status_code == 201, copied.get_json()
    [item] = copied.get_json()["items"]
    assert item["task_id"] == target.id and item["confirmed"] == 0
    assert copied.headers["Location"].endswith(f"/tasks/{target.id}/shifts")
    move_path = f"/tasks/{world.task.id}/shifts/move"
    assert is_problem(api.post(move_path, {"weeks": 0}), 422)
    assert is_problem(api.post(move_path, {}), 422)
    moved = api.post(move_path, {"weeks": 2})
    assert moved.status_code == 200, moved.get_json()
    [shift] = moved.get_json()["items"]
    session.expire_all()
    assert session.get(Shift, world.shift.id).starts_at == SOON + timedelta(weeks=2)
    assert shift["id"] == world.shift.id
    stranger = Api(client, bearer(session, world.volunteer))
    assert is_problem(stranger.post(move_path, {"weeks": 1}), 403)
