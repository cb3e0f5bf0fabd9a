"""Bounds on the dates and numbers people type, checked before anything is computed from them,
so a year 1 or 9999, or a number with hundreds of digits, is a field message and never an
overflow deep in a query or a report (forms, query strings, the API and the CLI alike)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol

from coprod.errors import Invalid
from coprod.i18n import _, current_language

MIN_YEAR, MAX_YEAR = 1900, 9000
MIN_DAY, MAX_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
# In English, for the API's documentation; people read day_range_message() in their language.
DAY_RANGE = f"Enter a date between {MIN_DAY:%Y-%m-%d} and {MAX_DAY:%Y-%m-%d}."
# Longer than any amount a person means (a trillion with cents is 16 characters).
MAX_NUMBER_TEXT = 32
CENT = Decimal("0.01")
MAX_ID = 2**31 - 1
_WIDE = Context(prec=MAX_NUMBER_TEXT + 10)


def as_id(raw: str | None) -> int | None:
    """An object's id typed in a query string, or None when it is not one (no id has more
    than ten digits; the database's integer ends at MAX_ID)."""
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


def day_range_message() -> str:
    """What a date outside the range gets told, in the reader's language."""
    return _(
        "Enter a date between %(first)s and %(last)s.",
        first=MIN_DAY.isoformat(),
        last=MAX_DAY.isoformat(),
    )


def check_day(value: date, field: str) -> date:
    """The date, when it lies in the years people and reports deal with."""
    if not MIN_DAY <= value <= MAX_DAY:
        raise Invalid(field, day_range_message())
    return value


def check_instant(value: datetime, field: str) -> datetime:
    """The time, when its year lies in the same range as dates."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid(
            field,
            _(
                "Enter a time between the years %(first)s and %(last)s.",
                first=MIN_YEAR,
                last=MAX_YEAR,
            ),
        )
    return value


def parse_day(
    raw: date | str | None,
    field: str,
    *,
    label: str = "The date",
    required: bool = False,
    example: str = "2026-06-20",
) -> date | None:
    """A date from a form or a query string (YYYY-MM-DD) within the range; None when empty
    and optional; Invalid on the field otherwise."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return check_day(raw, field)
    text = (raw or "").strip()
    if not text:
        if required:
            raise Invalid(field, _("Enter %(label)s.", label=label.lower()))
        return None
    try:
        value = date.fromisoformat(text) if len(text) <= 10 else None
    except ValueError:
        value = None
    if value is None:
        raise Invalid(
            field,
            _("%(label)s must be a real date, like %(example)s.", label=label, example=example),
        )
    return check_day(value, field)


_SPACES = str.maketrans("", "", " \u00a0\u202f'")


def read_decimal(text: str) -> Decimal:
    """A number typed in the reader's language: its decimal sign and grouping ("1.234,5" in
    Spanish, "1,234.5" in English); a dot is always taken as a decimal sign where the
    language's own (a comma) does not appear, so "2.5" means two and a half everywhere.
    Raises InvalidOperation when the text is not a number (its length bounded first)."""
    compact = text.strip().translate(_SPACES)
    if not compact or len(compact) > MAX_NUMBER_TEXT:
        raise InvalidOperation(text)
    decimal_sign = get_decimal_symbol(current_language())
    if decimal_sign == ",":
        if "," in compact:
            compact = compact.replace(".", "").replace(",", ".")
    else:
        compact = compact.replace(get_group_symbol(current_language()), "")
    value = Decimal(compact)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def parse_number(raw: Decimal | str | int | None, field: str, message: str) -> Decimal | None:
    """A finite Decimal from typed text (`read_decimal`: the reader's decimal sign and
    grouping), None when blank; the text's length is bounded before it is converted."""
    if raw is None or isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        if not str(raw).strip():
            return None
        try:
            value = read_decimal(str(raw))
        except InvalidOperation:
            raise Invalid(field, message) from None
    if value is not None and not value.is_finite():
        raise Invalid(field, message)
    return value


def two_places(value: Decimal) -> bool:
    """True when the number has at most two decimal places (any size, never an exception)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return False
    if exponent >= -2:
        return True
    try:
        return value == value.quantize(CENT, context=_WIDE)
    except InvalidOperation:
        return False
