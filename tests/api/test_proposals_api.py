"""Proposals over the API: list and create per programme, one proposal, support (201, 409
twice), withdraw (204, 409 when not supporting), the answer (lead staff; 422 without words)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import ProposalStatus, Task, TaskStatus
from tests.api.conftest import is_problem
from tests.factories import make_user
from tests.proposal_world import ProposalWorld, add_supports, make_proposal

S = ProposalStatus
KEYS = {"id", "programme_id", "title", "what", "location", "why", "contribution", "author",
        "status", "supports", "supporting", "answer", "answered_at", "task_id", "hidden",
        "created_at"}  # fmt: skip


@pytest.fixture
def w(session):
    return ProposalWorld(session)


def test_anyone_lists_a_programmes_proposals_with_counts_not_names(as_user, session, w):
    proposal = make_proposal(session, w.programme, w.author, anonymous=True)
    add_supports(session, proposal, w.neighbour)
    response = as_user(None).get(f"/programmes/{w.programme.id}/proposals")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["per_page"], body["next"]) == (20, None)
    [item] = body["items"]
    assert set(item) == KEYS
    assert (item["author"], item["supports"], item["supporting"]) == ("a resident", 1, False)
    assert item["status"] == "open" and item["hidden"] is False
    mine = as_user(w.neighbour).get(f"/programmes/{w.programme.id}/proposals").get_json()
    assert mine["items"][0]["supporting"] is True


def test_the_list_takes_q_sort_and_status(as_user, session, w):
    make_proposal(session, w.programme, w.author, title="Park benches")
    make_proposal(session, w.programme, w.author, title="Library", status=S.DECLINED)
    api = as_user(None)
    base = f"/programmes/{w.programme.id}/proposals"
    assert [i["title"] for i in api.get(base + "?q=park").get_json()["items"]] == ["Park benches"]
    declined = api.get(base + "?status=declined&sort=newest").get_json()["items"]
    assert [i["title"] for i in declined] == ["Library"]
    for bad in ("?sort=random", "?status=maybe", "?per_page=101", "?q=" + "x" * 201):
        assert is_problem(api.get(base + bad), 422), bad
    assert is_problem(api.get("/programmes/999999/proposals"), 404)


def test_a_confirmed_person_proposes_and_gets_201_with_a_location(as_user, session, w):
    response = as_user(w.author).post(
        f"/programmes/{w.programme.id}/proposals",
        json={"title": "Clear the canal towpath", "what": "Pick litter.", "location": "Canal"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/proposals/{body['id']}")
    assert (body["author"], body["status"], body["supports"]) == ("Rosa Author", "open", 0)


def test_proposing_refuses_visitors_closed_programmes_bad_fields_and_too_many(
    as_user, session, w, app
):
    url = f"/programmes/{w.programme.id}/proposals"
    good = {"title": "Idea", "what": "Do it."}
    assert is_problem(as_user(None).post(url, json=good), 401)
    closed = as_user(w.author).post(f"/programmes/{w.closed.id}/proposals", json=good)
    assert is_problem(closed, 403) and "does not take proposals" in closed.get_json()["detail"]
    bad = as_user(w.author).post(url, json={"title": "a\nb", "what": ""})
    assert is_problem(bad, 422) and {"title", "what"} <= set(bad.get_json()["errors"])
    unconfirmed = as_user(make_user(session, email_confirmed_at=None)).post(url, json=good)
    assert is_problem(unconfirmed, 403)
    api = as_user(w.neighbour)
    for _ in range(app.config["PROPOSALS_PER_DAY"]):
        assert api.post(url, json=good).status_code == 201
    assert is_problem(api.post(url, json=good), 429)


def test_one_proposal_and_a_hidden_one_only_for_its_author_with_the_reason(as_user, session, w):
    shown = make_proposal(session, w.programme, w.author)
    hidden = make_proposal(session, w.programme, w.author, hidden_at=utcnow(), hidden_reason="Rude")
    body = as_user(None).get(f"/proposals/{shown.id}").get_json()
    assert body["id"] == shown.id and "hidden_reason" not in body
    assert is_problem(as_user(w.neighbour).get(f"/proposals/{hidden.id}"), 404)
    own = as_user(w.author).get(f"/proposals/{hidden.id}").get_json()
    assert own["hidden"] is True and own["hidden_reason"] == "Rude"
    staff = as_user(w.staff).get(f"/proposals/{hidden.id}").get_json()
    assert staff["hidden_reason"] == "Rude"


def test_support_is_201_then_409_and_withdraw_is_204_then_409(as_user, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    api = as_user(w.neighbour)
    first = api.post(f"/proposals/{proposal.id}/support")
    assert first.status_code == 201
    assert (first.get_json()["supports"], first.get_json()["supporting"]) == (1, True)
    assert is_problem(api.post(f"/proposals/{proposal.id}/support"), 409)
    assert api.delete(f"/proposals/{proposal.id}/support").status_code == 204
    assert is_problem(api.delete(f"/proposals/{proposal.id}/support"), 409)
    assert api.get(f"/proposals/{proposal.id}").get_json()["supports"] == 0
    assert is_problem(as_user(None).post(f"/proposals/{proposal.id}/support"), 401)
    assert is_problem(as_user(w.author).post(f"/proposals/{proposal.id}/support"), 403)


def test_lead_staff_answer_and_accepting_makes_a_draft_task(as_user, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    url = f"/proposals/{proposal.id}/answer"
    body = {"status": "accepted", "answer": "Yes.", "add_coordinator": True}
    assert is_problem(as_user(w.neighbour).post(url, json=body), 403)
    assert is_problem(as_user(w.other_staff).post(url, json=body), 403)
    assert is_problem(as_user(w.staff).post(url, json={"status": "accepted"}), 422)
    assert is_problem(as_user(w.staff).post(url, json={**body, "answer": "  "}), 422)
    assert is_problem(as_user(w.staff).post(url, json={**body, "status": "open"}), 422)
    response = as_user(w.staff).post(url, json=body)
    assert response.status_code == 200
    out = response.get_json()
    assert (out["status"], out["answer"]) == ("accepted", "Yes.")
    task = session.scalars(select(Task)).one()
    assert out["task_id"] == task.id and task.status == TaskStatus.DRAFT
    assert task.co_coordinator_id == w.author.id
    assert is_problem(as_user(w.staff).post(url, json=body), 409)


def test_the_programme_object_carries_accepts_proposals_and_patch_changes_it(as_user, w):
    api = as_user(w.staff)
    assert api.get(f"/programmes/{w.closed.id}").get_json()["accepts_proposals"] is False
    response = api.patch(f"/programmes/{w.closed.id}", json={"accepts_proposals": True})
    assert response.status_code == 200 and response.get_json()["accepts_proposals"] is True
    renamed = api.patch(f"/programmes/{w.closed.id}", json={"name": "Renamed"})
    assert renamed.get_json()["accepts_proposals"] is True


def test_the_openapi_document_describes_the_proposal_operations(as_user):
    doc = as_user(None).get("/openapi.json").get_json()
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/programmes/{programme_id}/proposals"])
    assert {"post", "delete"} <= set(paths["/api/v1/proposals/{proposal_id}/support"])
    assert "post" in paths["/api/v1/proposals/{proposal_id}/answer"]
