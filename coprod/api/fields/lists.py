"""Lists: page numbers and cursors in the query, and the answers around their items."""

from __future__ import annotations

from typing import Any, Protocol, TypedDict

import marshmallow as ma
from flask import request, url_for
from marshmallow import fields, validate

from coprod.i18n import _
from coprod.services.pagination import MAX_PAGE, MAX_PER_PAGE


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


class PageArgsData(TypedDict):
    """What `PageArgs` loads."""

    page: int
    per_page: int


def _no_pages(value: object) -> None:
    raise ma.ValidationError(
        _("This list has no page numbers: follow the `next` link of each answer instead.")
    )


class CursorArgs(ma.Schema):
    """A list read by cursor: the first items, or those after `after` (the `next` of the
    previous answer). A `page` number is refused (422) with a message that says so."""

    page = fields.Raw(
        load_default=None,
        validate=_no_pages,
        metadata={"description": "Not accepted: follow `next` instead.", "deprecated": True},
    )

    after = fields.String(
        load_default=None,
        metadata={"description": "Where to continue: the `next` cursor of the previous answer."},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per answer, 1 to {MAX_PER_PAGE}."},
    )


class CursorArgsData(TypedDict):
    """What `CursorArgs` loads."""

    page: None
    after: str | None
    per_page: int


def window_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """{items, per_page, next} around a list of `item` read by cursor: `next` is the link to
    the following items (the same query with `after=`), null at the end."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "per_page": fields.Integer(required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Link to the following items; null at the end."},
            ),
        },
    )


class Cursors(Protocol):
    """What an answer reads of a window (coprod.services.keyset.Window): its size, and the
    cursor to the next one (None at the end)."""

    @property
    def per_page(self) -> int: ...

    @property
    def next(self) -> str | None: ...


def window_out(
    window: Cursors, items: list[dict[str, object]], endpoint: str, **values: int
) -> dict[str, object]:
    """The answer for a window: its items and a `next` link that keeps the request's filters."""
    nxt = None
    if window.next is not None:
        args = {k: v for k, v in request.args.items() if k not in ("after", "page")}
        # The route's values and the query: url_for types only its own keywords (_external…).
        query: dict[str, Any] = {**args, **values, "after": window.next}
        nxt = url_for(endpoint, **query)
    return {"items": items, "per_page": window.per_page, "next": nxt}


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
