"""Bearer-token authentication for the API (no session cookie, no CSRF)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import abort, current_app, g, request

from coprod.api.fields import MAX_ID
from coprod.db import db, utcnow
from coprod.models import User, grants
from coprod.services import tokens

P = ParamSpec("P")
R = TypeVar("R")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
BODY_METHODS = ("POST", "PUT", "PATCH")


def before_api_request() -> None:
    """Refuse what no API route can take, then find who the bearer token belongs to."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            abort(404)
    if request.method in BODY_METHODS:
        length = request.content_length
        if length is not None and length > (current_app.config.get("MAX_CONTENT_LENGTH") or 0):
            abort(413)
        has_body = bool(length) or "chunked" in request.headers.get("Transfer-Encoding", "")
        if has_body and not request.is_json:
            abort(415)
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        abort(401)
    now = utcnow()
    session = db.session()
    user = tokens.authenticate_token(session, secret.strip(), now)
    if user is None:
        session.rollback()
        abort(401)
    if session.dirty:
        session.commit()  # the token's last use, recorded at most once an hour
    # The roles from this process's memory under the row's roles_version, as for a signed-in
    # page (coprod/models/grants.py), not built from the memberships on every request. After
    # the commit: reading them would flush the last use, leaving `session.dirty` empty.
    grants.attach(session, user)
    g.api_user = user


def current_actor() -> User:
    """The token's owner; 401 without a valid token."""
    user: User | None = g.get("api_user")
    if user is None:
        abort(401)
    return user


def optional_actor() -> User | None:
    user: User | None = g.get("api_user")
    return user


def token_required(view: Callable[P, R]) -> Callable[P, R]:
    """Document and enforce a bearer token on an operation."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        current_actor()
        return view(*args, **kwargs)

    doc = getattr(view, "_apidoc", {})
    manual = {**doc.get("manual_doc", {}), "security": BEARER}
    wrapped._apidoc = {**doc, "manual_doc": manual}  # type: ignore[attr-defined]
    return wrapped


__all__ = ["before_api_request", "current_actor", "optional_actor"]
