"""A window of a list by keyset: the rows after (or before) a cursor, in the list's own order.

OFFSET pagination reads and throws away every row before the page, and its page count needs an
exact COUNT of the whole list: both grow with the list. A keyset window starts where the last
one ended (`WHERE (key, id) > (last key, last id)`), served by an index on the sort key, so the
last window of a list of a million rows costs what the first one does. Counts are capped
(`capped_count`): "more than 1,000" instead of an exact COUNT over everything.

A cursor is the sort key of a row, encoded for a URL (`?after=` / `?before=`); a cursor that
does not decode, or does not fit the list, is a field error on `after`/`before`, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _
from coprod.services.pagination import MAX_PER_PAGE

T = TypeVar("T")

MAX_CURSOR = 400  # characters: a few keys of dates, numbers and short text fit easily
COUNT_CAP = 1000  # lists count their rows up to this, then say "more than"

KINDS: dict[type, str] = {int: "i", str: "s", datetime: "t", date: "d", Decimal: "n", bool: "b"}


@dataclass(frozen=True)
class Key:
    """One sort key of a list: a column (or expression) that is never NULL, its Python type,
    and its direction. The last key of every list must be unique (the row's id)."""

    column: ColumnElement[Any]
    kind: type = int
    descending: bool = False


@dataclass(frozen=True)
class Window(Generic[T]):
    """One window of a list: its items, and cursors to the windows on either side (None at the
    ends). `after`/`before` echo the cursor this window was read from."""

    items: list[T]
    per_page: int
    next: str | None
    prev: str | None
    first: bool  # the window starts the list (no cursor, or nothing before it)

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @property
    def has_prev(self) -> bool:
        return self.prev is not None


@dataclass(frozen=True)
class Count:
    """How many rows a list has, counted up to a cap: `more` means "more than `n`"."""

    n: int
    more: bool


def invalid_cursor(field: str) -> Invalid:
    return Invalid(
        field,
        _("This link to a part of the list no longer works. Start again from the first page."),
    )


def encode(values: Sequence[Any]) -> str:
    """A cursor for a row's key values (URL-safe, no padding)."""
    packed: list[Any] = []
    for value in values:
        if isinstance(value, bool):
            packed.append(["b", value])
        elif isinstance(value, int):
            packed.append(["i", value])
        elif isinstance(value, datetime):
            packed.append(["t", value.isoformat()])
        elif isinstance(value, date):
            packed.append(["d", value.isoformat()])
        elif isinstance(value, Decimal):
            packed.append(["n", str(value)])
        elif isinstance(value, str):
            packed.append(["s", value])
        else:  # a key that is not one of the kinds above is a programming error
            raise TypeError(f"cannot put {type(value).__name__} in a cursor")
    raw = json.dumps(packed, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str | None, keys: Sequence[Key], field: str) -> tuple[Any, ...] | None:
    """The key values in a cursor; None when there is none; Invalid on `field` when it does not
    decode or does not fit these keys."""
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise invalid_cursor(field)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        packed = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_cursor(field) from None
    if not isinstance(packed, list) or len(packed) != len(keys):
        raise invalid_cursor(field)
    values: list[Any] = []
    for item, key in zip(packed, keys, strict=True):
        if not (isinstance(item, list) and len(item) == 2 and item[0] == KINDS.get(key.kind)):
            raise invalid_cursor(field)
        values.append(_value(item[1], key.kind, field))
    return tuple(values)


def _value(raw: Any, kind: type, field: str) -> Any:
    try:
        if kind is bool and isinstance(raw, bool):
            return raw
        # A bigint at most, or the database refuses it.
        if kind is int and isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 2**63:
            return raw
        if kind is str and isinstance(raw, str) and len(raw) <= MAX_CURSOR:
            return raw
        if kind is datetime and isinstance(raw, str):
            return datetime.fromisoformat(raw)
        if kind is date and isinstance(raw, str):
            return date.fromisoformat(raw)
        if kind is Decimal and isinstance(raw, str) and len(raw) <= 40:
            value = Decimal(raw)
            if value.is_finite():
                return value
    except (ValueError, InvalidOperation):
        pass
    raise invalid_cursor(field)


def _bind(key: Key, value: Any) -> ColumnElement[Any]:
    """The value bound with its column's type (a UTC datetime column stores text on SQLite)."""
    return literal(value, type_=key.column.type)


def _beyond(keys: Sequence[Key], values: Sequence[Any], backwards: bool) -> ColumnElement[bool]:
    """Rows strictly past `values` in the list's order (before them when `backwards`)."""
    if len({k.descending for k in keys}) == 1:
        # One direction for every key: a row-value comparison, which an index serves.
        left = tuple_(*[k.column for k in keys])
        right = tuple_(*[_bind(k, v) for k, v in zip(keys, values, strict=True)])
        return left < right if keys[0].descending != backwards else left > right
    terms = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == _bind(keys[j], values[j]) for j in range(i)]
        value = _bind(key, values[i])
        past = key.column < value if key.descending != backwards else key.column > value
        terms.append(and_(*equal, past))
    return or_(*terms) if terms else false()


def window(
    session: Session,
    stmt: Select[Any],
    keys: Sequence[Key],
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    rows: bool = False,
) -> Window[Any]:
    """The `per_page` rows of `stmt` after the cursor `after` (or before `before`; the first
    ones without either) in the order of `keys`. `stmt` selects one entity (items are that
    entity) or, with `rows=True`, plain rows (items are the rows, with the key columns added
    as `_k0`, `_k1`, …). `stmt` must not have its own ORDER BY."""
    start, end = _cursors(keys, after, before, per_page)
    backwards = end is not None
    labelled = [k.column.label(f"_k{i}") for i, k in enumerate(keys)]
    query = stmt.add_columns(*labelled)
    if start is not None:
        query = query.where(_beyond(keys, start, backwards=False))
    if end is not None:
        query = query.where(_beyond(keys, end, backwards=True))
    order = [(k.column.desc() if k.descending != backwards else k.column.asc()) for k in keys]
    found = list(
        session.execute(query.order_by(None).order_by(*order).limit(per_page + 1)).unique()
    )
    n = len(keys)
    return _assemble(
        found,
        [row if rows else row[0] for row in found],
        lambda row: encode(tuple(row)[-n:]),
        start,
        end,
        per_page,
    )


def segmented_window(
    session: Session,
    segments: Sequence[Select[Any] | None],
    keys: Sequence[Key],
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
) -> Window[Any]:
    """A window of one list made of several statements read one after the other, each in the
    order of `keys`: all of the first segment's rows, then the second's, ….
    Each segment is walked by its own index and stops when the window is full, where one
    statement ordered by "which segment" first would find and sort every row. A cursor holds
    the segment's number, then the keys; a segment given as None has no rows (no query)."""
    cursor_keys = [Key(literal(0), int), *keys]
    start, end = _cursors(cursor_keys, after, before, per_page)
    backwards = end is not None
    cursor = end if backwards else start
    if cursor is not None and not 0 <= cursor[0] < len(segments):
        raise invalid_cursor("before" if backwards else "after")
    order = [(k.column.desc() if k.descending != backwards else k.column.asc()) for k in keys]
    found: list[tuple[int, Any]] = []
    numbers = range(len(segments) - 1, -1, -1) if backwards else range(len(segments))
    for number in numbers:
        stmt = segments[number]
        if stmt is None:
            continue
        if cursor is not None and (number > cursor[0] if backwards else number < cursor[0]):
            continue  # a segment the cursor is past
        if cursor is not None and number == cursor[0]:
            stmt = stmt.where(_beyond(keys, cursor[1:], backwards))
        query = stmt.add_columns(*[k.column for k in keys]).order_by(None).order_by(*order)
        rows = session.execute(query.limit(per_page + 1 - len(found))).unique()
        found += [(number, row) for row in rows]
        if len(found) > per_page:
            break
    n = len(keys)
    return _assemble(
        found,
        [(number, row[0]) for number, row in found],
        lambda item: encode((item[0], *tuple(item[1])[-n:])),
        start,
        end,
        per_page,
    )


def _cursors(
    keys: Sequence[Key], after: str | None, before: str | None, per_page: int
) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """The window's size checked, and its cursors decoded (at most one of them)."""
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise Invalid("per_page", _("per_page must be between 1 and %(max)d.", max=MAX_PER_PAGE))
    errs = FieldErrors()
    start = errs.check(lambda: decode(after, keys, "after"))
    end = errs.check(lambda: decode(before, keys, "before"))
    errs.raise_if_any()
    if start is not None and end is not None:
        raise Invalid("before", _("Give either after or before, not both."))
    return start, end


def _assemble(
    found: list[Any],
    items: list[Any],
    cursor: Any,
    start: tuple[Any, ...] | None,
    end: tuple[Any, ...] | None,
    per_page: int,
) -> Window[Any]:
    """The window of up to `per_page` + 1 rows read in the walk's direction (`found`, with
    their `items`; `cursor(row)` encodes a row's keys)."""
    backwards = end is not None
    more = len(found) > per_page
    found, items = found[:per_page], items[:per_page]
    if backwards:
        found.reverse()
        items.reverse()
    if not found:
        # Nothing here: past the end (the rows were removed since the link was made) or before
        # the start. The page offers the first window again (`first` is False).
        return Window(
            items=[], per_page=per_page, next=None, prev=None, first=start is None and end is None
        )
    forward_more = more if not backwards else True  # we came from a later window
    backward_more = (start is not None) if not backwards else more
    return Window(
        items=items,
        per_page=per_page,
        next=cursor(found[-1]) if forward_more else None,
        prev=cursor(found[0]) if backward_more else None,
        first=not backward_more,
    )


def capped_count(session: Session, stmt: Select[Any], cap: int = COUNT_CAP) -> Count:
    """How many rows `stmt` has, counting at most `cap` + 1 of them (so a list of a million rows
    costs what one of a thousand does): `Count(cap, more=True)` reads "more than 1,000"."""
    limited = stmt.order_by(None).limit(cap + 1).subquery()
    n = session.scalar(select(func.count()).select_from(limited)) or 0
    return Count(n=min(n, cap), more=n > cap)
