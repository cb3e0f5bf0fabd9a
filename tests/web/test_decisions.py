"""Shared decisions on the web: the programme page's link, the list, opening one, a decision's
page with the vote form, voting and changing a vote, closing early after a confirmation, the
home page's block, and who may see or do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import Decision, DecisionOutcome, DecisionVote, Role
from coprod.services.governance import decisions as svc
from tests.conftest import login
from tests.decision_world import DecisionWorld
from tests.factories import add_role, make_decision, make_user


@pytest.fixture
def w(session):
    return DecisionWorld(session)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _decision(session, w, **kw):
    kw.setdefault("closes_at", utcnow() + timedelta(days=3))
    kw.setdefault("question", "Move the Saturday kitchen to 10:00?")
    return make_decision(session, w.programme, **kw)


def _vote(session, admin, org, decision, n=0, comment=""):
    return svc.vote(
        session,
        admin,
        decision,
        org,
        option_id=decision.options[n].id,
        comment=comment,
        now=utcnow(),
    )


def test_the_programme_page_links_to_decisions_with_the_open_count(client, session, w):
    _decision(session, w)
    _decision(session, w, closed_at=utcnow(), outcome=DecisionOutcome.NO_VOTES)
    login(client, w.member)
    page = _text(client.get(f"/programmes/{w.programme.id}"))
    assert "Decisions (1 open)" in page
    login(client, w.outsider)
    assert "Decisions (" not in _text(client.get(f"/programmes/{w.programme.id}"))


def test_lead_staff_open_a_decision_in_local_time(client, session, w):
    login(client, w.staff)
    page = _text(client.get(f"/programmes/{w.programme.id}/decisions"))
    assert "Open a decision" in page and "No decisions yet." in page
    day = (utcnow() + timedelta(days=5)).date()
    response = client.post(
        f"/programmes/{w.programme.id}/decisions/new",
        data={
            "question": "Move the Saturday kitchen to 10:00?",
            "details": "The hall is free.",
            "options": "Yes\nNo\n\n",
            "closes_on": day.isoformat(),
            "closes_at": "17:00",
        },
    )
    assert response.status_code == 303
    decision = session.scalar(select(Decision).where(Decision.programme_id == w.programme.id))
    assert [o.label for o in decision.options] == ["Yes", "No"]
    page = _text(client.get(response.headers["Location"]))
    assert "17:00" in page and "Europe/London" in page and "Close this decision now" in page


def test_a_bad_decision_is_shown_again_with_messages_beside_the_fields(client, session, w):
    login(client, w.staff)
    response = client.post(
        f"/programmes/{w.programme.id}/decisions/new",
        data={
            "question": "",
            "options": "Yes\nyes",
            "closes_on": "2020-01-01",
            "closes_at": "10:00",
        },
    )
    page = _text(response)
    assert response.status_code == 422
    assert "Enter the question." in page
    assert "is given twice" in page
    assert "must be in the future" in page
    assert session.scalar(select(func.count()).select_from(Decision)) == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("admin0", 403), ("outsider", 404), ("nobody", 404)],
)
def test_only_lead_staff_reach_the_new_decision_form(client, session, w, who, status):
    person = {
        "member": w.member,
        "admin0": w.admins[0],
        "outsider": w.outsider,
        "nobody": make_user(session),
    }[who]
    login(client, person)
    assert client.get(f"/programmes/{w.programme.id}/decisions/new").status_code == status


@pytest.mark.parametrize("who", ["member", "staff", "admin0", "lead_admin"])
def test_the_partnership_reads_decisions(client, session, w, who):
    decision = _decision(session, w)
    person = w.admins[0] if who == "admin0" else getattr(w, who)
    login(client, person)
    assert client.get(f"/programmes/{w.programme.id}/decisions").status_code == 200
    page = _text(client.get(f"/decisions/{decision.id}"))
    assert decision.question in page
    assert ("Record our vote" in page) == (who in ("admin0", "lead_admin"))


@pytest.mark.parametrize("who", ["outsider", "nobody", "visitor"])
def test_outsiders_are_told_decisions_do_not_exist(client, session, w, who):
    decision = _decision(session, w)
    if who != "visitor":
        login(client, w.outsider if who == "outsider" else make_user(session))
        expected = 404
    else:
        expected = 302  # the login gate
    assert client.get(f"/decisions/{decision.id}").status_code == expected
    assert client.get(f"/programmes/{w.programme.id}/decisions").status_code == expected


def test_an_admin_votes_with_a_comment_and_changes_the_vote(client, session, w):
    decision = _decision(session, w)
    login(client, w.admins[0])
    url = f"/decisions/{decision.id}/vote"
    yes, no = (o.id for o in decision.options)
    response = client.post(url, data={"option_id": str(yes), "comment": "We can staff it."})
    assert response.status_code == 303
    page = _text(client.get(f"/decisions/{decision.id}"))
    assert "We can staff it." in page and "1 of 4 organisations voted" in page
    assert "Not voted:" in page
    client.post(url, data={"option_id": str(no), "comment": "Changed our mind."})
    votes = session.scalars(select(DecisionVote).where(DecisionVote.decision_id == decision.id))
    assert [(v.option_id, v.comment) for v in votes] == [(no, "Changed our mind.")]


def test_a_vote_without_an_option_is_refused_beside_the_options(client, session, w):
    decision = _decision(session, w)
    login(client, w.admins[0])
    response = client.post(f"/decisions/{decision.id}/vote", data={"comment": "Hmm"})
    assert response.status_code == 422
    assert "No such option" in _text(response)


@pytest.mark.parametrize("who", ["member", "staff"])
def test_people_who_are_not_admins_cannot_vote(client, session, w, who):
    decision = _decision(session, w)
    login(client, getattr(w, who))
    response = client.post(
        f"/decisions/{decision.id}/vote", data={"option_id": str(decision.options[0].id)}
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(DecisionVote)) == 0


def test_an_admin_of_two_voting_organisations_chooses_which(client, session, w):
    decision = _decision(session, w)
    add_role(session, w.admins[0], w.partners[1], Role.ADMIN)
    login(client, w.admins[0])
    page = _text(client.get(f"/decisions/{decision.id}"))
    assert "You are an admin of several organisations" in page
    client.post(
        f"/decisions/{decision.id}/vote",
        data={"organisation_id": str(w.partners[1].id), "option_id": str(decision.options[0].id)},
    )
    vote = session.scalar(select(DecisionVote))
    assert vote.organisation_id == w.partners[1].id


def test_lead_staff_close_early_after_confirming_and_the_result_shows(client, session, w):
    decision = _decision(session, w)
    for org, admin in w.voters()[:3]:
        _vote(session, admin, org, decision, 0, "Fine by us")
    login(client, w.staff)
    page = _text(client.get(f"/decisions/{decision.id}/close"))
    assert "Yes, close it now" in page and "3 of 4 organisations voted" in page
    assert client.post(f"/decisions/{decision.id}/close").status_code == 303
    session.refresh(decision)
    assert decision.outcome == DecisionOutcome.CARRIED
    page = _text(client.get(f"/decisions/{decision.id}"))
    assert "Carried: “Yes”." in page and "Did not vote:" in page
    assert "Record our vote" not in page
    again = client.post(f"/decisions/{decision.id}/close", follow_redirects=True)
    assert "already closed" in _text(again)


def test_partners_cannot_close(client, session, w):
    decision = _decision(session, w)
    login(client, w.admins[0])
    assert client.get(f"/decisions/{decision.id}/close").status_code == 403
    assert client.post(f"/decisions/{decision.id}/close").status_code == 403
    login(client, w.outsider)
    assert client.post(f"/decisions/{decision.id}/close").status_code == 404


def test_the_list_puts_open_decisions_first_and_pages(client, session, w):
    closed = _decision(session, w, question="Old?", closed_at=utcnow(), outcome="no_votes")
    fresh = _decision(session, w, question="New?")
    login(client, w.member)
    page = _text(client.get(f"/programmes/{w.programme.id}/decisions"))
    assert page.index(fresh.question) < page.index(closed.question)
    assert "Open a decision" not in page
    past = client.get(f"/programmes/{w.programme.id}/decisions?page=9")
    assert "There is no page 9" in _text(past)


def test_the_home_page_lists_decisions_waiting_for_my_organisations_vote(client, session, w):
    decision = _decision(session, w)
    login(client, w.admins[0])
    page = _text(client.get("/"))
    assert "Decisions waiting for your organisation's vote" in page
    assert decision.question in page
    _vote(session, w.admins[0], w.partners[0], decision)
    assert "Decisions waiting for your organisation" not in _text(client.get("/"))
    login(client, w.member)
    assert "Decisions waiting for your organisation" not in _text(client.get("/"))


def test_the_home_block_sends_as_many_statements_for_many_decisions(
    client, session, w, count_queries
):
    _decision(session, w)
    login(client, w.admins[0])
    client.get("/")
    count_queries.count = 0
    client.get("/")
    one = count_queries.count
    for _ in range(6):
        _decision(session, w)
    count_queries.count = 0
    client.get("/")
    assert count_queries.count == one
