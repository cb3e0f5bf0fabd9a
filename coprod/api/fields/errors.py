"""Errors: the problem+json schema, and field errors named as the API names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import marshmallow as ma
from marshmallow import fields

from coprod.errors import Invalid, NotFound

T = TypeVar("T")


class ProblemSchema(ma.Schema):
    """application/problem+json (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by field, for invalid values."},
    )


def referenced(call: Callable[[], T], field: str) -> T:
    """An object named by an id in the body: a missing one is an invalid value (422)."""
    try:
        return call()
    except NotFound as err:
        raise Invalid(field, err.message) from None


def renamed(call: Callable[[], T], names: dict[str, str]) -> T:
    """Call a service whose field errors use the web form's names; answer with the API's."""
    try:
        return call()
    except Invalid as err:
        raise Invalid.many({names.get(f, f): m for f, m in err.errors.items()}) from None
