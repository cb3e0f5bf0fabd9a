"""Marshmallow fields and schemas every API module uses: ids, text, dates, pages, problems."""

from __future__ import annotations

from coprod.api.fields.errors import ProblemSchema, referenced, renamed
from coprod.api.fields.lists import CursorArgs, PageArgs, page_schema, window_out, window_schema
from coprod.api.fields.text import (
    EMAIL_PATTERN,
    MULTILINE_PATTERN,
    Check,
    Currency,
    Email,
    Line,
    Password,
    Pattern,
    Text,
    TimeZone,
    lazy_error,
)
from coprod.api.fields.values import (
    DAY_PATTERN,
    LIMIT,
    MAX_ID,
    TIME_PATTERN,
    YEARS,
    Amount,
    Day,
    DayRange,
    DecimalIn,
    Id,
    Number,
    TimeIn,
    UTCDateTime,
)

__all__ = [
    "DAY_PATTERN",
    "EMAIL_PATTERN",
    "LIMIT",
    "MAX_ID",
    "MULTILINE_PATTERN",
    "TIME_PATTERN",
    "YEARS",
    "Amount",
    "Check",
    "Currency",
    "CursorArgs",
    "Day",
    "DayRange",
    "DecimalIn",
    "Email",
    "Id",
    "Line",
    "Number",
    "PageArgs",
    "Password",
    "Pattern",
    "ProblemSchema",
    "Text",
    "TimeIn",
    "TimeZone",
    "UTCDateTime",
    "lazy_error",
    "page_schema",
    "referenced",
    "renamed",
    "window_out",
    "window_schema",
]
