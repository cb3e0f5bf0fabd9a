"""Following a list's pages the way a browser or an API client does, whatever the pager.

The app's lists are moving from page numbers (`?page=N`, with a total) to keyset cursors
(`?after=…` with a `next` link). The benchmarks must measure both, so nothing here knows which
one a list uses; it reads what the response offers, in this order:

- HTML: an `<a>` or `<link>` with `rel="next"` (or the pager's "Next" arrow,
  `usa-pagination__next-page`); the last page: a `rel="last"` link, else "Page 1 of N" with a
  page-number pager, else the end of the walk along `next` links.
- JSON: `next` (a URL, or a bare cursor sent back as `?after=`), `links.next`, a `Link:
  <…>; rel="next"` header; else page numbers (`page`, `per_page`, `total` or `pages`).

`fetch(url) -> (status, body, headers)` is given by the caller (urllib against a server, or
Flask's test client in-process), so the same code walks either and the tests can feed it a
fake chain.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

Fetch = Callable[[str], tuple[int, str, Mapping[str, str]]]

_TAG = re.compile(r"<(?:a|link)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w:-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_LINK_HEADER = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')
_PAGE_OF = re.compile(r"Page\s+[\d,]+\s+of\s+([\d,]+)")


def with_query(url: str, **params: Any) -> str:
    """`url` with these query parameters set (None removes one), the others kept in order."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_param(url: str, name: str) -> str | None:
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k == name:
            return v
    return None


def _links(page: str) -> list[dict[str, str]]:
    out = []
    for tag in _TAG.finditer(page):
        attrs = {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "")
                 for m in _ATTR.finditer(tag.group(0))}  # fmt: skip
        if "href" in attrs:
            out.append(attrs)
    return out


def html_link(page: str, rel: str, base: str) -> str | None:
    """The URL of the page's `rel` link (next, last), resolved against `base`."""
    for attrs in _links(page):
        rels = attrs.get("rel", "").lower().split()
        classes = attrs.get("class", "").split()
        if rel in rels or (rel == "next" and "usa-pagination__next-page" in classes):
            return urljoin(base, attrs["href"])
    return None


def header_link(headers: Mapping[str, str], rel: str, base: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == "link":
            for m in _LINK_HEADER.finditer(value):
                if rel in m.group(2).split():
                    return urljoin(base, str(m.group(1)))
    return None


def json_next(body: Any, headers: Mapping[str, str], url: str) -> str | None:
    """The next page of a JSON list at `url`, or None at its end."""
    if isinstance(body, dict):
        nxt = body.get("next")
        if nxt is None and isinstance(body.get("links"), dict):
            nxt = body["links"].get("next")
        if isinstance(nxt, str) and nxt:
            if nxt.startswith(("/", "http://", "https://", "?")):
                return urljoin(url, nxt)
            return with_query(url, after=nxt, page=None)  # a bare cursor
        if "next" in body or "links" in body:
            return header_link(headers, "next", url)  # the list says where it ends
    found = header_link(headers, "next", url)
    if found or not isinstance(body, dict) or not body.get("items"):
        return found
    page, per_page = body.get("page"), body.get("per_page")
    if not isinstance(page, int) or not isinstance(per_page, int):
        return None
    pages = body.get("pages")
    if not isinstance(pages, int) and isinstance(body.get("total"), int):
        pages = -(-body["total"] // per_page)
    if isinstance(pages, int) and page < pages:
        return with_query(url, page=page + 1)
    return None


def next_url(status: int, body: str, headers: Mapping[str, str], url: str) -> str | None:
    """The next page after this response (HTML or JSON), or None at the end of the list."""
    if status != 200:
        return None
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in ctype or body.lstrip().startswith(("{", "[")):
        try:
            return json_next(json.loads(body), headers, url)
        except ValueError:
            return None
    return html_link(body, "next", url) or header_link(headers, "next", url)


@dataclass
class Walk:
    first: str
    last: str
    pages: int
    seconds: float
    complete: bool  # False when the time limit stopped it before the end
    statuses: dict[int, int]


def walk(fetch: Fetch, first: str, *, limit_s: float = 600, max_pages: int = 1_000_000) -> Walk:
    """Fetch `first`, then each `next` page until the list ends (or the limit is reached)."""
    url, pages = first, 0
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    while True:
        status, body, headers = fetch(url)
        pages += 1
        statuses[status] = statuses.get(status, 0) + 1
        nxt = next_url(status, body, headers, url)
        elapsed = time.perf_counter() - started
        if nxt is None or nxt == url:
            return Walk(first, url, pages, elapsed, status == 200, statuses)
        if elapsed > limit_s or pages >= max_pages:
            return Walk(first, url, pages, elapsed, False, statuses)
        url = nxt


@dataclass
class LastPage:
    url: str
    how: str  # "only page", "rel=last", "page count", "walked N pages"
    complete: bool = True


def last_page(fetch: Fetch, first: str, *, per_page: int = 20, limit_s: float = 600) -> LastPage:
    """The URL of the last page of the HTML list whose first page is `first`, at `per_page`
    rows a page: a `rel="last"` link; else the page count of a page-number pager; else a walk
    along `next` links, in pages of 100 rows (cursors do not depend on the page size), then
    the last few steps at `per_page`."""
    status, body, headers = fetch(first)
    if status != 200:
        raise RuntimeError(f"{first} answers {status}")
    found = html_link(body, "last", first)
    if found:
        return LastPage(found, "rel=last")
    nxt = next_url(status, body, headers, first)
    if nxt is None:
        return LastPage(first, "only page")
    if query_param(nxt, "page") is not None and query_param(nxt, "after") is None:
        m = _PAGE_OF.search(re.sub(r"<[^>]+>", " ", body))
        if m:
            return LastPage(with_query(first, page=int(m.group(1).replace(",", ""))), "page count")
        done = walk(fetch, first, limit_s=limit_s)
        return LastPage(done.last, f"walked {done.pages} pages", done.complete)
    big = with_query(first, per_page=100)
    if fetch(big)[0] != 200:
        done = walk(fetch, first, limit_s=limit_s)
        return LastPage(done.last, f"walked {done.pages} pages", done.complete)
    coarse = walk(fetch, big, limit_s=limit_s)
    fine = walk(fetch, with_query(coarse.last, per_page=per_page), limit_s=limit_s)
    how = f"walked {coarse.pages} pages of 100, then {fine.pages} of {per_page}"
    return LastPage(fine.last, how, coarse.complete and fine.complete)
