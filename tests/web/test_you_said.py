""" "You said, we did": a visitor reads the agency's answers and what the accepted ideas achieved,
never a name; hidden proposals never appear, not even for staff."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coprod.models import LogStatus, ProposalStatus, Role, TaskStatus
from coprod.services.engagement import impact
from tests.conftest import NOW, login
from tests.factories import (
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_proposal,
    make_task,
    make_user,
)
from tests.services.test_impact import _outcome

ACCEPTED, DECLINED = ProposalStatus.ACCEPTED, ProposalStatus.DECLINED
PLANNED = ProposalStatus.ALREADY_PLANNED


def _url(programme) -> str:
    return f"/programmes/{programme.id}/you-said-we-did"


@pytest.fixture
def answered(session):
    """A programme with an accepted proposal (its open task has approved work, figures built),
    a declined one, an already planned one, a hidden accepted one and one still waiting."""
    agency = make_org(session, name="City Agency")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    metric = make_metric(session, programme, name="Path cleared", unit="metres")
    author = make_user(session, display_name="Priya Proposer")
    task = make_task(session, programme, title="Clear the canal towpath", status=TaskStatus.OPEN)
    volunteer = make_user(session, display_name="Vera Volunteer")
    log = make_log(session, user=volunteer, task=task, hours="3.5", status=LogStatus.APPROVED)
    _outcome(session, log, metric, "120")
    accepted = make_proposal(
        session, programme, status=ACCEPTED, task_id=task.id, author_id=author.id,
        title="Clear the canal towpath", answer="Yes: we will run it with volunteers.",
        answered_at=NOW - timedelta(days=3),
    )  # fmt: skip
    declined = make_proposal(
        session, programme, status=DECLINED, author_id=author.id, title="Build a marina",
        answer="Too costly for this year.", answered_at=NOW - timedelta(days=1),
    )  # fmt: skip
    planned = make_proposal(session, programme, status=PLANNED, title="Plant trees",
                            answered_at=NOW - timedelta(days=2))  # fmt: skip
    hidden = make_proposal(session, programme, status=ACCEPTED, title="Rude words here",
                           hidden_at=NOW, hidden_reason="Abuse")  # fmt: skip
    waiting = make_proposal(session, programme, title="Still waiting for an answer")
    impact.refresh_impact(session, now=NOW)
    session.flush()
    return {
        "programme": programme, "agency": agency, "accepted": accepted, "declined": declined,
        "planned": planned, "hidden": hidden, "waiting": waiting, "task": task,
    }  # fmt: skip


def test_a_visitor_sees_the_answers_and_figures_and_no_names(client, answered) -> None:
    response = client.get(_url(answered["programme"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Clear the canal towpath", "Yes: we will run it with volunteers.",
                 "Build a marina", "Too costly for this year.", "Plant trees",
                 "Accepted", "Declined", "Already planned"):  # fmt: skip
        assert text in page, text
    assert "3.5" in page and "Path cleared: 120 metres" in page
    assert "as of 13 June 2026" in page
    assert f'href="/tasks/{answered["task"].id}"' in page  # an open task: linked
    assert "Answered on 10 June 2026" in page
    # Newest answer first: declined (1 day ago), already planned (2), accepted (3).
    assert page.index("Build a marina") < page.index("Plant trees") < page.index("Clear the canal")
    for never in ("Priya Proposer", "Vera Volunteer", "Rude words here", "Still waiting"):
        assert never not in page, never


def test_hidden_proposals_are_absent_even_for_the_lead_staff(client, session, answered) -> None:
    staff = make_member(session, answered["agency"], Role.STAFF)
    login(client, staff)
    page = client.get(_url(answered["programme"])).get_data(as_text=True)
    assert "Clear the canal towpath" in page
    assert "Rude words here" not in page


def test_the_status_filter_shows_one_kind_of_answer(client, answered) -> None:
    page = client.get(_url(answered["programme"]), query_string={"status": "declined"}).text
    assert "Build a marina" in page
    assert "Plant trees" not in page and "Clear the canal" not in page
    none_yet = client.get(_url(answered["programme"]), query_string={"status": "accepted"})
    assert "Clear the canal" in none_yet.text


@pytest.mark.parametrize("bad", ["open", "under_review", "hidden", "<script>", "x" * 5000])
def test_a_status_that_is_not_an_answer_is_refused_beside_the_filter(client, answered, bad):
    response = client.get(_url(answered["programme"]), query_string={"status": bad})
    assert response.status_code == 422
    assert "Choose accepted, declined or already planned." in response.text
    assert "<script>" not in response.text


def test_figures_wait_for_the_next_report_run_and_drafts_are_not_linked(client, session):
    programme = make_programme(session)
    task = make_task(session, programme, title="Repair the fence", status=TaskStatus.DRAFT)
    make_proposal(session, programme, status=ACCEPTED, task_id=task.id, title="Fix the fence")
    page = client.get(_url(programme)).text
    assert "Figures appear after the next report run." in page
    assert "Repair the fence (being prepared)" in page
    assert f'href="/tasks/{task.id}"' not in page


def test_an_empty_programme_says_so(client, session) -> None:
    programme = make_programme(session)
    make_proposal(session, programme)  # waiting for an answer: not shown
    page = client.get(_url(programme)).text
    assert "No answers yet" in page


def test_the_answers_are_paginated(client, session) -> None:
    programme = make_programme(session)
    for n in range(12):
        make_proposal(session, programme, status=DECLINED, title=f"Idea number {n:02d}",
                      answered_at=NOW - timedelta(hours=n))  # fmt: skip
    first = client.get(_url(programme)).text
    assert "Idea number 00" in first and "Idea number 09" in first
    assert "Idea number 10" not in first
    second = client.get(_url(programme), query_string={"page": 2}).text
    assert "Idea number 10" in second and "Idea number 11" in second
    beyond = client.get(_url(programme), query_string={"page": 9}).text
    assert "There is no page 9" in beyond


def test_the_programme_page_links_to_it_and_unknown_programmes_are_404(client, session):
    programme = make_programme(session)
    assert _url(programme) in client.get(f"/programmes/{programme.id}").text
    assert client.get("/programmes/999999999/you-said-we-did").status_code == 404


def test_a_cancelled_task_is_named_but_not_linked(client, session) -> None:
    programme = make_programme(session)
    task = make_task(session, programme, title="Sweep the square", status=TaskStatus.CANCELLED)
    make_proposal(session, programme, status=ACCEPTED, task_id=task.id)
    page = client.get(_url(programme)).text
    assert "Sweep the square (cancelled)" in page
    assert f'href="/tasks/{task.id}"' not in page
