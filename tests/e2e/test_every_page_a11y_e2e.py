"""axe on every page each role can reach by following links, with phone and desktop shots."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import check_a11y, screenshots, sign_in

START = [
    "/",
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
]
SKIP = re.compile(r"^/(static|logout|api)/|\.(csv|json|ics)$")  # downloads are not pages
MAX_PAGES = 40
_SHOT: set[str] = set()  # kinds of page already photographed (by any role)


def pattern(path: str) -> str:
    """One page per kind: ids become N, so /tasks/3 and /tasks/8 count as the same page."""
    return re.sub(r"\d+", "N", path)


def walk(page: Any, base: str) -> list[str]:
    """Follow same-site links breadth first, one URL per pattern; axe and shots on each."""
    queue, seen, visited = list(START), set(), []
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
    return visited


@pytest.mark.parametrize(
    "role", [None, "volunteer", "coordinator", "staff", "reviewer", "partner", "admin"]
)
def test_every_page_a_role_reaches_passes_axe(page, live_server, role) -> None:
    if role:
        sign_in(page, f"{role}@demo.coprod.org")
    visited = walk(page, live_server)
    assert len(visited) >= 5
    # Screenshots of each kind of page, once across the roles.
    for path in visited:
        if pattern(path) in _SHOT:
            continue
        _SHOT.add(pattern(path))
        name = f"{role or 'visitor'}-{pattern(path).strip('/').replace('/', '-') or 'home'}"
        page.goto(path)
        screenshots(page, name)
