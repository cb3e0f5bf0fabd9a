"""A tiny crawler for the security tests: follow our own links as one user, collect forms."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

# Keep the walk short: a few URLs per endpoint are enough to reach every kind of page.
PER_ENDPOINT = 3


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    text_fields: list[str] = field(default_factory=list)  # names of free-text inputs
    selects: dict[str, list[str]] = field(default_factory=dict)


TEXT_TYPES = {"text", "email", "search", "url", "tel", "password", None}


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"] or "")
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=attrs.get("action") or self.page,
                method=(attrs.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            name, kind = attrs["name"] or "", attrs.get("type")
            value = attrs.get("value") or "on"
            if kind == "checkbox":
                if "checked" in attrs:
                    self._form.fields[name] = value
                return
            if kind == "radio":
                if "checked" in attrs or name not in self._form.fields:
                    self._form.fields[name] = value
                return
            if kind in ("submit", "button"):
                return
            self._form.fields[name] = attrs.get("value") or ""
            if kind in TEXT_TYPES:
                self._form.text_fields.append(name)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form.fields[self._textarea or ""] = ""
            self._form.text_fields.append(self._textarea or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form.selects[self._select or ""] = []
            self._form.fields[self._select or ""] = ""
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            self._form.selects[self._select].append(value)
            if "selected" in attrs or not self._form.fields[self._select]:
                self._form.fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data


def parse(page: str, body: str) -> _Parser:
    parser = _Parser(page)
    parser.feed(body)
    return parser


def endpoint_of(app: Flask, path: str, method: str = "GET") -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method)
    except HTTPException:
        return None
    return str(endpoint)


@dataclass
class Crawl:
    pages: dict[str, Any] = field(default_factory=dict)  # url -> response
    endpoints: dict[str, list[str]] = field(default_factory=dict)
    forms: list[Form] = field(default_factory=list)


def crawl(app: Flask, client: FlaskClient, start: list[str], limit: int = 400) -> Crawl:
    """Visit same-site links breadth first (a few per endpoint), recording pages and forms."""
    result = Crawl()
    queue = list(start)
    seen: set[str] = set()
    while queue and len(result.pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        endpoint = endpoint_of(app, path)
        if endpoint is None or endpoint in ("static", "auth.logout"):
            continue
        visited = result.endpoints.setdefault(endpoint, [])
        if len(visited) >= PER_ENDPOINT:
            continue
        visited.append(url)
        response = client.get(url)
        result.pages[url] = response
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        parsed = parse(url, response.get_data(as_text=True))
        result.forms.extend(f for f in parsed.forms if f.method == "post")
        for href in parsed.links:
            href = html.unescape(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(href.split("#", 1)[0])
    return result
