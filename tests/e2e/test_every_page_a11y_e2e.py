"""axe on every page each role can reach by following links, with phone and desktop shots."""

from __future__ import annotations

import re
import sqlite3
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, SERVER, check_a11y, screenshots, sign_in
from tests.e2e.test_roster_e2e import roster_pages

START = [
    "/",  # the public home page for visitors, each role's own home page once signed in
    "/orgs/1",  # an agency's page: the programmes it leads and the tasks it coordinates
    "/tasks",
    "/programmes",
    "/orgs",
    "/my/schedule",
    "/my/schedule?past=1",  # past shifts: "Log hours" (filled in) and "View your log"
    "/my/logs",
    "/review",
    "/admin",
    "/account",
    "/login",
    "/register",
    "/pilots",  # what we learned from pilots, and through it each public evaluation
]
SKIP = re.compile(r"^/(static|logout|api)/|\.(csv|json|ics)$")  # downloads are not pages
MAX_PAGES = 40
_SHOT: set[str] = set()  # kinds of page already photographed (by any role)


def pattern(path: str) -> str:
    """One page per kind: ids become N, so /tasks/3 and /tasks/8 count as the same page."""
    return re.sub(r"\d+", "N", path)


def walk(page: Any, base: str, role: str | None, first: tuple[str, ...] = ()) -> list[str]:
    """Follow same-site links breadth first, one URL per pattern; axe on each, and shots of
    each kind of page not yet photographed by any role (`first`: pages of the role's that
    links reach only deep in the walk)."""
    queue, seen, visited = [*first, *START], set(), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        key = pattern(url if url in START else path)  # a start page with a query is its own
        if key in seen or SKIP.search(path):
            continue
        seen.add(key)
        response = page.goto(url)
        if response is None or response.status in (403, 404):
            continue
        assert response.status < 500, f"{url} answered {response.status}"
        visited.append(path)
        check_a11y(page)
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc == urlsplit(base).netloc and parts.path:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        if pattern(path) not in _SHOT:
            _SHOT.add(pattern(path))
            name = f"{role or 'visitor'}-{pattern(path).strip('/').replace('/', '-') or 'home'}"
            screenshots(page, name)
    return visited


@pytest.mark.parametrize(
    "role", [None, "volunteer", "coordinator", "staff", "reviewer", "partner", "admin"]
)
def test_every_page_a_role_reaches_passes_axe(page, live_server, role) -> None:
    if role:
        sign_in(page, f"{role}@demo.coprod.org")
    # The roster of the demo's shift waiting for attendance, its sign-in sheet and "mark all".
    first = tuple(roster_pages()) if role in ("coordinator", "staff") else ()
    visited = walk(page, live_server, role, first)
    assert len(visited) >= 5


def _demo_ids() -> dict[str, int]:
    """Ids in the live server's demo world for pages only reached from a row of a table."""
    import sqlite3

    with sqlite3.connect(SERVER["database"]) as conn:
        task = conn.execute(
            "SELECT id FROM task WHERE title = 'Saturday community kitchen'"
        ).fetchone()[0]
        shift = conn.execute(
            "SELECT id FROM shift WHERE task_id = ? AND cancelled_at IS NULL "
            "ORDER BY starts_at DESC",
            (task,),
        ).fetchone()[0]
    return {"t": task, "s": shift}


# Staff pages behind a shift or a task id (changing shifts): axe at both widths.
STAFF_PAGES = [
    ("/tasks/{t}/shifts/{s}/cancel", "staff-cancel-shift"),
    ("/tasks/{t}/shifts/{s}/delete", "staff-delete-shift"),
    ("/tasks/{t}/shifts/copy", "staff-copy-shifts"),
    ("/tasks/{t}/shifts/move", "staff-move-shifts"),
    ("/tasks/{t}/shifts/weekly", "staff-weekly-shifts"),
    # a partner's commitment figures and the confirmation to remove one (issue #18)
    ("/programmes/1/partners/1/commitments", "staff-commitment-figures"),
    ("/programmes/1/partners/1/commitments/1/remove", "staff-remove-commitment-figure"),
]


def test_staff_pages_behind_ids_pass_axe_at_phone_and_desktop_widths(page) -> None:
    sign_in(page, "staff@demo.coprod.org")
    ids = _demo_ids()
    for path, name in STAFF_PAGES:
        response = page.goto(path.format(**ids))
        assert response is not None and response.status == 200, path
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            check_a11y(page)
        screenshots(page, name)


# Pages the walk reaches only through one particular task (it visits one /tasks/N per role):
# those of the demo's ongoing task, checked at both widths.
ONGOING_PAGES = [
    (None, "/tasks/{id}"),
    ("volunteer", "/tasks/{id}"),
    ("volunteer", "/tasks/{id}/log"),
    ("staff", "/tasks/{id}"),
    ("staff", "/tasks/{id}/interested"),
    ("partner", "/tasks/{id}/interested"),
]


def _ongoing_task_id() -> int:
    with sqlite3.connect(SERVER["database"]) as conn:
        row = conn.execute("SELECT id FROM task WHERE ongoing = 1 ORDER BY id LIMIT 1").fetchone()
    assert row is not None, "the demo world has no ongoing task"
    return int(row[0])


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize(("role", "path"), ONGOING_PAGES)
def test_the_pages_of_the_demo_ongoing_task_pass_axe(page, live_server, role, path, size) -> None:
    if role:
        sign_in(page, f"{role}@demo.coprod.org")
    page.set_viewport_size(size)
    response = page.goto(path.format(id=_ongoing_task_id()))
    assert response is not None and response.status == 200
    check_a11y(page)
