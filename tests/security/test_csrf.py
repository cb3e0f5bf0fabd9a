"""CSRF: every state-changing form endpoint refuses a POST without the token, changing nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func

from config import TestConfig
from coprod import create_app
from tests.security.conftest import login_as, row_counts, same_database_url

# Every test runs in the demo world, built once for the module (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_world")


@pytest.fixture(scope="module")
def csrf_app(engine) -> Flask:
    return create_app(TestConfig, DATABASE_URL=same_database_url(), WTF_CSRF_ENABLED=True)


def _post_rules(app: Flask) -> list[tuple[str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule.startswith("/api/"):
            continue
        values = {arg: 1 for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            rules.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return rules


def test_every_post_endpoint_without_a_token_is_refused_and_changes_nothing(
    csrf_app, session, demo
) -> None:
    client = csrf_app.test_client()
    login_as(client, demo["admin"])
    before = row_counts(session)
    rules = _post_rules(csrf_app)
    assert len(rules) >= 20
    refused = {}
    for endpoint, url in rules:
        response = client.post(url, data={"email": "x@example.org", "name": "x", "comment": "x"})
        refused[endpoint] = response.status_code
        assert b"Form expired" in response.data or response.status_code != 400
    assert {e: s for e, s in refused.items() if s != 400} == {}
    assert row_counts(session) == before


def test_a_post_with_the_token_from_the_form_is_accepted(csrf_app, session) -> None:
    """The check above is not blind: the same app accepts the token its own form carries."""
    client = csrf_app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "display_name": "Token Holder",
            "email": "token.holder@example.org",
            "password": "a fine long passphrase",
        },
    )
    assert response.status_code == 303


def test_the_feedback_form_carries_a_token_and_is_refused_without_it(csrf_app, session, demo):
    """Feedback is among the POST endpoints above; its form on the task page has the token."""
    from sqlalchemy import select

    from coprod.models import Feedback, Task

    assert "feedback.give" in {e for e, _url in _post_rules(csrf_app)}
    kitchen = session.scalars(select(Task).where(Task.title == "Saturday community kitchen")).one()
    client = csrf_app.test_client()
    login_as(client, demo["volunteer"])
    page = client.get(f"/tasks/{kitchen.id}").get_data(as_text=True)
    form = page.split(f'action="/tasks/{kitchen.id}/feedback"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form
    before = session.scalar(select(func.count()).select_from(Feedback))
    response = client.post(f"/tasks/{kitchen.id}/feedback", data={"rating": "5"})
    assert response.status_code == 400 and b"Form expired" in response.data
    token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    ok = client.post(f"/tasks/{kitchen.id}/feedback", data={"rating": "5", "csrf_token": token})
    assert ok.status_code == 303
    assert session.scalar(select(func.count()).select_from(Feedback)) == before + 1
