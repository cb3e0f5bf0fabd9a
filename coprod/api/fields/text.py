"""Text fields: free text, one line, email addresses, time zones, currencies, passwords."""

from __future__ import annotations

import re
from typing import TypedDict, Unpack, cast

import marshmallow as ma
from flask_babel import LazyString
from marshmallow import fields, types, validate

from coprod.errors import Invalid
from coprod.i18n import _, _l
from coprod.services import localtime, money, passwords
from coprod.services.accounts import normalise_email
from coprod.services.text import (
    NON_BLANK_ONE_LINE_PATTERN,
    NON_BLANK_TEXT_PATTERN,
    ONE_LINE_PATTERN,
    storable,
)

# A validator, as marshmallow takes it.
Check = types.Validator


class FieldOptions(TypedDict, total=False):
    """The keywords the field factories pass on to marshmallow unchanged (they set `validate`
    themselves, and take `metadata` apart to add to it)."""

    required: bool
    load_default: object
    allow_none: bool
    data_key: str


Metadata = dict[str, object]


def _plain_text(value: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if not storable(value):
        raise ma.ValidationError(_("The text contains a character that is not allowed."))


class Pattern(validate.Validator):
    """A check that the OpenAPI document shows as `pattern` (apispec reads `regex`); its message
    is lazy (`_l`), given in the request's language."""

    def __init__(self, pattern: str, error: LazyString) -> None:
        self.regex = re.compile(pattern)
        self.message = error

    def __call__(self, value: str) -> str:
        if not self.regex.match(value):
            raise ma.ValidationError(str(self.message))
        return value


MULTILINE_PATTERN = r"^[^\x00]*$"


def Text(
    *,
    max_len: int = 10_000,
    blank: bool = True,
    metadata: Metadata | None = None,
    **kwargs: Unpack[FieldOptions],
) -> fields.String:
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
    return fields.String(validate=checks, metadata=metadata, **kwargs)


def Line(
    *,
    max_len: int,
    blank: bool = False,
    metadata: Metadata | None = None,
    **kwargs: Unpack[FieldOptions],
) -> fields.String:
    """One line of text (names, titles, places, units): no line breaks, tabs or other control
    characters (coprod.services.text); unless `blank` is allowed, at least one character
    that is not a space."""
    pattern = ONE_LINE_PATTERN if blank else NON_BLANK_ONE_LINE_PATTERN
    error = _l("Use one line, without line breaks, tabs or control characters.")
    if not blank:
        error = _l("Enter some text on one line, without line breaks, tabs or control characters.")
    length = validate.Length(min=None if blank else 1, max=max_len)
    checks: list[Check] = [_plain_text, Pattern(pattern, error), length]
    return fields.String(validate=checks, metadata=metadata, **kwargs)


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


def Email(*, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> fields.String:
    """An email address, checked as the services check it; the pattern in the document is the
    usual shape (narrower than what is accepted, so a client following it is never refused)."""
    checks: list[Check] = [_plain_text, validate.Length(min=3, max=254), _email]
    shown = dict(metadata or {})
    shown.update(pattern=EMAIL_PATTERN, format="email")
    return fields.String(validate=checks, metadata=shown, **kwargs)


def lazy_error(message: LazyString) -> str:
    """A lazy message where marshmallow's validators take a str: they format it only when they
    refuse a value, so it is said in the request's language (str() here would fix the language
    when the module is imported)."""
    return cast(str, message)


def TimeZone(*, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> fields.String:
    """An IANA time zone name (Europe/London): one of the zone database's names, listed in the
    document (the services check it again: coprod.services.localtime.check_zone)."""
    names = validate.OneOf(
        localtime.zone_names(),
        error=lazy_error(
            _l("Unknown time zone: use an IANA name such as Europe/London or America/New_York.")
        ),
    )
    shown = dict(metadata or {})
    shown.setdefault("example", "Europe/London")
    return fields.String(validate=names, metadata=shown, **kwargs)


def Currency(*, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> fields.String:
    """An ISO 4217 currency code coprod supports (GBP, USD, EUR…), listed in the document (the
    services check it again: coprod.services.money.check_currency)."""
    codes = validate.OneOf(
        money.SUPPORTED_CURRENCIES,
        error=lazy_error(
            _l("Unknown currency: use a supported ISO 4217 code such as GBP, USD or EUR.")
        ),
    )
    shown = dict(metadata or {})
    shown.setdefault("example", "GBP")
    return fields.String(validate=codes, metadata=shown, **kwargs)


def Password(*, metadata: Metadata | None = None, **kwargs: Unpack[FieldOptions]) -> fields.String:
    """A new password: its length, and no NUL (the services also refuse common passwords and
    ones with fewer than four different characters, which no schema can say)."""
    checks: list[Check] = [
        _plain_text,
        Pattern(MULTILINE_PATTERN, _l("Remove the NUL character.")),
        validate.Length(min=passwords.MIN_LENGTH, max=passwords.MAX_LENGTH),
    ]
    shown = {
        "description": f"{passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters, at least "
        "4 different ones, not a common password.",
        **(metadata or {}),
    }
    return fields.String(validate=checks, metadata=shown, **kwargs)
