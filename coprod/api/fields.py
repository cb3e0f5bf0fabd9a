"""Marshmallow fields and schemas every API module uses: ids, text, dates, pages, problems."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

import marshmallow as ma
from flask import request, url_for
from flask_babel import LazyString
from marshmallow import fields, validate

from coprod.errors import Invalid, NotFound
from coprod.i18n import _, _l
from coprod.services import localtime, money, passwords
from coprod.services.accounts import normalise_email
from coprod.services.bounds import DAY_RANGE, MAX_YEAR, MIN_YEAR, check_day, two_places
from coprod.services.bounds import MAX_ID as MAX_ID
from coprod.services.keyset import Window
from coprod.services.pagination import MAX_PAGE, MAX_PER_PAGE
from coprod.services.text import (
    NON_BLANK_ONE_LINE_PATTERN,
    NON_BLANK_TEXT_PATTERN,
    ONE_LINE_PATTERN,
    storable,
)

T = TypeVar("T")
Check = Callable[[Any], Any]


def _plain_text(value: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if not storable(value):
        raise ma.ValidationError(_("The text contains a character that is not allowed."))


class Pattern(validate.Validator):
    """A check that the OpenAPI document shows as `pattern` (apispec reads `regex`); its message
    is lazy (`_l`), given in the request's language."""

    def __init__(self, pattern: str, error: Any) -> None:
        self.regex = re.compile(pattern)
        self.message = error

    def __call__(self, value: Any) -> Any:
        if not self.regex.match(value):
            raise ma.ValidationError(str(self.message))
        return value


MULTILINE_PATTERN = r"^[^\x00]*$"


def Text(*, max_len: int = 10_000, blank: bool = True, **kwargs: Any) -> fields.String:
    """Free text over several lines (descriptions, notes, comments): no NUL characters; unless
    `blank` is allowed, something other than white space (reasons)."""
    # One pattern a field (the document shows only the first); the non-blank one has no NUL.
    pattern = Pattern(MULTILINE_PATTERN, _l("Remove the NUL character."))
    if not blank:
        pattern = Pattern(NON_BLANK_TEXT_PATTERN, _l("Enter some text (without NUL characters)."))
    checks: list[Check] = [
        _plain_text,
        pattern,
        validate.Length(min=None if blank else 1, max=max_len),
    ]
    return fields.String(validate=checks, **kwargs)


def Line(*, max_len: int, blank: bool = False, **kwargs: Any) -> fields.String:
    """One line of text (names, titles, places, units): no line breaks, tabs or other control
    characters (coprod.services.text); unless `blank` is allowed, at least one character
    that is not a space."""
    pattern = ONE_LINE_PATTERN if blank else NON_BLANK_ONE_LINE_PATTERN
    error = _l("Use one line, without line breaks, tabs or control characters.")
    if not blank:
        error = _l("Enter some text on one line, without line breaks, tabs or control characters.")
    length = validate.Length(min=None if blank else 1, max=max_len)
    checks: list[Check] = [_plain_text, Pattern(pattern, error), length]
    return fields.String(validate=checks, **kwargs)


# An address email_validator accepts (no quoted or IP forms, no "--" or overlong labels): a
# narrower pattern than the service's rule, so a client following it is never refused.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}"
    r"@([A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,2}\.){1,3}[A-Za-z]{2,20}$"
)


def _email(value: str) -> None:
    try:
        normalise_email(value)
    except Invalid as err:
        raise ma.ValidationError(err.message) from None


def Email(**kwargs: Any) -> fields.String:
    """An email address, checked as the services check it; the pattern in the document is the
    usual shape (narrower than what is accepted, so a client following it is never refused)."""
    checks: list[Check] = [_plain_text, validate.Length(min=3, max=254), _email]
    kwargs.setdefault("metadata", {}).update(pattern=EMAIL_PATTERN, format="email")
    return fields.String(validate=checks, **kwargs)


def lazy_error(message: LazyString) -> str:
    """A lazy message where marshmallow's validators take a str: they format it only when they
    refuse a value, so it is said in the request's language (str() here would fix the language
    when the module is imported)."""
    return cast(str, message)


def TimeZone(**kwargs: Any) -> fields.String:
    """An IANA time zone name (Europe/London): one of the zone database's names, listed in the
    document (the services check it again: coprod.services.localtime.check_zone)."""
    names = validate.OneOf(
        localtime.zone_names(),
        error=lazy_error(
            _l("Unknown time zone: use an IANA name such as Europe/London or America/New_York.")
        ),
    )
    kwargs.setdefault("metadata", {}).setdefault("example", "Europe/London")
    return fields.String(validate=names, **kwargs)


def Currency(**kwargs: Any) -> fields.String:
    """An ISO 4217 currency code coprod supports (GBP, USD, EUR…), listed in the document (the
    services check it again: coprod.services.money.check_currency)."""
    codes = validate.OneOf(
        money.SUPPORTED_CURRENCIES,
        error=lazy_error(
            _l("Unknown currency: use a supported ISO 4217 code such as GBP, USD or EUR.")
        ),
    )
    kwargs.setdefault("metadata", {}).setdefault("example", "GBP")
    return fields.String(validate=codes, **kwargs)


def Password(**kwargs: Any) -> fields.String:
    """A new password: its length, and no NUL (the services also refuse common passwords and
    ones with fewer than four different characters, which no schema can say)."""
    checks: list[Check] = [
        _plain_text,
        Pattern(MULTILINE_PATTERN, _l("Remove the NUL character.")),
        validate.Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH),
    ]
    metadata = {
        "description": f"{passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters, at least "
        "4 different ones, not a common password.",
        **kwargs.pop("metadata", {}),
    }
    return fields.String(validate=checks, metadata=metadata, **kwargs)


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An object's id: a JSON integer in a body (strict), digits in a query string."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


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


def Day(**kwargs: Any) -> fields.Date:
    metadata = kwargs.pop("metadata", {})
    metadata.setdefault("description", "")
    metadata["description"] = (metadata["description"] + f" {DAY_RANGE}").strip()
    return fields.Date(validate=DayRange(), metadata=metadata, **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """An ISO 8601 time; one without an offset is taken as UTC; always handed over in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ma.ValidationError(
                _("Enter a time between the years %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR)
            )
        return parsed.astimezone(UTC)


class TimeIn(UTCDateTime):
    """A time a client sends: the document states its years and its shape."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        metadata.setdefault("pattern", TIME_PATTERN)
        metadata["description"] = (
            metadata.get("description", "")
            + f" Between the years {MIN_YEAR} and {MAX_YEAR}; an offset, or UTC without one."
        ).strip()
        super().__init__(metadata=metadata, **kwargs)


LIMIT = 10**12


class DecimalIn(fields.Decimal):
    """A Decimal read from a JSON number (via its text, so 2.1 stays 2.1), shown as a number
    in the document."""

    def _serialize(  # type: ignore[override]
        self, value: Any, attr: Any, obj: Any, **kwargs: Any
    ) -> float | None:
        return None if value is None else float(value)


def Amount(
    *,
    minimum: Decimal | int = -LIMIT,
    maximum: Decimal | int = LIMIT,
    above_minimum: bool = False,
    **kwargs: Any,
) -> fields.Decimal:
    """A number in hundredths (at most two decimal places) within a range, as the services
    take it; `above_minimum` makes the minimum exclusive (hours: more than 0)."""
    metadata = {"multipleOf": 0.01, **kwargs.pop("metadata", {})}
    if above_minimum:
        metadata["exclusiveMinimum"] = True
    checks: list[Check] = [
        validate.Range(min=minimum, max=maximum, min_inclusive=not above_minimum),
        _hundredths,
    ]
    return DecimalIn(allow_nan=False, validate=checks, metadata=metadata, **kwargs)


def _hundredths(value: Decimal) -> None:
    if not two_places(value):
        raise ma.ValidationError(_("Use at most two decimal places."))


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


def _no_pages(value: Any) -> None:
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


def window_out(
    window: Window[Any], items: list[Any], endpoint: str, **values: Any
) -> dict[str, Any]:
    """The answer for a window: its items and a `next` link that keeps the request's filters."""
    nxt = None
    if window.next is not None:
        args = {k: v for k, v in request.args.items() if k not in ("after", "page")}
        nxt = url_for(endpoint, **{**args, **values, "after": window.next})
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
