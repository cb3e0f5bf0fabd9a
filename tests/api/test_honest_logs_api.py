"""The API keeps the honest-log rules (422 with the field) and edits and withdraws before
review (PATCH /contributions/{id}, POST /contributions/{id}/withdraw), documented."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coprod.models import LogStatus, SignupStatus
from coprod.services import contributions
from tests.api.conftest import Api, bearer, is_problem
from tests.conftest import NOW
from tests.factories import ShiftWorld, make_log, make_signup


@pytest.fixture
def w(session):
    return ShiftWorld(session, starts_at=NOW - timedelta(days=1))


def _body(w, **over):
    day = contributions.shift_day(w.shift).isoformat()
    return {"task_id": w.task.id, "shift_id": w.shift.id, "date": day, "hours": 3} | over


def test_a_log_of_a_held_shift_is_created(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    created = Api(client, bearer(session, w.volunteer)).post("/contributions", _body(w))
    assert created.status_code == 201 and created.get_json()["shift_id"] == w.shift.id


@pytest.mark.parametrize("status", [None, SignupStatus.WAITLISTED, SignupStatus.NO_SHOW])
def test_a_shift_not_held_is_422_on_shift_id(client, session, w, status):
    if status is not None:
        make_signup(session, w.shift, w.volunteer, status=status)
    refused = Api(client, bearer(session, w.volunteer)).post("/contributions", _body(w))
    assert is_problem(refused, 422) and "shift_id" in refused.get_json()["errors"]


def test_a_date_other_than_the_shifts_day_is_422_on_date(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    wrong = (contributions.shift_day(w.shift) - timedelta(days=2)).isoformat()
    refused = Api(client, bearer(session, w.volunteer)).post("/contributions", _body(w, date=wrong))
    assert is_problem(refused, 422)
    assert list(refused.get_json()["errors"]) == ["date"]


def test_a_second_log_of_the_shift_is_422_on_shift_id(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    api = Api(client, bearer(session, w.volunteer))
    assert api.post("/contributions", _body(w, hours=1)).status_code == 201
    again = api.post("/contributions", _body(w, hours=1))
    assert is_problem(again, 422) and "shift_id" in again.get_json()["errors"]


def test_a_log_without_a_shift_before_the_programme_started_is_422_on_date(client, session, w):
    body = {"task_id": w.task.id, "date": "2025-12-31", "hours": 1}
    refused = Api(client, bearer(session, w.volunteer)).post("/contributions", body)
    assert is_problem(refused, 422) and "date" in refused.get_json()["errors"]


def test_patch_edits_a_submitted_log_and_keeps_the_rules(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    api = Api(client, bearer(session, w.volunteer))
    log_id = api.post("/contributions", _body(w)).get_json()["id"]
    changed = api.patch(f"/contributions/{log_id}", {"hours": 4.5, "notes": "Clear-up"})
    assert changed.status_code == 200
    assert (changed.get_json()["hours"], changed.get_json()["status"]) == (4.5, "submitted")
    wrong = api.patch(f"/contributions/{log_id}", {"date": "2026-06-01"})
    assert is_problem(wrong, 422) and "date" in wrong.get_json()["errors"]


def test_patch_of_a_reviewed_log_is_409_and_of_someone_elses_404(client, session, w):
    approved = make_log(session, user=w.volunteer, task=w.task, status=LogStatus.APPROVED)
    mine = Api(client, bearer(session, w.volunteer))
    assert is_problem(mine.patch(f"/contributions/{approved.id}", {"hours": 1}), 409)
    other = make_log(session, user=w.other_volunteer, task=w.task)
    assert is_problem(mine.patch(f"/contributions/{other.id}", {"hours": 1}), 404)


def test_withdraw_answers_the_withdrawn_log_and_a_second_time_409(client, session, w):
    log = make_log(session, user=w.volunteer, task=w.task)
    api = Api(client, bearer(session, w.volunteer))
    done = api.post(f"/contributions/{log.id}/withdraw")
    assert done.status_code == 200 and done.get_json()["status"] == "withdrawn"
    assert is_problem(api.post(f"/contributions/{log.id}/withdraw"), 409)


def test_the_document_describes_edit_and_withdraw(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    item = doc["paths"]["/api/v1/contributions/{log_id}"]
    assert "patch" in item and "422" in item["patch"]["responses"]
    withdraw = doc["paths"]["/api/v1/contributions/{log_id}/withdraw"]["post"]
    assert {"200", "409"} <= set(withdraw["responses"])
    status_enum = doc["components"]["schemas"]["ContributionOut"]["properties"]["status"]["enum"]
    assert "withdrawn" in status_enum
