"""API test helpers: bearer tokens for factory users, JSON requests, fresh rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from coprod.extensions import limiter
from coprod.models import User
from coprod.services import tokens

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def bearer(session: Any, user: User) -> dict[str, str]:
    """An Authorization header with a new token of the user's."""
    _token, secret = tokens.create_token(session, user, "test")
    session.flush()
    return {"Authorization": f"Bearer {secret}"}


class Api:
    """A JSON client for /api/v1 acting as one person (or nobody)."""

    def __init__(self, client: FlaskClient, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(API + path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def as_user(client: FlaskClient, session: Any) -> Any:
    """as_user(user) → an Api client with that user's token; as_user(None) → anonymous."""

    def make(user: User | None) -> Api:
        return Api(client, bearer(session, user) if user is not None else None)

    return make


def is_problem(response: Any, status: int) -> bool:
    body = response.get_json(force=True, silent=True) or {}
    return (
        response.status_code == status
        and response.mimetype == "application/problem+json"
        and body.get("status") == status
        and bool(body.get("title"))
        and bool(body.get("detail"))
    )
