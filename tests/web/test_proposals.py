"""Proposals on the web: the programme's list, the form, a proposal's page with its support
buttons and the answer form, the author's own list, the home page and the task's credit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OutboxMessage, Proposal, ProposalStatus, Task, TaskStatus
from tests.conftest import NOW, login
from tests.factories import make_user
from tests.proposal_world import ProposalWorld, add_supports, make_proposal

S = ProposalStatus


@pytest.fixture
def w(session):
    return ProposalWorld(session)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_programme_page_links_to_its_proposals(client, session, w):
    page = _text(client.get(f"/programmes/{w.programme.id}"))
    assert f"/programmes/{w.programme.id}/proposals" in page
    assert f"/programmes/{w.closed.id}/proposals" not in _text(
        client.get(f"/programmes/{w.closed.id}")
    )


def test_a_visitor_reads_the_list_with_counts_and_an_invitation_to_sign_in(client, session, w):
    proposal = make_proposal(session, w.programme, w.author, title="Benches in the park")
    add_supports(session, proposal, w.neighbour, w.other_neighbour)
    page = _text(client.get(f"/programmes/{w.programme.id}/proposals"))
    assert "Benches in the park" in page and "2 supports" in page
    assert "Rosa Author" in page
    assert "Sign in" in page and "Propose a task" not in page
    assert w.neighbour.display_name not in page  # a count, never names


def test_the_list_has_an_empty_state_and_a_propose_button_for_people_signed_in(client, w):
    login(client, w.neighbour)
    page = _text(client.get(f"/programmes/{w.programme.id}/proposals"))
    assert "No proposals yet." in page
    assert f"/programmes/{w.programme.id}/proposals/new" in page


def test_the_list_searches_filters_and_sorts(client, session, w):
    make_proposal(session, w.programme, w.author, title="Park benches")
    earlier = NOW - timedelta(days=2)
    b = make_proposal(
        session, w.programme, w.author, title="Library hours", status=S.DECLINED, created_at=earlier
    )
    add_supports(session, b, w.neighbour)
    url = f"/programmes/{w.programme.id}/proposals"
    assert "Library" not in _text(client.get(url + "?q=PARK"))
    only = _text(client.get(url + "?status=declined"))
    assert "Library hours" in only and "Park benches" not in only
    supported = _text(client.get(url))
    assert supported.index("Library hours") < supported.index("Park benches")
    newest = _text(client.get(url + "?sort=newest"))
    assert newest.index("Park benches") < newest.index("Library hours")
    nothing = _text(client.get(url + "?q=zzz"))
    assert "No proposal matches these filters" in nothing


def test_wrong_filters_are_shown_beside_the_field_with_422(client, w):
    url = f"/programmes/{w.programme.id}/proposals"
    for query in ("?sort=random", "?status=maybe", "?q=" + "x" * 201):
        response = client.get(url + query)
        assert response.status_code == 422
        assert "usa-error-message" in _text(response)
    assert client.get(url + "?page=0").status_code == 200  # an old page link: the first window
    broken = client.get(url + "?after=garbage")
    assert broken.status_code == 422 and "no longer works" in _text(broken)


def test_a_resident_proposes_a_task_and_lands_on_its_page(client, session, w):
    login(client, w.author)
    form = client.get(f"/programmes/{w.programme.id}/proposals/new")
    assert form.status_code == 200 and 'name="what"' in _text(form)
    response = client.post(
        f"/programmes/{w.programme.id}/proposals/new",
        data={"title": "Clear the canal towpath", "what": "Pick litter.", "anonymous": "y"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = _text(response)
    assert "your proposal is published" in page
    assert "Clear the canal towpath" in page and "a resident" in page
    assert "This is your proposal" in page


def test_the_form_shows_each_wrong_field_and_keeps_what_was_typed(client, session, w):
    login(client, w.author)
    response = client.post(
        f"/programmes/{w.programme.id}/proposals/new",
        data={"title": "", "what": "Keep me", "location": "x" * 301},
    )
    assert response.status_code == 422
    page = _text(response)
    assert 'id="title-error"' in page and 'id="location-error"' in page
    assert "Keep me" in page
    assert session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_programme_without_proposals_sends_the_form_back_to_the_list(client, w):
    login(client, w.author)
    response = client.get(f"/programmes/{w.closed.id}/proposals/new", follow_redirects=True)
    assert "does not take proposals" in _text(response)
    posted = client.post(
        f"/programmes/{w.closed.id}/proposals/new", data={"title": "x", "what": "y"}
    )
    assert posted.status_code == 403


def test_the_form_needs_a_sign_in(client, w):
    response = client.get(f"/programmes/{w.programme.id}/proposals/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_supporting_and_withdrawing_from_the_proposal_page(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    login(client, w.neighbour)
    page = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Support this proposal" in page and "0 people support it" in page
    page = _text(client.post(f"/proposals/{proposal.id}/support", follow_redirects=True))
    assert "1 person supports it" in page and "Withdraw my support" in page
    again = client.post(f"/proposals/{proposal.id}/support", follow_redirects=True)
    assert again.status_code == 409 and "already support" in _text(again)
    page = _text(client.post(f"/proposals/{proposal.id}/support/withdraw", follow_redirects=True))
    assert "0 people support it" in page and "Support this proposal" in page


def test_the_author_sees_no_support_button_on_their_own_proposal(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    login(client, w.author)
    page = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Support this proposal" not in page and "This is your proposal" in page
    assert client.post(f"/proposals/{proposal.id}/support").status_code == 403


def test_only_lead_staff_see_the_answer_form(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    for who, shown in ((w.neighbour, False), (w.other_staff, False), (w.staff, True)):
        login(client, who)
        page = _text(client.get(f"/proposals/{proposal.id}"))
        assert ("Answer this proposal" in page) is shown
        assert ("co-coordinator" in page) is shown


def test_staff_accept_with_an_answer_and_the_page_links_the_draft_task(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    add_supports(session, proposal, w.neighbour)
    login(client, w.staff)
    response = client.post(
        f"/proposals/{proposal.id}/answer",
        data={"status": "accepted", "answer": "Great idea.", "add_coordinator": "y"},
        follow_redirects=True,
    )
    page = _text(response)
    assert "Great idea." in page and "Accepted" in page
    task = session.scalars(select(Task)).one()
    assert task.status == TaskStatus.DRAFT and task.co_coordinator_id == w.author.id
    assert f"/tasks/{task.id}" in page
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    # The task page credits the proposer and links back.
    task_page = _text(client.get(f"/tasks/{task.id}"))
    assert "Rosa Author" in task_page and f"/proposals/{proposal.id}" in task_page
    # A visitor sees the answer, but no link to the draft task.
    client.post("/logout")
    public = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Great idea." in public and f"/tasks/{task.id}" not in public


def test_an_answer_without_words_is_shown_beside_the_field(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    login(client, w.staff)
    response = client.post(
        f"/proposals/{proposal.id}/answer", data={"status": "declined", "answer": " "}
    )
    assert response.status_code == 422
    assert 'id="answer-error"' in _text(response)
    session.expire_all()
    assert proposal.status == S.OPEN


def test_others_cannot_answer(client, session, w):
    proposal = make_proposal(session, w.programme, w.author)
    login(client, w.neighbour)
    data = {"status": "declined", "answer": "No."}
    assert client.post(f"/proposals/{proposal.id}/answer", data=data).status_code == 403


def test_a_hidden_proposal_is_not_found_for_others_and_shows_its_reason_to_the_author(
    client, session, w
):
    hidden = make_proposal(session, w.programme, w.author, hidden_at=utcnow(), hidden_reason="Rude")
    login(client, w.neighbour)
    assert client.get(f"/proposals/{hidden.id}").status_code == 404
    assert "Clear the canal" not in _text(client.get(f"/programmes/{w.programme.id}/proposals"))
    login(client, w.author)
    assert "Rude" in _text(client.get(f"/proposals/{hidden.id}"))
    mine = _text(client.get("/my/proposals"))
    assert "Hidden by the organisers: Rude" in mine


def test_my_proposals_has_an_empty_state(client, w):
    login(client, w.neighbour)
    assert "You have not proposed a task yet" in _text(client.get("/my/proposals"))


def test_the_staff_home_page_lists_overdue_proposals(client, session, w):
    old = utcnow() - timedelta(days=40)
    proposal = make_proposal(session, w.programme, w.author, title="Old idea", created_at=old)
    login(client, w.staff)
    page = _text(client.get("/"))
    assert "1 proposal waiting too long for an answer" in page
    assert f"/proposals/{proposal.id}" in page
    login(client, w.other_staff)
    assert "waiting too long" not in _text(client.get("/"))


def test_the_home_page_links_to_my_proposals(client, w):
    login(client, w.author)
    assert "/my/proposals" in _text(client.get("/"))


def test_the_programme_form_has_the_proposals_setting(client, session, w):
    login(client, w.staff)
    form = _text(client.get(f"/programmes/{w.closed.id}/edit"))
    assert 'name="accepts_proposals"' in form


def test_the_list_and_a_proposal_page_send_as_many_statements_for_many_proposals(
    client, session, w, count_queries
):
    def counts() -> tuple[int, int]:
        login(client, w.neighbour)
        count_queries.count = 0
        client.get(f"/programmes/{w.programme.id}/proposals?per_page=5")
        listing = count_queries.count
        count_queries.count = 0
        client.get(f"/proposals/{first.id}")
        return listing, count_queries.count

    first = make_proposal(session, w.programme, w.author)
    for _ in range(5):
        add_supports(session, make_proposal(session, w.programme, w.neighbour), w.other_neighbour)
    few = counts()
    for _ in range(20):
        make_proposal(session, w.programme, make_user(session), anonymous=True)
    assert counts() == few
