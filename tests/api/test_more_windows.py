"""The API lists moved to cursors (shifts, accounts, members, proposals, feedback, moderation):
walked to their end by `next`, every row once in the list's order, filters kept; forged
cursors and page numbers answered as 422 problems, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from coprod.db import utcnow
from coprod.models import OrgKind, Role
from tests.api.conftest import API, is_problem
from tests.factories import (
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)

FORGED = ["after=garbage", "after=" + "A" * 500, "page=2", "after=W1siaSIsMV1d"]


def walk(api: Any, path: str, per_page: int = 2) -> list[dict]:
    """Every item of the list, following `next` to the end; `next` keeps the filters."""
    sep = "&" if "?" in path else "?"
    query = dict(parse_qsl(urlsplit(path).query))
    path = f"{path}{sep}per_page={per_page}"
    seen: list[dict] = []
    for _ in range(100):
        response = api.get(path)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["per_page"] == per_page and len(body["items"]) <= per_page
        seen += body["items"]
        if body["next"] is None:
            return seen
        parts = urlsplit(body["next"])
        assert dict(parse_qsl(parts.query)).items() >= query.items(), "next keeps the filters"
        path = parts.path.removeprefix(API) + "?" + parts.query
    raise AssertionError("the walk did not end")


# --- shifts of a task ---------------------------------------------------------------------


@pytest.fixture
def shift_world(session):
    agency = make_org(session, OrgKind.AGENCY)
    task = make_task(session, make_programme(session, agency))
    now = utcnow()
    soon = now + timedelta(days=3)
    upcoming = [make_shift(session, task, starts_at=soon + timedelta(days=i % 3)) for i in range(7)]
    past = [make_shift(session, task, starts_at=now - timedelta(days=1 + i % 2)) for i in range(5)]
    return {"task": task, "upcoming": upcoming, "past": past}


def test_shifts_walked_by_next_soonest_first_every_shift_once(as_user, shift_world):
    task = shift_world["task"]
    items = walk(as_user(None), f"/tasks/{task.id}/shifts")
    expected = sorted(shift_world["upcoming"], key=lambda s: (s.starts_at, s.id))
    assert [i["id"] for i in items] == [s.id for s in expected]


def test_past_shifts_walked_latest_first_with_the_filter_kept(as_user, shift_world):
    task = shift_world["task"]
    items = walk(as_user(None), f"/tasks/{task.id}/shifts?past=true")
    expected = sorted(shift_world["past"], key=lambda s: (s.starts_at, s.id), reverse=True)
    assert [i["id"] for i in items] == [s.id for s in expected]


@pytest.mark.parametrize("query", FORGED)
def test_shifts_forged_cursor_or_page_number_is_a_422_problem(as_user, shift_world, query):
    task = shift_world["task"]
    assert is_problem(as_user(None).get(f"/tasks/{task.id}/shifts?{query}"), 422)


def test_no_shifts_is_an_empty_list_without_next(as_user, session):
    task = make_task(session, make_programme(session, make_org(session, OrgKind.AGENCY)))
    body = as_user(None).get(f"/tasks/{task.id}/shifts").get_json()
    assert body["items"] == [] and body["next"] is None


# --- accounts (site admins) ---------------------------------------------------------------


def test_accounts_walked_by_next_by_email_with_the_search_kept(as_user, session):
    admin = make_user(session, is_site_admin=True)
    made = [make_user(session, email=f"walker{(7 - i) % 4}-{i}@example.org") for i in range(7)]
    make_user(session, email="someone-else@example.org")
    items = walk(as_user(admin), "/accounts?q=walker")
    assert [i["id"] for i in items] == [u.id for u in sorted(made, key=lambda u: u.email)]


@pytest.mark.parametrize("query", FORGED)
def test_accounts_forged_cursor_or_page_number_is_a_422_problem(as_user, session, query):
    admin = make_user(session, is_site_admin=True)
    assert is_problem(as_user(admin).get(f"/accounts?{query}"), 422)


# --- members of an organisation -------------------------------------------------------------


def test_members_walked_by_next_by_name_each_once_with_their_roles(as_user, session):
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN, display_name="Zed Admin")
    made = [make_member(session, org, Role.STAFF, display_name=f"Pat {i % 3}") for i in range(6)]
    make_member(session, make_org(session), Role.STAFF, display_name="Pat elsewhere")
    items = walk(as_user(admin), f"/organisations/{org.id}/members")
    expected = sorted([*made, admin], key=lambda u: (u.display_name, u.id))
    assert [i["user_id"] for i in items] == [u.id for u in expected]
    assert items[-1]["roles"] == ["admin"]


@pytest.mark.parametrize("query", FORGED)
def test_members_forged_cursor_or_page_number_is_a_422_problem(as_user, session, query):
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    assert is_problem(as_user(admin).get(f"/organisations/{org.id}/members?{query}"), 422)


# --- proposals of a programme -------------------------------------------------------------


@pytest.fixture
def proposal_world(session):
    from tests.factories import make_proposal

    programme = make_programme(session, make_org(session, OrgKind.AGENCY))
    author = make_user(session)
    now = utcnow()
    made = [
        make_proposal(
            session,
            programme,
            author_id=author.id,
            title=f"Park {i}",
            created_at=now - timedelta(days=i % 3),
            supports=i % 2,
        )
        for i in range(6)
    ]
    make_proposal(session, programme, author_id=author.id, title="Library")
    return {"programme": programme, "made": made}


@pytest.mark.parametrize("sort", ["supported", "newest"])
def test_proposals_walked_by_next_in_order_with_the_search_kept(as_user, proposal_world, sort):
    programme = proposal_world["programme"]
    items = walk(as_user(None), f"/programmes/{programme.id}/proposals?q=park&sort={sort}")
    if sort == "newest":
        expected = sorted(proposal_world["made"], key=lambda p: (p.created_at, p.id), reverse=True)
    else:
        expected = sorted(proposal_world["made"], key=lambda p: (p.supports, p.id), reverse=True)
    assert [i["id"] for i in items] == [p.id for p in expected]


@pytest.mark.parametrize("query", FORGED)
def test_proposals_forged_cursor_or_page_number_is_a_422_problem(as_user, proposal_world, query):
    programme = proposal_world["programme"]
    assert is_problem(as_user(None).get(f"/programmes/{programme.id}/proposals?{query}"), 422)


# --- feedback on a task -------------------------------------------------------------------


@pytest.fixture
def feedback_world(session):
    from tests.factories import make_public_feedback

    agency = make_org(session, OrgKind.AGENCY)
    staff = make_member(session, agency, Role.STAFF)
    task = make_task(session, make_programme(session, agency))
    now = utcnow()
    made = [
        make_public_feedback(session, task, created_at=now - timedelta(hours=i % 3))
        for i in range(6)
    ]
    return {"task": task, "made": made, "staff": staff}


@pytest.mark.parametrize("who", ["visitor", "staff"])
def test_feedback_walked_by_next_newest_first_with_its_summary(as_user, feedback_world, who):
    task = feedback_world["task"]
    api = as_user(None if who == "visitor" else feedback_world["staff"])
    path = f"/tasks/{task.id}/feedback?per_page=2"
    seen: list[int] = []
    while path:
        body = api.get(path).get_json()
        assert body["summary"]["responses"] == 6  # the extra field kept on every window
        seen += [i["id"] for i in body["items"]]
        path = body["next"].removeprefix(API) if body["next"] else ""
    made = feedback_world["made"]
    assert seen == [f.id for f in sorted(made, key=lambda f: (f.created_at, f.id), reverse=True)]


@pytest.mark.parametrize("query", FORGED)
def test_feedback_forged_cursor_or_page_number_is_a_422_problem(as_user, feedback_world, query):
    task = feedback_world["task"]
    assert is_problem(as_user(None).get(f"/tasks/{task.id}/feedback?{query}"), 422)


# --- the moderation queue -----------------------------------------------------------------


@pytest.fixture
def queue_world(session):
    from coprod.services.engagement import moderation
    from tests.factories import make_proposal, make_public_feedback

    agency = make_org(session, OrgKind.AGENCY)
    staff = make_member(session, agency, Role.STAFF)
    programme = make_programme(session, agency)
    task = make_task(session, programme)
    now = utcnow()
    reported = []
    for i in range(3):  # a proposal and a comment may share an id: the kind keeps them apart
        p = make_proposal(session, programme)
        f = make_public_feedback(session, task)
        for item, flag in ((p, moderation.flag_proposal), (f, moderation.flag_feedback)):
            flag(session, make_user(session), item, reason="", now=now - timedelta(minutes=i))
            reported.append(item)
    hidden = []
    for i in range(4):
        p = make_proposal(session, programme, hidden_at=now - timedelta(hours=i // 2))
        f = make_public_feedback(session, task, hidden_at=now - timedelta(hours=i // 2))
        hidden += [p, f]
    return {"programme": programme, "staff": staff, "reported": reported, "hidden": hidden}


@pytest.mark.parametrize("show", ["open", "hidden"])
def test_moderation_queue_walked_by_next_each_item_once(as_user, queue_world, show):
    programme = queue_world["programme"]
    items = walk(as_user(queue_world["staff"]), f"/programmes/{programme.id}/flags?show={show}")
    seen = [(i["type"], i["id"]) for i in items]
    wanted = queue_world["reported"] if show == "open" else queue_world["hidden"]
    assert len(seen) == len(set(seen)) == len(wanted)
    assert set(seen) == {("proposal" if hasattr(w, "title") else "feedback", w.id) for w in wanted}


@pytest.mark.parametrize("query", FORGED)
def test_moderation_queue_forged_cursor_or_page_number_is_a_422_problem(
    as_user, queue_world, query
):
    programme = queue_world["programme"]
    answer = as_user(queue_world["staff"]).get(f"/programmes/{programme.id}/flags?{query}")
    assert is_problem(answer, 422)
