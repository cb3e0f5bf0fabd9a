"""Public pages are shared for a few seconds by visitors who are not signed in (coprod/cache.py);
anyone signed in, carrying a cookie or credentials always gets a fresh page."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from config import TestConfig
from coprod import create_app
from coprod.db import utcnow
from coprod.models import TaskStatus
from tests.conftest import login
from tests.factories import make_shift, make_task, make_user

SOON = utcnow() + timedelta(days=10)


@pytest.fixture
def cached_app(database_url, session):
    return create_app(
        TestConfig,
        DATABASE_URL=database_url,
        WTF_CSRF_ENABLED=False,
        CACHE_TYPE="SimpleCache",
        # Long enough for a few requests on a busy 2-core machine (the suite runs two workers
        # beside the browser tests' server), short enough to wait out once.
        CACHE_DEFAULT_TIMEOUT=3,
    )


@pytest.fixture
def task(session):
    task = make_task(session, title="Paint the library fence")
    make_shift(session, task, starts_at=SOON)
    return task


def rename(session, task, title):
    task.title = title
    session.flush()


def test_visitors_share_the_task_list_for_the_configured_seconds(cached_app, session, task):
    visitor = cached_app.test_client()
    first = visitor.get("/tasks")
    assert first.status_code == 200
    assert "Paint the library fence" in first.text
    assert first.headers.get("Set-Cookie") is None  # nothing per visitor on the page

    rename(session, task, "Repaint the library fence")
    again = visitor.get("/tasks")
    assert "Paint the library fence" in again.text  # the shared copy
    # The same security headers as a freshly rendered page.
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]

    time.sleep(3.1)
    assert "Repaint the library fence" in visitor.get("/tasks").text


def test_someone_signed_in_always_gets_a_fresh_page(cached_app, session, task):
    visitor = cached_app.test_client()
    assert visitor.get(f"/tasks/{task.id}").headers.get("Set-Cookie") is None
    rename(session, task, "Repaint the library fence")
    assert "Paint the library fence" in visitor.get(f"/tasks/{task.id}").text  # shared
    person = login(cached_app.test_client(), make_user(session))
    assert "Repaint the library fence" in person.get(f"/tasks/{task.id}").text


def test_a_visitor_carrying_any_cookie_gets_a_fresh_page(cached_app, session, task):
    cached_app.test_client().get("/tasks")
    rename(session, task, "Repaint the library fence")
    visitor = cached_app.test_client()
    visitor.set_cookie("cookie_consent", "yes")
    assert "Repaint the library fence" in visitor.get("/tasks").text


def test_each_query_string_is_its_own_page(cached_app, session, task):
    visitor = cached_app.test_client()
    assert "Paint the library fence" in visitor.get("/tasks?q=fence").text
    rename(session, task, "Paint the library gate")
    assert "Paint the library gate" in visitor.get("/tasks?q=gate").text
    assert "Paint the library fence" in visitor.get("/tasks?q=fence").text  # still shared


def test_only_successful_pages_are_shared(cached_app, session):
    draft = make_task(session, status=TaskStatus.DRAFT, title="Plant bulbs")
    make_shift(session, draft, starts_at=SOON)
    visitor = cached_app.test_client()
    assert visitor.get(f"/tasks/{draft.id}").status_code == 404
    draft.status = TaskStatus.OPEN
    session.flush()
    # Published a moment later: the visitor sees it at once, the 404 was not kept.
    assert visitor.get(f"/tasks/{draft.id}").status_code == 200


def test_the_api_task_list_is_shared_but_never_with_credentials(cached_app, session, task):
    visitor = cached_app.test_client()
    names = [t["title"] for t in visitor.get("/api/v1/tasks").get_json()["items"]]
    assert "Paint the library fence" in names
    rename(session, task, "Repaint the library fence")
    names = [t["title"] for t in visitor.get("/api/v1/tasks").get_json()["items"]]
    assert "Paint the library fence" in names
    # A token (here a wrong one) goes to the API itself, never to the shared copy.
    refused = visitor.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
