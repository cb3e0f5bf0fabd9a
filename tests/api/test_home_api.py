"""GET /api/v1/me/home: the home page's sections as JSON, from the same service."""

from __future__ import annotations

from datetime import timedelta

from coprod.db import utcnow
from coprod.models import OrgKind, Role
from tests.api.conftest import is_problem
from tests.factories import (
    make_log,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)


def test_home_needs_a_token(as_user) -> None:
    assert is_problem(as_user(None).get("/me/home"), 401)


def test_a_volunteer_gets_their_shifts_and_no_role_sections(as_user, session) -> None:
    me = make_user(session)
    shift = make_shift(session, starts_at=utcnow() + timedelta(days=2))
    signup = make_signup(session, shift, me)
    back = make_log(session, user=me, task=shift.task, status="changes_requested")
    body = as_user(me).get("/me/home").get_json()
    assert [(s["signup_id"], s["shift_id"], s["status"]) for s in body["next_shifts"]] == [
        (signup.id, shift.id, "confirmed")
    ]
    assert [log["id"] for log in body["open_logs"]] == [back.id]
    assert body["coordinator"] is None and body["reviewer"] is None and body["staff"] is None


def test_a_coordinator_and_reviewer_get_their_sections(as_user, session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.COORDINATOR, Role.REVIEWER)
    programme = make_programme(session, agency)
    task = make_task(session, programme, coordinating_organisation_id=agency.id)
    past = make_shift(session, task, starts_at=utcnow() - timedelta(days=2))
    make_signup(session, past)
    make_log(session, task=task)
    body = as_user(me).get("/me/home").get_json()
    assert [(s["shift_id"], s["unmarked"]) for s in body["coordinator"]["awaiting_attendance"]] == [
        (past.id, 1)
    ]
    assert [(r["programme_id"], r["waiting"]) for r in body["reviewer"]["programmes"]] == [
        (programme.id, 1)
    ]
    assert body["staff"] is None


def test_staff_and_reviewers_are_told_when_their_lists_hold_more(
    as_user, session, monkeypatch
) -> None:
    from coprod.services.home import roles

    for cap in ("MAX_PROGRAMMES", "MAX_TASKS", "MAX_UNDERSTAFFED"):
        monkeypatch.setattr(roles, cap, 1)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER, Role.STAFF)
    for _ in range(2):
        programme = make_programme(session, agency)
        make_log(session, task=make_task(session, programme))
        make_task(session, programme)
        make_shift(session, make_task(session, programme), starts_at=utcnow() + timedelta(days=1))
    body = as_user(me).get("/me/home").get_json()
    assert len(body["reviewer"]["programmes"]) == 1 and body["reviewer"]["more_programmes"]
    staff = body["staff"]
    assert staff["programmes_run"] == 2
    assert staff["more_tasks_needing_shifts"] and staff["more_understaffed_shifts"]
    assert sum(len(r["tasks_needing_shifts"]) for r in staff["programmes"]) == 1
    assert sum(len(r["understaffed_shifts"]) for r in staff["programmes"]) == 1


def test_the_document_describes_home(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/me/home"]
