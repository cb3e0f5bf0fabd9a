"""problem+json (RFC 9457) for every error under /api/: domain errors, HTTP errors, bugs.

The `detail` (and the field messages) are in the request's Accept-Language (coprod.i18n); the
`title` is the status's standard English phrase, like the status code a fixed name."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable
from http import HTTPStatus
from typing import cast

from flask import Flask, Response, json, request
from flask.typing import ErrorHandlerCallable, ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from coprod.db import db, unavailable
from coprod.errors import DomainError, Invalid
from coprod.i18n import _, _l

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"
log = logging.getLogger(__name__)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, object] | None = None,
) -> Response:
    """A problem+json response: {type, title, status, detail[, errors]}, with any extension
    members (never replacing those)."""
    body: dict[str, object] = {
        **(extensions or {}),
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it here."""
    return message


# marshmallow's own messages, which it writes in English: each msgid is also the pattern that
# recognises one (a %(name)s stands for the value marshmallow put there; the longer of two
# that begin alike comes first), so a Spanish reader gets "Falta este dato obligatorio." where
# marshmallow said "Missing data for required field.".
SCHEMA_MESSAGES = [
    N_("Missing data for required field."),
    N_("Unknown field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid string."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Must be one of: %(choices)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than %(max)s."),
    N_("Must be greater than %(min)s and less than %(max)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be greater than %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be less than %(max)s."),
]


def _pattern(msgid: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", msgid)  # text, name, text, name, …, text
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.S)


_SCHEMA_PATTERNS = [(_pattern(msgid), msgid) for msgid in SCHEMA_MESSAGES]


def schema_message(message: str) -> str:
    """One of marshmallow's English messages in the request's language (others as they are)."""
    for pattern, msgid in _SCHEMA_PATTERNS:
        found = pattern.match(message)
        if found:
            return _(msgid, **found.groupdict())
    return message


def _flatten(messages: object, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages ({"json": {"a": {"0": {"b": [...]}}}}) as {"a.0.b": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, msgs in _flatten(value, name).items():
                out.setdefault(field, []).extend(msgs)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "_"] = [schema_message(str(m)) for m in messages]
        else:
            for item in messages:
                for field, msgs in _flatten(item, prefix).items():
                    out.setdefault(field, []).extend(msgs)
    else:
        out[prefix or "_"] = [schema_message(str(messages))]
    return out


LOCATIONS = ("json", "query", "path", "headers", "form", "files", "cookies")


def _validation_errors(messages: object) -> dict[str, list[str]]:
    """Field messages without webargs's location level (query and body fields never clash)."""
    if isinstance(messages, dict) and set(messages) <= set(LOCATIONS):
        merged: dict[str, list[str]] = {}
        for inner in messages.values():
            for field, msgs in _flatten(inner).items():
                merged.setdefault(field, []).extend(msgs)
        return merged
    return _flatten(messages)


DETAILS = {
    401: _l("Send a valid personal access token: Authorization: Bearer <token>."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    413: _l("The request body is too large."),
    415: _l("Send the request body as application/json."),
    429: _l("Too many attempts. Wait a few minutes, then try again."),
}
# What a werkzeug error says when no view gave it a description of its own.
GENERIC = {
    400: _l("The request is not valid."),
    403: _l("You are not allowed to do that."),
}


def from_http(err: HTTPException) -> Response:
    """webargs raises 422 with field messages and 400 for a body that is not JSON; the rest
    are werkzeug's own HTTP errors."""
    status = err.code or 500
    messages = (getattr(err, "data", None) or {}).get("messages")
    errors = None
    if status == 422 and messages:
        errors, detail = _validation_errors(messages), _("Some values are not valid: see errors.")
    elif status == 400 and messages:
        detail = _("The request body is not valid JSON.")
    elif status in DETAILS:
        detail = str(DETAILS[status])
    elif status in GENERIC and err.description == type(err).description:
        detail = str(GENERIC[status])
    else:
        detail = err.description or HTTPStatus(status).phrase
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="coprod"'
    if isinstance(err, MethodNotAllowed) and err.valid_methods:
        headers["Allow"] = ", ".join(err.valid_methods)
    return problem(status, detail, errors=errors, headers=headers)


def from_domain(err: DomainError) -> Response:
    db.session.rollback()
    errors = err.errors if isinstance(err, Invalid) else None
    return problem(err.status, err.message, errors=errors, extensions=err.extensions)


def to_problem(err: BaseException) -> Response:
    err = unavailable(err) or err  # the database unreachable or lost: 503, not a bug
    if isinstance(err, DomainError):
        return from_domain(err)
    if isinstance(err, HTTPException):
        original = getattr(err, "original_exception", None)
        if err.code == 500 and original is not None:
            log.error("API request failed", exc_info=original)
        if err.code == 500:
            db.session.rollback()
            return problem(500, _("Something went wrong on our side. Nothing was changed."))
        return from_http(err)
    log.error("API request failed", exc_info=err)
    db.session.rollback()
    return problem(500, _("Something went wrong on our side. Nothing was changed."))


def _api_first(handler: ErrorHandlerCallable) -> ErrorHandlerCallable:
    @functools.wraps(handler)
    def wrapped(err: BaseException) -> ResponseReturnValue | Awaitable[ResponseReturnValue]:
        if is_api_request():
            return to_problem(err)
        return handler(err)

    # Which of the two kinds of handler it is, it is the same kind as the one it wraps.
    return cast("ErrorHandlerCallable", wrapped)


def register(app: Flask) -> None:
    """Answer problem+json under /api/ from every error handler the web side registered, and
    for domain errors, HTTP errors and unexpected exceptions."""
    spec = app.error_handler_spec.setdefault(None, {})
    for handlers in spec.values():
        for cls, handler in list(handlers.items()):
            handlers[cls] = _api_first(handler)
    generic = spec.setdefault(None, {})
    for cls in (DomainError, HTTPException):
        generic.setdefault(cls, to_problem)
    spec.setdefault(500, {}).setdefault(InternalServerError, to_problem)
