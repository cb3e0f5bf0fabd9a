"""The JSON API under /api/v1: flask-smorest blueprints over the same services as the web UI.

The OpenAPI document is generated from the marshmallow schemas of the routes and served at
/api/v1/openapi.json; /api/v1/docs shows it with Swagger UI, served from static/swagger-ui.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable
from http import HTTPStatus
from typing import cast

from flask import Flask, request
from flask.typing import ResponseReturnValue, RouteCallable
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from coprod.api import problems
from coprod.api.auth import before_api_request
from coprod.api.fields import ProblemSchema
from coprod.api.jsonbody import refuse_hostile_body

PREFIX = "/api/v1"
MODULES = [
    "tokens",
    "accounts",
    "recovery",
    "organisations",
    "programmes",
    "tasks",
    "signups",
    "home",
    "contributions",
    "reports",
    "calendar",
    "letters",
    "exports",
    "proposals",
    "feedback",
    "moderation",
    "matching",
    "qualifications",
    "agreements",
    "decisions",
    "pilots",
    "commitments",
    "docs",
]
DESCRIPTION = """The coprod JSON API: everything a person does in the browser, under the same rules.

Authenticate with a personal access token: `Authorization: Bearer <token>`. Create one on your
account page or with `POST /api/v1/tokens`. Errors are `application/problem+json`. Lists take
`page` and `per_page` (at most 100) and answer `{items, page, per_page, total}`. Times are ISO
8601 instants with an offset, answered in UTC; organisations, programmes, tasks and shifts name
their IANA `timezone`, the local time people see on the web; dates are `YYYY-MM-DD` (a log's
date is a day of the programme's local calendar)."""


class CoprodApi(Api):
    """flask-smorest's Api with problem+json error responses and no error handler of its own
    (coprod.api.problems answers every error under /api/)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        problems.register(self._app)

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if not 100 <= status < 200 and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "An error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, problems.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def _public(view: RouteCallable) -> RouteCallable:
    """Mark a view public for the HTML login gate (a bound method gets a plain wrapper)."""
    if not inspect.isfunction(view):
        view = _plain(view)
    view._public = True  # type: ignore[union-attr]
    return view


def _plain(bound: RouteCallable) -> RouteCallable:
    """A function that calls a bound method (which takes no attribute)."""

    def view(
        *args: object, **kwargs: object
    ) -> ResponseReturnValue | Awaitable[ResponseReturnValue]:
        return bound(*args, **kwargs)

    # Which of the two kinds of view it is, it is the same kind as the method it calls.
    return cast("RouteCallable", view)


def init_app(app: Flask) -> None:
    """Mount the API: its blueprints, the OpenAPI document, token auth and problem+json."""
    app.config.setdefault("API_TITLE", "coprod API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
        },
    )
    api = CoprodApi(app)
    from coprod.extensions import csrf

    for name in MODULES:
        module = importlib.import_module(f"coprod.api.{name}")
        blp = module.blp
        csrf.exempt(blp)
        if getattr(module, "IN_SPEC", True):
            api.register_blueprint(blp)
        else:
            app.register_blueprint(blp)
    csrf.exempt(app.blueprints["api-docs"])

    @app.before_request
    def _api_auth() -> ResponseReturnValue | None:
        if (request.blueprint or "").startswith("api_"):
            before_api_request()
            return refuse_hostile_body(request)
        return None

    # The HTML login gate redirects to /login; the API authenticates each request itself.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".", 1)[0].startswith("api"):
            app.view_functions[endpoint] = _public(view)
    app.extensions["coprod-api"] = api
