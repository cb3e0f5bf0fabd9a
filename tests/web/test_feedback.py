"""Feedback on the web: the "How was it?" form on a task page for those who worked on it, what
volunteers said (no names) for everyone, every item with names for the organisers, and the
"Rate this task" link on My schedule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from config import Config
from coprod.db import utcnow
from coprod.models import Feedback, LogStatus, SignupStatus
from coprod.services.engagement import feedback
from tests.conftest import login
from tests.factories import ShiftWorld, make_log, make_signup, make_task, make_user


@pytest.fixture
def world(session):
    world = ShiftWorld(session, capacity=8, starts_at=utcnow() - timedelta(days=2))
    world.attendee = make_user(session, display_name="Ada Attendee")
    make_signup(session, world.shift, world.attendee, status=SignupStatus.ATTENDED)
    return world


def _given(session, world, person, *, rating, comment="", public=False):
    make_signup(session, world.shift, person, status=SignupStatus.ATTENDED)
    item = feedback.give_feedback(
        session, person, world.task, rating=rating, comment=comment, public=public, now=utcnow()
    )
    session.flush()
    return item


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_an_attendee_sees_the_form_and_rates_the_task(client, session, world) -> None:
    login(client, world.attendee)
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert "How was it?" in page
    assert '<legend class="usa-legend">How would you rate it?</legend>' in page
    assert page.count('type="radio" name="rating"') == 5
    assert 'id="public" type="checkbox" name="public" value="y" aria-describedby' in page
    assert 'name="public" value="y" aria-describedby="public-hint" checked' not in page
    response = client.post(
        f"/tasks/{world.task.id}/feedback",
        data={"rating": "4", "comment": "Well organised, warm tea.", "public": "y"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tasks/{world.task.id}")
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert "Your comment is shown without your name" in page  # the flash
    assert "You rated this task 4 out of 5 (Very good)." in page
    assert "How was it?" not in page
    item = session.scalars(select(Feedback)).one()
    assert (item.rating, item.public, item.shift_id) == (4, True, world.shift.id)


def test_a_person_who_did_not_work_on_the_task_sees_no_form_and_is_refused(
    client, session, world
) -> None:
    login(client, world.other_volunteer)
    assert "How was it?" not in _text(client.get(f"/tasks/{world.task.id}"))
    response = client.post(f"/tasks/{world.task.id}/feedback", data={"rating": "5"})
    assert response.status_code == 403
    assert "attended one of this task" in _text(response)
    assert session.scalars(select(Feedback)).all() == []


def test_someone_who_logged_hours_on_an_ongoing_task_can_rate_it(client, session, world) -> None:
    drain = make_task(session, world.programme, ongoing=True)
    person = make_user(session)
    make_log(session, user=person, task=drain, status=LogStatus.SUBMITTED)
    login(client, person)
    assert "How was it?" in _text(client.get(f"/tasks/{drain.id}"))
    response = client.post(f"/tasks/{drain.id}/feedback", data={"rating": "2"})
    assert response.status_code == 303


def test_a_form_without_a_rating_is_shown_again_with_the_error_and_the_comment(
    client, session, world
) -> None:
    login(client, world.attendee)
    response = client.post(
        f"/tasks/{world.task.id}/feedback", data={"comment": "Kept my words", "public": "y"}
    )
    assert response.status_code == 422
    page = _text(response)
    assert 'id="rating-error" role="alert">Choose a rating from 1 (poor) to 5' in page
    assert 'aria-describedby="rating-error"' in page
    assert ">Kept my words</textarea>" in page
    assert 'aria-describedby="public-hint" checked' in page
    assert session.scalars(select(Feedback)).all() == []


def test_a_second_feedback_goes_back_with_a_message(client, session, world) -> None:
    login(client, world.attendee)
    url = f"/tasks/{world.task.id}/feedback"
    assert client.post(url, data={"rating": "3"}).status_code == 303
    again = client.post(url, data={"rating": "1"}, headers={"Referer": f"/tasks/{world.task.id}"})
    assert again.status_code == 303
    assert "already given feedback" in _text(client.get(f"/tasks/{world.task.id}"))
    assert [f.rating for f in session.scalars(select(Feedback))] == [3]


def test_over_the_hourly_limit_the_comment_is_kept_and_a_rating_alone_goes_through(
    app, client, session, world, monkeypatch
) -> None:
    monkeypatch.setattr(Config, "FEEDBACK_PER_HOUR", 0)
    login(client, world.attendee)
    url = f"/tasks/{world.task.id}/feedback"
    response = client.post(url, data={"rating": "5", "comment": "Lovely"})
    assert response.status_code == 429
    assert "the most allowed" in _text(response)
    assert ">Lovely</textarea>" in _text(response)
    assert client.post(url, data={"rating": "5"}).status_code == 303


def test_a_visitor_sees_the_average_and_public_comments_but_no_names(
    client, session, world
) -> None:
    seen = make_user(session, display_name="Priya Public")
    hidden = make_user(session, display_name="Omar Organisers-only")
    _given(session, world, seen, rating=5, comment="Great morning by the river", public=True)
    _given(session, world, hidden, rating=2, comment="The van was late again", public=False)
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert "What volunteers said" in page
    assert "Average rating 3.5 out of 5, from 2 ratings." in page
    assert "Great morning by the river" in page
    assert "The van was late again" not in page
    assert "Priya Public" not in page and "Omar Organisers-only" not in page
    assert "Sign in to report this" in page
    assert "Read all feedback" not in page
    listing = _text(client.get(f"/tasks/{world.task.id}/feedback"))
    assert "Great morning by the river" in listing
    assert "Priya Public" not in listing and "The van was late again" not in listing


def test_a_signed_in_reader_gets_the_report_form_on_public_comments(client, session, world):
    _given(session, world, make_user(session), rating=4, comment="Nice", public=True)
    item = session.scalars(select(Feedback)).one()
    login(client, world.other_volunteer)
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert f'action="/feedback/{item.id}/flag"' in page
    assert f'id="flag-reason-feedback-{item.id}"' in page


def test_the_coordinator_reads_every_comment_with_names(client, session, world) -> None:
    _given(session, world, make_user(session, display_name="Priya Public"), rating=5,
           comment="Great morning", public=True)  # fmt: skip
    _given(session, world, make_user(session, display_name="Omar Private"), rating=2,
           comment="The van was late again", public=False)  # fmt: skip
    for organiser in (world.coordinator, world.lead_staff):
        login(client, organiser)
        page = _text(client.get(f"/tasks/{world.task.id}"))
        link = f'href="/tasks/{world.task.id}/feedback">Read all feedback (2)</a>'
        assert link in page
        listing = _text(client.get(f"/tasks/{world.task.id}/feedback"))
        assert "Omar Private" in listing and "The van was late again" in listing
        assert "Organisers only" in listing and "Everyone, without the name" in listing
        # newest first
        assert listing.index("Omar Private") < listing.index("Priya Public")
    login(client, world.other_coordinator)
    listing = _text(client.get(f"/tasks/{world.task.id}/feedback"))
    assert "Omar Private" not in listing and "Priya Public" not in listing


def test_the_organisers_list_has_an_empty_state_and_pages(client, session, world) -> None:
    login(client, world.coordinator)
    empty = _text(client.get(f"/tasks/{world.task.id}/feedback"))
    assert "No feedback yet." in empty
    for n in range(3):
        _given(session, world, make_user(session, display_name=f"Person {n}"), rating=3)
    login(client, world.coordinator)
    first = _text(client.get(f"/tasks/{world.task.id}/feedback?per_page=2"))
    assert "Person 2" in first and "Person 0" not in first
    cursor = re.search(r'href="[^"]*[?;&]after=([^"&]+)[^"]*"[^>]*rel="next"', first)
    assert cursor is not None, "a Next link"
    second = _text(
        client.get(f"/tasks/{world.task.id}/feedback?per_page=2&after={cursor.group(1)}")
    )
    assert "Person 0" in second and "Person 2" not in second and "First page" in second
    old_link = _text(client.get(f"/tasks/{world.task.id}/feedback?per_page=2&page=2"))
    assert "Person 2" in old_link  # an old page link shows the first window
    assert client.get(f"/tasks/{world.task.id}/feedback?after=forged").status_code == 422


def test_the_author_sees_the_reason_when_their_comment_was_hidden(client, session, world):
    item = _given(
        session, world, world.other_volunteer, rating=1, comment="Rude words", public=True
    )
    item.hidden_at = utcnow()
    item.hidden_reason = "Personal remarks about a volunteer"
    session.flush()
    login(client, world.other_volunteer)
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert "hid your comment" in page and "Personal remarks about a volunteer" in page
    client.post("/logout")
    visitor = _text(client.get(f"/tasks/{world.task.id}"))
    assert "Rude words" not in visitor
    assert "What volunteers said" not in visitor  # the only rating is hidden


def test_my_schedule_links_to_rating_tasks_attended_and_not_rated(client, session, world):
    login(client, world.attendee)
    page = _text(client.get("/my/schedule?past=1"))
    link = f'href="/tasks/{world.task.id}#feedback">Rate this task'
    assert link in page
    _given(session, world, make_user(session), rating=4)  # someone else's does not count
    assert link in _text(client.get("/my/schedule?past=1"))
    feedback.give_feedback(
        session, world.attendee, world.task, rating=4, comment="", public=False, now=utcnow()
    )
    session.flush()
    assert link not in _text(client.get("/my/schedule?past=1"))


def test_the_task_page_shows_at_most_three_comments_and_links_to_the_rest(
    client, session, world
) -> None:
    for n in range(4):
        _given(session, world, make_user(session), rating=4, comment=f"Comment {n}", public=True)
    page = _text(client.get(f"/tasks/{world.task.id}"))
    assert len(re.findall(r"Comment \d", page)) == 3
    assert "Read all 4 public comments" in page


ACTORS = ["anonymous", "other_volunteer", "attendee", "coordinator", "lead_staff"]
# (method, on a draft task?) -> expected status per actor in ACTORS order
EXPECTED = {
    ("get", False): [200, 200, 200, 200, 200],
    ("post", False): [302, 403, 303, 403, 403],
    ("get", True): [404, 404, 404, 200, 200],
    ("post", True): [302, 404, 404, 403, 403],
}


@pytest.mark.parametrize(("method", "draft"), list(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(client, session, world, actor, method, draft) -> None:
    if draft:
        world.task.status = world.task.status.DRAFT
        session.flush()
    if actor != "anonymous":
        login(client, getattr(world, actor))
    url = f"/tasks/{world.task.id}/feedback"
    response = client.get(url) if method == "get" else client.post(url, data={"rating": "4"})
    assert response.status_code == EXPECTED[(method, draft)][ACTORS.index(actor)]


def test_my_logs_links_to_rating_a_task_logged_and_not_rated(client, session, world) -> None:
    drain = make_task(session, world.programme, ongoing=True, title="Adopt a drain")
    person = make_user(session)
    make_log(session, user=person, task=drain, status=LogStatus.APPROVED)
    gone = make_task(session, world.programme, title="Withdrawn work")
    make_log(session, user=person, task=gone, status=LogStatus.WITHDRAWN)
    login(client, person)
    page = _text(client.get("/my/logs"))
    assert f'href="/tasks/{drain.id}#feedback">Rate this task' in page
    assert f'href="/tasks/{gone.id}#feedback"' not in page
    feedback.give_feedback(session, person, drain, rating=5, comment="", public=False, now=utcnow())
    session.flush()
    assert f'href="/tasks/{drain.id}#feedback"' not in _text(client.get("/my/logs"))
