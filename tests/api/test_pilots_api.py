"""The pilots API: the evaluation (404 before publication unless lead staff preview), the
decision by lead staff, and the list of pilots."""

from __future__ import annotations

from datetime import date

import pytest

from coprod.db import utcnow
from coprod.models import Role
from coprod.services.governance import pilots
from tests.api.conftest import is_problem
from tests.factories import make_member, make_user
from tests.pilot_world import make_pilot_world


def test_the_evaluation_is_not_found_until_built_then_public(as_user, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    anyone = as_user(None)
    assert is_problem(anyone.get(f"/programmes/{pid}/evaluation"), 404)
    assert is_problem(anyone.get(f"/programmes/{pid}/evaluation?preview=true"), 404)
    stranger = as_user(make_user(session))
    assert is_problem(stranger.get(f"/programmes/{pid}/evaluation?preview=true"), 404)
    staff = as_user(world.staff)
    assert is_problem(staff.get(f"/programmes/{pid}/evaluation"), 404)
    preview = staff.get(f"/programmes/{pid}/evaluation?preview=true")
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["preview"] is True and body["built_at"] is None
    assert body["pilot"]["hours"] == 9.0
    pilots.build_evaluation(session, None, world.programme, now=utcnow())
    public = anyone.get(f"/programmes/{pid}/evaluation").get_json()
    assert public["preview"] is False and public["built_at"]
    [m] = public["measures"]
    assert (m["pilot"]["per_hour"], m["comparison"]["per_hour"], m["difference"]) == (
        3.2222,
        1.5,
        1.7222,
    )
    assert m["interval"] is None and m["interval_note"] == "too_few_contributors"
    assert "Person A" not in str(public)


def test_a_preview_needs_a_window_end(as_user, session):
    world = make_pilot_world(session, evaluation_ends_on=None)
    got = as_user(world.staff).get(f"/programmes/{world.programme.id}/evaluation?preview=true")
    assert is_problem(got, 409)


def test_lead_staff_put_the_decision_once_built(as_user, session):
    world = make_pilot_world(session)
    pid = world.programme.id
    staff = as_user(world.staff)
    body = {"decision": "scale_up", "lessons": "Doorstep rounds feed more people."}
    assert is_problem(staff.call("PUT", f"/programmes/{pid}/evaluation/decision", json=body), 409)
    pilots.build_evaluation(session, None, world.programme, now=utcnow())
    done = staff.call("PUT", f"/programmes/{pid}/evaluation/decision", json=body)
    assert done.status_code == 200
    assert done.get_json()["decision"] == "scale_up"
    bad = staff.call(
        "PUT", f"/programmes/{pid}/evaluation/decision", json={"decision": "grow", "lessons": ""}
    )
    assert is_problem(bad, 422)
    assert set(bad.get_json()["errors"]) == {"decision", "lessons"}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.REVIEWER, Role.COORDINATOR])
def test_others_may_not_put_the_decision(as_user, session, role):
    world = make_pilot_world(session)
    pilots.build_evaluation(session, None, world.programme, now=utcnow())
    person = make_member(session, world.programme.lead_organisation, role)
    got = as_user(person).call(
        "PUT",
        f"/programmes/{world.programme.id}/evaluation/decision",
        json={"decision": "stop", "lessons": "x"},
    )
    assert is_problem(got, 403)
    anon = as_user(None).call(
        "PUT",
        f"/programmes/{world.programme.id}/evaluation/decision",
        json={"decision": "stop", "lessons": "x"},
    )
    assert is_problem(anon, 401)


def test_the_pilots_list(as_user, session):
    world = make_pilot_world(session)
    pilots.build_evaluation(session, None, world.programme, now=utcnow())
    running = make_pilot_world(session, evaluation_ends_on=date(2099, 1, 31))
    got = as_user(None).get("/pilots?per_page=100").get_json()
    items = {i["programme_id"]: i for i in got["items"]}
    assert items[world.programme.id]["status"] == "evaluated"
    assert items[world.programme.id]["measures"][0]["difference"] == 1.7222
    assert items[running.programme.id]["status"] == "in_progress"
    assert items[running.programme.id]["measures"] == []
    assert is_problem(as_user(None).get("/pilots?per_page=1000"), 422)


def test_the_openapi_document_describes_the_pilot_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/programmes/{programme_id}/evaluation"]
    assert "put" in paths["/api/v1/programmes/{programme_id}/evaluation/decision"]
    assert "get" in paths["/api/v1/pilots"]
