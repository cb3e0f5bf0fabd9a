"""The benchmarks' page walking (bench/walk.py) and their arithmetic (medians, targets, ratios),
against fake lists: page numbers as today, cursors with `next` links as the lists are becoming."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.growth import combined_table
from bench.load import paired, target
from bench.walk import html_link, json_next, last_page, walk, with_query

ITEMS = list(range(1, 248))  # 247 rows: 13 pages of 20, the last one holding 7


def _q(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def cursor_api(url: str) -> tuple[int, str, Mapping[str, str]]:
    """A JSON list with keyset cursors: {items, next} where next is a URL or null."""
    q = _q(url)
    after, per_page = int(q.get("after", 0)), int(q.get("per_page", 20))
    items = [i for i in ITEMS if i > after][:per_page]
    more = bool(items) and items[-1] < ITEMS[-1]
    nxt = f"/api/tasks?per_page={per_page}&after={items[-1]}" if more else None
    body = json.dumps({"items": items, "next": nxt})
    return 200, body, {"Content-Type": "application/json"}


def numbered_api(url: str) -> tuple[int, str, Mapping[str, str]]:
    """Today's JSON list: {items, page, per_page, total}, no next link."""
    q = _q(url)
    page, per_page = int(q.get("page", 1)), int(q.get("per_page", 20))
    items = ITEMS[(page - 1) * per_page : page * per_page]
    body = {"items": items, "page": page, "per_page": per_page, "total": len(ITEMS)}
    return 200, json.dumps(body), {"Content-Type": "application/json"}


def cursor_html(url: str) -> tuple[int, str, Mapping[str, str]]:
    """An HTML list with keyset cursors: the pager's Next arrow carries ?after=."""
    q = _q(url)
    after, per_page = int(q.get("after", 0)), int(q.get("per_page", 20))
    items = [i for i in ITEMS if i > after][:per_page]
    rows = "".join(f"<li>row {i}</li>" for i in items)
    more = bool(items) and items[-1] < ITEMS[-1]
    href = with_query("/review", after=items[-1], per_page=q.get("per_page")) if more else ""
    nav = (
        f'<a href="{href.replace("&", "&amp;")}" class="usa-pagination__link '
        'usa-pagination__next-page" aria-label="Next page">Next</a>'
        if more
        else ""
    )
    return 200, f"<html><ul>{rows}</ul>{nav}</html>", {"Content-Type": "text/html"}


def numbered_html(url: str) -> tuple[int, str, Mapping[str, str]]:
    """Today's HTML pager: page numbers, a Next arrow and 'Page N of M · T in all'."""
    page = int(_q(url).get("page", 1))
    pages = -(-len(ITEMS) // 20)
    nav = f'<a href="/review?status=all&amp;page={page + 1}" rel="next">Next</a>'
    text = f"<p>Page {page} of {pages} · {len(ITEMS)} in all</p>"
    return 200, f"<html>{nav if page < pages else ''}{text}</html>", {}


def test_html_next_link_found_by_rel_or_by_the_pagers_next_arrow() -> None:
    base = "http://h/tasks?q=x"
    assert html_link('<a rel="next" href="/tasks?page=2&amp;q=x">', "next", base) == (
        "http://h/tasks?page=2&q=x"
    )
    arrow = '<a class="usa-pagination__link usa-pagination__next-page" href="?after=abc">'
    assert html_link(arrow, "next", base) == "http://h/tasks?after=abc"
    assert html_link('<link rel="last" href="/tasks?after=z">', "last", base) == (
        "http://h/tasks?after=z"
    )
    assert html_link('<a href="/tasks?page=1" class="usa-current">1</a>', "next", base) is None


def test_json_next_reads_a_url_a_bare_cursor_a_link_header_or_page_numbers() -> None:
    url = "http://h/api/v1/tasks?per_page=100"
    assert json_next({"items": [1], "next": "/api/v1/tasks?after=9"}, {}, url) == (
        "http://h/api/v1/tasks?after=9"
    )
    assert json_next({"items": [1], "next": "opaque=="}, {}, url) == (
        "http://h/api/v1/tasks?per_page=100&after=opaque%3D%3D"
    )
    # A list that has a `next` field and sets it to null has ended, whatever else it says.
    assert json_next({"items": [1], "next": None, "page": 1, "total": 900}, {}, url) is None
    header = {"Link": '<http://h/api/v1/tasks?after=5>; rel="next"'}
    assert json_next({"items": [1]}, header, url) == "http://h/api/v1/tasks?after=5"
    numbered = {"items": [1], "page": 2, "per_page": 100, "total": 201}
    assert json_next(numbered, {}, url) == "http://h/api/v1/tasks?per_page=100&page=3"
    assert json_next({**numbered, "page": 3}, {}, url) is None
    assert json_next({"items": [], "page": 1, "per_page": 100, "total": 0}, {}, url) is None


@pytest.mark.parametrize(
    ("fetch", "first"),
    [(cursor_api, "http://h/api/tasks?per_page=20"), (numbered_api, "http://h/api/tasks")],
)
def test_walk_follows_the_chain_to_its_end(fetch, first) -> None:
    seen: list[int] = []

    def counting(url: str) -> tuple[int, str, Mapping[str, str]]:
        status, body, headers = fetch(url)
        seen.extend(json.loads(body)["items"])
        return status, body, headers

    done = walk(counting, first)
    assert done.pages == 13 and done.complete and done.statuses == {200: 13}
    assert seen == ITEMS  # every row once, in order: the walk reached the end


def test_walk_stops_at_its_page_limit_and_says_it_did_not_finish() -> None:
    done = walk(cursor_api, "http://h/api/tasks", max_pages=4)
    assert done.pages == 4 and not done.complete
    assert json.loads(cursor_api(done.last)[1])["items"][0] == 61


def test_last_page_of_a_cursor_list_is_its_real_last_page() -> None:
    fetched: list[str] = []

    def counting(url: str) -> tuple[int, str, Mapping[str, str]]:
        fetched.append(url)
        return cursor_html(url)

    found = last_page(counting, "http://h/review")
    status, body, _ = cursor_html(found.url)
    assert status == 200 and found.complete
    assert "row 247" in body and "row 241" in body and "row 240" not in body
    assert "usa-pagination__next-page" not in body
    # Walked in pages of 100 first: far fewer requests than the 13 pages of 20.
    assert len(fetched) < 13
    assert _q(found.url).get("per_page") == "20"


def test_last_page_of_a_numbered_list_comes_from_its_page_count() -> None:
    found = last_page(numbered_html, "http://h/review?status=all")
    assert found.how == "page count"
    assert _q(found.url) == {"status": "all", "page": "13"}


def test_paired_medians_and_targets() -> None:
    runs = [
        {"rps": 100.0, "ratio": 0.30, "p99_ms": 80.0, "errors": 0},
        {"rps": 300.0, "ratio": 0.60, "p99_ms": 120.0, "errors": 0},
        {"rps": 200.0, "ratio": 0.40, "p99_ms": 90.0, "errors": 1},
    ]
    m = paired(runs)
    assert (m["rps"], m["ratio"], m["p99_ms"], m["errors"]) == (200.0, 0.40, 90.0, 1)
    assert target(signed_in=True, ratio=0.40, p99_ms=90, errors=0)
    assert not target(signed_in=False, ratio=0.40, p99_ms=90, errors=0)  # visitors need 50 %
    assert not target(signed_in=True, ratio=0.90, p99_ms=100, errors=0)  # p99 < 100 ms
    assert not target(signed_in=True, ratio=0.90, p99_ms=10, errors=1)


def test_growth_table_gives_large_and_medium10_against_small() -> None:
    def report(size: str, p50: float, db: float) -> dict[str, object]:
        row = {"name": "task list, page 1", "who": "visitor", "p50_ms": p50, "db_ms": db}
        return {"size": size, "rows": [row], "walk": {"pages": 3, "seconds": 0.5}}

    out = combined_table([report("large", 30.0, 9.0), report("small", 10.0, 3.0),
                          report("medium10", 12.0, 3.3)])  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("| task list"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    # sizes in order small, large, medium10; then the ratios to small
    assert cells[2:5] == ["10.0", "30.0", "12.0"]
    assert cells[-4:] == ["3.00x", "3.00x", "1.20x", "1.10x"]


def test_growth_table_says_when_a_page_gave_no_answer_within_the_run() -> None:
    def report(size: str, p50: float, requests: int) -> dict[str, object]:
        row = {"name": "review queue, last page", "who": "staff", "p50_ms": p50,
               "db_ms": 5.0, "requests": requests}  # fmt: skip
        return {"size": size, "rows": [row], "walk": {"pages": 1, "seconds": 0.1},
                "duration_s": 5}  # fmt: skip

    out = combined_table([report("small", 100.0, 40), report("large", 0.0, 0)])
    line = next(x for x in out.splitlines() if x.startswith("| review"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[2:4] == ["100.0", "> 5000"]
    assert cells[-2:] == [">50.00x", "1.00x"]
