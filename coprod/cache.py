"""A few seconds of shared caching for public pages seen by visitors who are not signed in.

A request with no cookie and no credentials gets exactly the page every other such visitor
gets: the task list, a task's page, the public impact page, the API's task list. Those are the
pages a city-wide programme's public traffic lands on, so the rendered response is kept for
`CACHE_DEFAULT_TIMEOUT` seconds (Flask-Caching's own setting names; `CACHE_TYPE` picks the
store: "SimpleCache" per process, "RedisCache" with `CACHE_REDIS_URL` shared by every web
process, "NullCache" turns it off). What a visitor may see is then that many seconds old --
a free-place count, say; signing up always goes through the guarded write, and anyone signed
in (or carrying any cookie: a flashed message, a half-filled form) is never served from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, g, request, session
from flask_caching import Cache

F = TypeVar("F", bound=Callable[..., Any])

cache = Cache()
_SKIPPED_HEADERS = {"set-cookie", "content-length"}


def shared_for_visitors(view: F) -> F:
    """Mark a public GET view whose response may be shared by visitors who are not signed in."""
    view._shared_for_visitors = True  # type: ignore[attr-defined]
    return view


def _shareable(app: Flask) -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return False
    view = app.view_functions.get(request.endpoint)
    if not getattr(view, "_shared_for_visitors", False):
        return False
    return not request.cookies and "Authorization" not in request.headers


def _key() -> str:
    from coprod.i18n import select_locale  # a visitor with no cookie: their Accept-Language's

    raw = "\n".join(
        (
            request.scheme,
            request.host,
            request.full_path,
            request.accept_mimetypes.to_header(),
            select_locale(),
        )
    )
    return "visitor-page:" + hashlib.sha256(raw.encode()).hexdigest()


def init_app(app: Flask) -> None:
    cache.init_app(app)

    @app.before_request
    def _serve_shared() -> Response | None:
        if not _shareable(app):
            return None
        key = _key()
        kept = cache.get(key)
        if kept is None:
            g.visitor_page_key = key
            return None
        body, headers = kept
        return Response(body, 200, headers)

    @app.after_request
    def _keep_shared(response: Response) -> Response:
        key = g.pop("visitor_page_key", None)
        if (
            key is not None
            and response.status_code == 200
            and not response.direct_passthrough
            and not session.modified
            and "Set-Cookie" not in response.headers
        ):
            headers = [(k, v) for k, v in response.headers if k.lower() not in _SKIPPED_HEADERS]
            cache.set(key, (response.get_data(), headers))
        return response
