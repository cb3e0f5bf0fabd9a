"""Ids, dates, times and numbers: fields that state their ranges in the document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Unpack

import marshmallow as ma
from marshmallow import fields, validate

from coprod.api.fields.text import Check, FieldOptions, Metadata
from coprod.errors import Invalid
from coprod.i18n import _
from coprod.services.bounds import DAY_RANGE, MAX_YEAR, MIN_YEAR, check_day, two_places
from coprod.services.bounds import MAX_ID as MAX_ID


def Id(
    *, strict: bool = True, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]
) -> fields.Integer:
    """An object's id: a JSON integer in a body (strict), digits in a query string."""
    ids = validate.Range(min=1, max=MAX_ID)
    return fields.Integer(strict=strict, validate=ids, metadata=metadata, **kwargs)


# Years MIN_YEAR..MAX_YEAR (1900-9000) as a pattern on the text, for the document.
YEARS = r"(19[0-9]{2}|[2-8][0-9]{3}|9000)"
DAY_PATTERN = rf"^{YEARS}-"
TIME_PATTERN = (
    rf"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{{1,6}})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


class DayRange(validate.Validator):
    """A date within MIN_DAY..MAX_DAY (shown in the document as a pattern on the year)."""

    regex = re.compile(DAY_PATTERN)

    def __call__(self, value: date) -> date:
        try:
            return check_day(value, "date")
        except Invalid as err:
            raise ma.ValidationError(err.message) from None


def Day(*, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> fields.Date:
    shown = dict(metadata or {})
    shown["description"] = f"{shown.get('description', '')} {DAY_RANGE}".strip()
    return fields.Date(validate=DayRange(), metadata=shown, **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 time; one without an offset is taken as UTC; always handed over in UTC."""

    def __init__(self, *, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> None:
        super().__init__(default_timezone=UTC, metadata=metadata, **kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, object] | None, **kwargs: object
    ) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ma.ValidationError(
                _("Enter a time between the years %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR)
            )
        return parsed.astimezone(UTC)


class TimeIn(UTCDateTime):
    """A time a client sends: the document states its years and its shape."""

    def __init__(self, *, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> None:
        shown = dict(metadata or {})
        shown.setdefault("pattern", TIME_PATTERN)
        shown["description"] = (
            f"{shown.get('description', '')}"
            f" Between the years {MIN_YEAR} and {MAX_YEAR}; an offset, or UTC without one."
        ).strip()
        super().__init__(metadata=shown, **kwargs)


LIMIT = 10**12


class DecimalIn(fields.Decimal):
    """A Decimal read from a JSON number (via its text, so 2.1 stays 2.1), shown as a number
    in the document."""

    def _serialize(  # type: ignore[override]
        self, value: Decimal | None, attr: str | None, obj: object, **kwargs: object
    ) -> float | None:
        return None if value is None else float(value)


def Amount(
    *,
    minimum: Decimal | int = -LIMIT,
    maximum: Decimal | int = LIMIT,
    above_minimum: bool = False,
    metadata: Metadata | None = None,
    **kwargs: Unpack[FieldOptions],
) -> fields.Decimal:
    """A number in hundredths (at most two decimal places) within a range, as the services
    take it; `above_minimum` makes the minimum exclusive (hours: more than 0)."""
    shown: Metadata = {"multipleOf": 0.01, **(metadata or {})}
    if above_minimum:
        shown["exclusiveMinimum"] = True
    checks: list[Check] = [
        validate.Range(min=minimum, max=maximum, min_inclusive=not above_minimum),
        _hundredths,
    ]
    return DecimalIn(allow_nan=False, validate=checks, metadata=shown, **kwargs)


def _hundredths(value: Decimal) -> None:
    if not two_places(value):
        raise ma.ValidationError(_("Use at most two decimal places."))


class Number(fields.Float):
    """A Decimal (or float) given out as a JSON number."""

    def _serialize(
        self, value: Decimal | float | None, attr: str | None, obj: object, **kwargs: object
    ) -> float | None:
        return None if value is None else float(value)
