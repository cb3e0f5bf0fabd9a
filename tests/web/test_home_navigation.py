"""Navigation by role, in the demo world: every link a person is offered answers, and the
links follow what the person may do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod import policy
from coprod.demo import DOMAIN
from coprod.models import Programme, User
from tests.conftest import login
from tests.web.test_home import links

DEMO_ROLES = ["volunteer", "coordinator", "staff", "reviewer", "partner", "admin"]


@pytest.fixture
def demo(demo_world, session) -> dict[str, User]:
    """The demo people (the world built once per module: `demo_world`), read in the test's own
    session."""
    people = {}
    for role in DEMO_ROLES:
        people[role] = session.scalar(select(User).where(User.email == f"{role}@{DOMAIN}"))
    return people


def _answers_200(client, hrefs: list[str], who: str) -> None:
    for href in hrefs:
        if not href.startswith("/") or href.startswith("/static/"):
            continue
        status = client.get(href).status_code
        assert status == 200, f"{who}: {href} answered {status}"


@pytest.mark.parametrize("role", [None, *DEMO_ROLES])
def test_every_link_in_the_nav_home_and_programme_pages_answers_200(
    client, session, demo, role
) -> None:
    """Crawl as each demo role: the navigation, the home page and every programme page (all
    their links) offer only links the person can use."""
    who = role or "visitor"
    if role:
        login(client, demo[role])
    home = links(client.get("/").data)
    assert home.nav, "the page has a main navigation"
    _answers_200(client, home.all, who)
    for programme in session.scalars(select(Programme)):
        page = client.get(f"/programmes/{programme.id}")
        assert page.status_code == 200
        found = links(page.data)
        assert f"/programmes/{programme.id}/impact" in found.actions  # everyone, visitors too
        _answers_200(client, found.all, who)


def test_nonprofit_admins_see_no_review_and_no_create_a_programme(client, session, demo) -> None:
    login(client, demo["coordinator"])  # admin of Riverside Food Bank, a nonprofit
    home = links(client.get("/").data)
    assert "/review" not in home.nav
    assert b"Create a programme" not in client.get("/programmes").data
    login(client, demo["staff"])
    assert b"Create a programme" in client.get("/programmes").data
    assert "/review" in links(client.get("/").data).nav  # the agency's admin reviews


def test_reports_on_a_programme_only_for_those_who_may_read_them(client, session, demo) -> None:
    readable = [
        p
        for p in session.scalars(select(Programme).order_by(Programme.id))
        if policy.can(demo["partner"], "programme.view_reports", p)
    ]
    programme = readable[0]
    reports = f"/programmes/{programme.id}/reports"
    assert reports not in links(client.get(f"/programmes/{programme.id}").data).actions
    login(client, demo["volunteer"])
    assert reports not in links(client.get(f"/programmes/{programme.id}").data).actions
    login(client, demo["partner"])
    assert reports in links(client.get(f"/programmes/{programme.id}").data).actions
