"""Moderation over the API: report (201, 409 twice, 429 past the limit), hide (lead staff;
422 without a reason, 409 twice), restore, dismiss and the queue, as problem+json on refusal;
and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import Config
from coprod.models import AuditEntry, Role
from tests.api.conftest import is_problem
from tests.factories import (
    ShiftWorld,
    make_flaggable_proposal,
    make_member,
    make_public_feedback,
    make_user,
)


@pytest.fixture
def world(session):
    w = ShiftWorld(session)
    w.author = make_user(session, display_name="Pat Proposer")
    w.proposal = make_flaggable_proposal(session, w.programme, w.author, title="Towpath")
    w.comment = make_public_feedback(session, w.task, w.volunteer, comment="Rubbish")
    w.reviewer = make_member(session, w.agency, Role.REVIEWER)
    return w


def test_reporting_answers_201_then_409_for_the_same_person(as_user, world):
    api = as_user(world.other_volunteer)
    resp = api.post(f"/proposals/{world.proposal.id}/flag", {"reason": "Spam\nhere"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["proposal_id"] == world.proposal.id and body["feedback_id"] is None
    assert body["reason"] == "Spam here" and body["programme_id"] == world.programme.id
    again = api.post(f"/proposals/{world.proposal.id}/flag", {})
    assert is_problem(again, 409)
    assert "already reported" in again.get_json()["detail"]
    comment = api.post(f"/feedback/{world.comment.id}/flag", {})
    assert comment.status_code == 201 and comment.get_json()["reason"] == ""


def test_reporting_past_the_hourly_limit_is_429(as_user, world, session, app, monkeypatch):
    monkeypatch.setattr(Config, "FLAGS_PER_HOUR", 1)
    api = as_user(world.other_volunteer)
    assert api.post(f"/proposals/{world.proposal.id}/flag", {}).status_code == 201
    resp = api.post(f"/feedback/{world.comment.id}/flag", {"reason": "x"})
    assert is_problem(resp, 429)
    assert "at most 1 item an hour" in resp.get_json()["detail"]


@pytest.mark.parametrize("reason", ["x" * 501, "esc\x1bape", 42])
def test_a_bad_report_reason_is_422_by_field(as_user, world, reason):
    resp = as_user(world.other_volunteer).post(
        f"/proposals/{world.proposal.id}/flag", {"reason": reason}
    )
    assert is_problem(resp, 422) and "reason" in resp.get_json()["errors"]


def test_staff_hide_with_a_reason_once_then_restore(as_user, world, session):
    staff = as_user(world.lead_staff)
    url = f"/proposals/{world.proposal.id}"
    for body in ({}, {"reason": ""}, {"reason": " \n "}):
        resp = staff.post(url + "/hide", body)
        assert is_problem(resp, 422) and "reason" in resp.get_json()["errors"], body
    resp = staff.post(url + "/hide", {"reason": "Advertising"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["type"] == "proposal" and body["hidden"] is True
    assert body["hidden_reason"] == "Advertising" and body["hidden_by_id"] == world.lead_staff.id
    assert is_problem(staff.post(url + "/hide", {"reason": "Again"}), 409)
    # A visitor's token no longer finds it; its author still does (and reads the reason).
    assert is_problem(as_user(world.other_volunteer).post(url + "/flag", {}), 404)
    restored = staff.post(url + "/restore")
    assert restored.status_code == 200 and restored.get_json()["hidden"] is False
    assert is_problem(staff.post(url + "/restore"), 409)
    actions = list(
        session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == world.proposal.id))
    )
    assert actions.count("proposal.hidden") == 1 and actions.count("proposal.restored") == 1


def test_hiding_a_comment_and_dismissing_reports(as_user, world):
    as_user(world.other_volunteer).post(f"/feedback/{world.comment.id}/flag", {"reason": "Rude"})
    staff = as_user(world.lead_staff)
    queue = staff.get(f"/programmes/{world.programme.id}/flags").get_json()
    assert queue["next"] is None
    (item,) = queue["items"]
    assert item["type"] == "feedback" and item["id"] == world.comment.id
    assert item["text"] == "Rubbish" and item["reasons"] == ["Rude"] and item["open_flags"] == 1
    assert item["author_id"] == world.volunteer.id and item["task_id"] == world.task.id
    dismissed = staff.post(f"/feedback/{world.comment.id}/dismiss-flags")
    assert dismissed.get_json() == {"type": "feedback", "id": world.comment.id, "dismissed": 1}
    assert staff.get(f"/programmes/{world.programme.id}/flags").get_json()["items"] == []
    hidden = staff.post(f"/feedback/{world.comment.id}/hide", {"reason": "Insult"})
    assert hidden.status_code == 200 and hidden.get_json()["type"] == "feedback"
    listed = staff.get(f"/programmes/{world.programme.id}/flags?show=hidden").get_json()
    assert [(i["type"], i["hidden_reason"]) for i in listed["items"]] == [("feedback", "Insult")]
    assert is_problem(staff.get(f"/programmes/{world.programme.id}/flags?show=x"), 422)


ROLES = ["anonymous", "volunteer", "author", "coordinator", "reviewer", "lead_staff"]
# operation: (method, path, body, expected per role in ROLES order)
MATRIX = {
    "flag proposal": ("post", "/proposals/{proposal}/flag", {}, [401, 201, 201, 201, 201, 201]),
    "flag comment": ("post", "/feedback/{comment}/flag", {}, [401, 201, 201, 201, 201, 201]),
    "hide proposal": ("post", "/proposals/{proposal}/hide", {"reason": "x"},
                      [401, 403, 403, 403, 403, 200]),
    "hide comment": ("post", "/feedback/{comment}/hide", {"reason": "x"},
                     [401, 403, 403, 403, 403, 200]),
    "restore proposal": ("post", "/proposals/{proposal}/restore", None,
                         [401, 403, 403, 403, 403, 409]),
    "dismiss reports": ("post", "/proposals/{proposal}/dismiss-flags", None,
                        [401, 403, 403, 403, 403, 200]),
    "read the queue": ("get", "/programmes/{programme}/flags", None,
                       [401, 403, 403, 403, 403, 200]),
}  # fmt: skip
CASES = [
    pytest.param(op, role, expected[i], id=f"{op}-{role}")
    for op, (_m, _p, _b, expected) in MATRIX.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("operation", "role", "expected"), CASES)
def test_each_role_gets_exactly_its_moderation_permissions(
    as_user, world, operation, role, expected
):
    method, template, body, _ = MATRIX[operation]
    api = as_user(None if role == "anonymous" else getattr(world, role))
    path = template.format(
        proposal=world.proposal.id, comment=world.comment.id, programme=world.programme.id
    )
    resp = api.call(method.upper(), path, json=body)
    assert resp.status_code == expected, resp.get_json()


def test_the_openapi_document_describes_the_moderation_operations(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/proposals/{proposal_id}/flag",
        "/api/v1/feedback/{feedback_id}/flag",
        "/api/v1/proposals/{proposal_id}/hide",
        "/api/v1/feedback/{feedback_id}/hide",
        "/api/v1/proposals/{proposal_id}/restore",
        "/api/v1/programmes/{programme_id}/flags",
    ):
        assert path in doc["paths"], path
    flag = doc["paths"]["/api/v1/proposals/{proposal_id}/flag"]["post"]
    assert {"201", "409", "429"} <= set(flag["responses"])
