"""The home page per person, the navigation's markup, the organisation page's work, and the
flash message after a redirect (navigation by role: test_home_navigation.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from coprod.db import utcnow
from coprod.models import OrgKind, Role
from tests.conftest import login
from tests.factories import (
    make_log,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)


class Links(HTMLParser):
    """The hrefs inside the main navigation, and inside .cp-actions blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.nav: list[str] = []
        self.actions: list[str] = []
        self.all: list[str] = []
        self._in_nav = 0
        self._in_actions = 0
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and a.get("aria-label") == "Main":
            self._in_nav = 1
        if tag == "div" and "cp-actions" in (a.get("class") or "").split():
            self._in_actions = 1
            self._depth = 0
        elif tag == "div" and self._in_actions:
            self._depth += 1
        if tag == "a" and a.get("href"):
            href = a["href"] or ""
            self.all.append(href)
            if self._in_nav:
                self.nav.append(href)
            if self._in_actions:
                self.actions.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = 0
        if tag == "div" and self._in_actions:
            if self._depth:
                self._depth -= 1
            else:
                self._in_actions = 0


def links(html: bytes) -> Links:
    parser = Links()
    parser.feed(html.decode())
    return parser


# --- the home page ------------------------------------------------------------------------


def test_visitors_keep_the_public_home_page(client, session) -> None:
    body = client.get("/").data
    assert b"Deliver public services together" in body
    assert b"What needs you" not in body


def test_a_volunteer_home_lists_next_shift_hours_and_a_log_to_fix(client, session) -> None:
    me = make_user(session, display_name="Vera Volunteer")
    task = make_task(session, title="Sort the food parcels")
    make_signup(session, make_shift(session, task, starts_at=utcnow() + timedelta(days=2)), me)
    make_log(session, user=me, task=task, status="approved", hours="2.5", on=utcnow().date())
    back = make_log(session, user=me, task=task, status="changes_requested", hours="1")
    body = login(client, me).get("/").data.decode()
    assert "Hello, Vera Volunteer" in body
    assert "Sort the food parcels" in body
    assert "2.5 h in" in body
    assert f'href="/logs/{back.id}/resubmit"' in body
    # Roles this person does not hold get no section at all.
    assert "Shifts you coordinate" not in body and "Logs to review" not in body
    assert "Your programmes" not in body


def test_empty_sections_say_so(client, session) -> None:
    body = login(client, make_user(session)).get("/").data.decode()
    assert "No upcoming shifts." in body
    assert "No hours approved this year yet." in body
    assert "no log of yours is waiting for review or sent back" in body


def test_a_coordinator_home_links_straight_to_the_roster(client, session) -> None:
    charity = make_org(session, OrgKind.NONPROFIT)
    me = make_member(session, charity, Role.COORDINATOR)
    task = make_task(session, coordinating_organisation_id=charity.id, title="Pack boxes")
    short = make_shift(session, task, starts_at=utcnow() + timedelta(days=1), capacity=4)
    past = make_shift(session, task, starts_at=utcnow() - timedelta(days=2))
    make_signup(session, past)
    body = login(client, me).get("/").data.decode()
    assert f'href="/shifts/{short.id}/roster"' in body
    assert f'href="/shifts/{past.id}/roster"' in body
    assert "4 short" in body and "1 to mark" in body


def test_a_reviewer_home_links_to_the_queue_filtered_by_programme(client, session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER)
    programme = make_programme(session, agency, name="Clean rivers")
    make_log(session, task=make_task(session, programme))
    body = login(client, me).get("/").data.decode()
    assert f'href="/review?programme={programme.id}"' in body
    assert "1 log waiting" in body
    queue = client.get(f"/review?programme={programme.id}")
    assert queue.status_code == 200


def test_a_reviewer_home_says_more_than_the_cap_when_more_logs_wait(
    client, session, monkeypatch
) -> None:
    from coprod.services.home import roles

    monkeypatch.setattr(roles, "WAITING_CAP", 2)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER)
    task = make_task(session, make_programme(session, agency))
    for _ in range(3):
        make_log(session, task=task)
    body = login(client, me).get("/").data.decode()
    assert "More than 2 logs waiting" in body


def test_capped_home_lists_say_that_more_wait_and_where(client, session, monkeypatch) -> None:
    """A reviewer or staff person with more than the home lists hold is told so: the review
    queue has every programme, each programme's page all its tasks."""
    from coprod.services.home import roles

    for cap in ("MAX_PROGRAMMES", "MAX_TASKS", "MAX_UNDERSTAFFED"):
        monkeypatch.setattr(roles, cap, 1)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER, Role.STAFF)
    for name in ("Parks", "Rivers"):
        programme = make_programme(session, agency, name=name)
        make_log(session, task=make_task(session, programme))
        make_task(session, programme)  # no shifts at all
        make_shift(session, make_task(session, programme), starts_at=utcnow() + timedelta(days=1))
    body = login(client, me).get("/").data.decode()
    assert "Logs are waiting in more programmes than these 1." in body
    assert 'href="/review">Open the review queue</a> to see them all.' in body
    assert "Only the first 1 open tasks with no upcoming shift are listed here" in body
    assert "Only the 1 soonest shifts short of people this week are listed here." in body
    assert body.count("cp-home-item--short") == 1

    for cap in ("MAX_PROGRAMMES", "MAX_TASKS", "MAX_UNDERSTAFFED"):
        monkeypatch.setattr(roles, cap, 5)
    body = client.get("/").data.decode()
    assert "more programmes than these" not in body and "are listed here" not in body


# --- navigation (the demo world's roles: test_home_navigation.py) ----------------------------


def test_the_nav_is_a_disclosure_that_works_without_javascript(client, session) -> None:
    body = client.get("/").data.decode()
    assert re.search(r'<details class="cp-menu">\s*<summary[^>]*>.*Menu</summary>', body)
    assert "<script" not in body


# --- the organisation page ----------------------------------------------------------------


def test_an_organisation_page_lists_its_tasks_and_the_programmes_it_leads(client, session) -> None:
    agency = make_org(session, OrgKind.AGENCY, name="City Parks")
    charity = make_org(session, OrgKind.NONPROFIT, name="Tree Friends")
    programme = make_programme(session, agency, name="Greener streets")
    mine = make_task(
        session, programme, title="Water the trees", coordinating_organisation_id=charity.id
    )
    draft = make_task(
        session,
        programme,
        title="Secret draft",
        status="draft",
        coordinating_organisation_id=charity.id,
    )
    page = client.get(f"/orgs/{charity.id}").data.decode()
    assert f'href="/tasks/{mine.id}"' in page
    assert "Secret draft" not in page  # a visitor does not see drafts
    assert "Programmes Tree Friends leads" not in page  # not an agency, leads nothing
    login(client, make_member(session, charity, Role.COORDINATOR))
    assert f'href="/tasks/{draft.id}"' in client.get(f"/orgs/{charity.id}").data.decode()
    agency_page = client.get(f"/orgs/{agency.id}").data.decode()
    assert f'href="/programmes/{programme.id}"' in agency_page
    assert "City Parks coordinates no task yet." in agency_page


def test_an_organisation_page_is_bounded(client, session, monkeypatch) -> None:
    from coprod.services.organisations import reading

    monkeypatch.setattr(reading, "ORG_WORK_LIMIT", 3)
    charity = make_org(session, OrgKind.NONPROFIT)
    programme = make_programme(session)
    for _ in range(5):
        make_task(session, programme, coordinating_organisation_id=charity.id)
    page = client.get(f"/orgs/{charity.id}").data.decode()
    assert "Showing 3 of 5" in page


# --- the flash message after a redirect -----------------------------------------------------


def test_signing_up_redirects_without_a_fragment_so_the_flash_is_in_view(client, session) -> None:
    me = make_user(session)
    shift = make_shift(session, starts_at=utcnow() + timedelta(days=3))
    response = login(client, me).post(f"/shifts/{shift.id}/signup")
    assert response.status_code == 303
    assert "#" not in response.headers["Location"]
    assert response.headers["Location"].endswith(f"/tasks/{shift.task_id}")
    follow = client.get(response.headers["Location"]).data.decode()
    assert 'class="cp-flash"' in follow
