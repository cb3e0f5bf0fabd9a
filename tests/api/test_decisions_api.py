"""Decisions over the API: list and open per programme (lead staff), one decision with its
counts and ballots, votes by an organisation's admin (organisation_id only when they are an
admin of several), problem+json for every refusal."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import Decision, DecisionVote, Role
from tests.api.conftest import is_problem
from tests.decision_world import DecisionWorld
from tests.factories import add_role, make_decision, make_user

KEYS = {"id", "programme_id", "question", "details", "rule", "status", "opened_at", "closes_at",
        "closed_at", "timezone", "outcome", "chosen_option_id", "options", "ballots",
        "organisations_voted", "organisations_entitled"}  # fmt: skip


@pytest.fixture
def w(session):
    return DecisionWorld(session)


def _decision(session, w, **kw):
    kw.setdefault("closes_at", utcnow() + timedelta(days=3))
    return make_decision(session, w.programme, **kw)


def _body(**kw):
    body = {
        "question": "Move the Saturday kitchen to 10:00?",
        "options": ["Yes", "No"],
        "closes_at": (utcnow() + timedelta(days=4)).astimezone(UTC).isoformat(),
    }
    body.update(kw)
    return body


def test_lead_staff_open_a_decision(as_user, session, w):
    response = as_user(w.staff).post(f"/programmes/{w.programme.id}/decisions", _body())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == KEYS
    assert response.headers["Location"].endswith(f"/api/v1/decisions/{body['id']}")
    assert body["status"] == "open" and body["rule"] == "majority"
    assert body["timezone"] == "Europe/London"
    assert [o["label"] for o in body["options"]] == ["Yes", "No"]
    assert body["organisations_entitled"] == 4 and body["organisations_voted"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"options": ["Yes", "YES"]}, "options"),
        ({"options": ["Only"]}, "options"),
        ({"closes_at": "2020-01-01T10:00:00Z"}, "closes_at"),
        ({"question": ""}, "question"),
    ],
)
def test_bad_decisions_are_422_and_change_nothing(as_user, session, w, changes, field):
    response = as_user(w.staff).post(f"/programmes/{w.programme.id}/decisions", _body(**changes))
    assert is_problem(response, 422)
    assert field in response.get_json()["errors"]
    assert session.scalar(select(func.count()).select_from(Decision)) == 0


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("admin0", 403), ("outsider", 404)])
def test_only_lead_staff_open_decisions(as_user, session, w, who, status):
    person = {"member": w.member, "admin0": w.admins[0], "outsider": w.outsider}[who]
    response = as_user(person).post(f"/programmes/{w.programme.id}/decisions", _body())
    assert is_problem(response, status)


def test_the_partnership_lists_and_reads_decisions_and_others_get_404(as_user, session, w):
    decision = _decision(session, w)
    body = as_user(w.member).get(f"/programmes/{w.programme.id}/decisions").get_json()
    assert (body["total"], body["items"][0]["id"]) == (1, decision.id)
    assert as_user(w.member).get(f"/decisions/{decision.id}").status_code == 200
    for person in (w.outsider, make_user(session)):
        assert is_problem(as_user(person).get(f"/decisions/{decision.id}"), 404)
        assert is_problem(as_user(person).get(f"/programmes/{w.programme.id}/decisions"), 404)
    assert is_problem(as_user(None).get(f"/decisions/{decision.id}"), 401)


def test_an_admin_votes_and_changes_the_vote(as_user, session, w):
    decision = _decision(session, w)
    yes, no = (o.id for o in decision.options)
    api = as_user(w.admins[0])
    response = api.post(f"/decisions/{decision.id}/votes", {"option_id": yes, "comment": "Yes"})
    assert response.status_code == 200
    body = response.get_json()
    ballot = next(b for b in body["ballots"] if b["organisation_id"] == w.partners[0].id)
    assert (ballot["option_id"], ballot["comment"]) == (yes, "Yes")
    assert body["options"][0]["votes"] == 1 and body["organisations_voted"] == 1
    api.post(f"/decisions/{decision.id}/votes", {"option_id": no, "comment": "No after all"})
    votes = session.scalars(select(DecisionVote)).all()
    assert [(v.option_id, v.comment) for v in votes] == [(no, "No after all")]


def test_an_admin_of_several_names_the_organisation(as_user, session, w):
    decision = _decision(session, w)
    add_role(session, w.admins[0], w.partners[1], Role.ADMIN)
    api = as_user(w.admins[0])
    option = decision.options[0].id
    response = api.post(f"/decisions/{decision.id}/votes", {"option_id": option})
    assert is_problem(response, 422) and "organisation_id" in response.get_json()["errors"]
    response = api.post(
        f"/decisions/{decision.id}/votes",
        {"option_id": option, "organisation_id": w.partners[1].id},
    )
    assert response.status_code == 200
    assert session.scalar(select(DecisionVote.organisation_id)) == w.partners[1].id


@pytest.mark.parametrize("who", ["member", "staff", "other_admin"])
def test_only_the_organisations_admins_vote_for_it(as_user, session, w, who):
    decision = _decision(session, w)
    person = w.admins[1] if who == "other_admin" else getattr(w, who)
    body = {"option_id": decision.options[0].id, "organisation_id": w.partners[0].id}
    assert is_problem(as_user(person).post(f"/decisions/{decision.id}/votes", body), 403)


def test_votes_on_a_closed_decision_are_409_and_foreign_options_422(as_user, session, w):
    decision = _decision(session, w)
    other = _decision(session, w)
    api = as_user(w.admins[0])
    response = api.post(f"/decisions/{decision.id}/votes", {"option_id": other.options[0].id})
    assert is_problem(response, 422) and "option_id" in response.get_json()["errors"]
    decision.closed_at = utcnow()
    session.flush()
    response = api.post(f"/decisions/{decision.id}/votes", {"option_id": decision.options[0].id})
    assert is_problem(response, 409)
    assert session.scalar(select(func.count()).select_from(DecisionVote)) == 0


def test_the_openapi_document_describes_the_decision_operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/programmes/{programme_id}/decisions"])
    assert "get" in paths["/api/v1/decisions/{decision_id}"]
    assert "post" in paths["/api/v1/decisions/{decision_id}/votes"]


def test_the_list_sends_as_many_statements_for_more_decisions(as_user, session, w, count_queries):
    api = as_user(w.member)
    _decision(session, w)
    path = f"/programmes/{w.programme.id}/decisions"
    api.get(path)
    count_queries.count = 0
    api.get(path)
    one = count_queries.count
    for _ in range(5):
        _decision(session, w)
    count_queries.count = 0
    assert len(api.get(path).get_json()["items"]) == 6
    assert count_queries.count == one
