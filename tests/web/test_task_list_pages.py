"""The task list page by window: Next walks it to its end keeping the filters, an old ?page=
link shows the first window, a forged cursor is a message beside the form (422), never a 500."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from coprod.db import utcnow
from coprod.models import OrgKind
from tests.factories import make_org, make_programme, make_shift, make_task


def _world(session) -> list[str]:
    programme = make_programme(session, make_org(session, OrgKind.AGENCY))
    titles = []
    for i in range(25):
        task = make_task(session, programme, title=f"Orchard row {i:02d}")
        make_shift(session, task, starts_at=utcnow() + timedelta(days=i + 1))
        titles.append(task.title)
    make_task(session, programme, title="Beach clean")
    return titles


def _next_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)"[^>]*rel="next"', html)
    return unescape(found.group(1)) if found else None


def test_next_walks_the_list_to_its_end_keeping_the_search(client, session) -> None:
    titles = _world(session)
    seen: list[str] = []
    url: str | None = "/tasks?q=orchard"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"Orchard row \d\d", html)
        assert "Beach clean" not in html
        url = _next_link(html)
        assert url is None or "q=orchard" in url
    assert seen == titles  # soonest first, each once
    # A search past one window shows no count (its Next says there is more); the list does.
    assert " in all" not in client.get("/tasks?q=orchard").get_data(as_text=True)
    assert "26 in all" in client.get("/tasks").get_data(as_text=True)
    assert "1 in all" in client.get("/tasks?q=beach").get_data(as_text=True)


def test_an_old_page_link_shows_the_first_window(client, session) -> None:
    _world(session)
    html = client.get("/tasks?page=2").get_data(as_text=True)
    assert "Orchard row 00" in html and "First page" not in html


def test_a_forged_cursor_is_a_message_not_an_error_page(client, session) -> None:
    _world(session)
    resp = client.get("/tasks?after=forged")
    assert resp.status_code == 422
    assert "no longer works" in resp.get_data(as_text=True)
