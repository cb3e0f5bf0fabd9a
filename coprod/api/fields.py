"""Marshmallow fields and schemas every API module uses: ids, text, dates, pages, problems."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import marshmallow as ma
from marshmallow import fields, validate

from coprod.errors import Invalid, NotFound
from coprod.services.bounds import MAX_ID as MAX_ID
from coprod.services.pagination import MAX_PAGE, MAX_PER_PAGE

T = TypeVar("T")


def _plain_text(value: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ma.ValidationError("The text contains a character that is not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("The text is not valid Unicode.") from None


def Text(*, max_len: int = 10_000, **kwargs: Any) -> fields.String:
    return fields.String(validate=[_plain_text, validate.Length(max=max_len)], **kwargs)


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An object's id: a JSON integer in a body (strict), digits in a query string."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def _sane_day(value: date) -> None:
    if not 1900 <= value.year <= 9000:
        raise ma.ValidationError("Enter a date between the years 1900 and 9000.")


def Day(**kwargs: Any) -> fields.Date:
    return fields.Date(validate=_sane_day, **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 time; one without an offset is taken as UTC; always handed over in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not 1900 <= parsed.year <= 9000:
            raise ma.ValidationError("Enter a time between the years 1900 and 9000.")
        return parsed.astimezone(UTC)


LIMIT = 10**12


class DecimalIn(fields.Decimal):
    """A Decimal read from a JSON number (via its text, so 2.1 stays 2.1), shown as a number
    in the document."""

    def _serialize(  # type: ignore[override]
        self, value: Any, attr: Any, obj: Any, **kwargs: Any
    ) -> float | None:
        return None if value is None else float(value)


def Amount(**kwargs: Any) -> fields.Decimal:
    """A number in; the services check its range and decimal places."""
    return DecimalIn(allow_nan=False, validate=validate.Range(min=-LIMIT, max=LIMIT), **kwargs)


class Number(fields.Float):
    """A Decimal (or float) given out as a JSON number."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else float(value)


class PageArgs(ma.Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, 1 to {MAX_PER_PAGE}."},
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """{items, page, per_page, total} around a list of `item`."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
    )


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
