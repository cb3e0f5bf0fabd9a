"""The API's task list by cursor: walked to its end by `next`, every task once, filters kept;
forged cursors and page numbers answered as problems, never a 500."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from coprod.db import utcnow
from coprod.models import OrgKind, Role, TaskStatus
from tests.api.conftest import API, is_problem
from tests.factories import make_member, make_org, make_programme, make_shift, make_task


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    made = []
    for i in range(7):
        task = make_task(session, programme, title=f"Garden day {i}")
        if i % 2:
            make_shift(session, task, starts_at=utcnow() + timedelta(days=i + 1), capacity=i)
        made.append(task.id)
    make_task(session, programme, title="Beach clean")
    make_task(session, programme, title="Garden draft", status=TaskStatus.DRAFT)
    return {"programme": programme, "made": made, "staff": make_member(session, agency, Role.STAFF)}


def walk(api, path: str) -> list[dict]:
    seen: list[dict] = []
    while path:
        body = api.get(path).get_json()
        assert body["per_page"] == 3
        seen += body["items"]
        nxt = body["next"]
        path = ""
        if nxt:
            parts = urlsplit(nxt)
            assert parts.path == API + "/tasks"
            path = "/tasks?" + parts.query
    return seen


def test_walking_next_to_the_end_sees_every_matching_task_once_in_order(as_user, world):
    items = walk(as_user(None), "/tasks?q=garden&per_page=3")
    ids = [i["id"] for i in items]
    assert sorted(ids) == sorted(world["made"]) and len(ids) == 7  # the filter kept, no draft
    with_shifts = [i for i in items if i["next_starts_at"] is not None]
    assert [i["id"] for i in with_shifts] == [world["made"][k] for k in (1, 3, 5)]
    assert ids[:3] == [i["id"] for i in with_shifts]  # soonest next shift first
    assert [i["free_places"] for i in with_shifts] == [1, 3, 5]


def test_every_status_is_listed_by_cursor_for_those_who_may_see_it(as_user, world):
    drafts = walk(as_user(world["staff"]), "/tasks?status=draft&per_page=3")
    assert [d["title"] for d in drafts] == ["Garden draft"]
    assert walk(as_user(None), "/tasks?status=draft&per_page=3") == []


@pytest.mark.parametrize("query", ["after=garbage", "after=" + "A" * 500, "page=2", "q=of+a"])
def test_forged_cursors_page_numbers_and_short_searches_are_422_problems(as_user, world, query):
    assert is_problem(as_user(None).get(f"/tasks?{query}"), 422)
