"""Text people type: one rule for what a field accepts (web, API and CLI agree), and matching
typed search words in text columns, the same way in every list."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, func, or_

from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _, ngettext

# Characters no one-line field holds: C0 and C1 controls (line feed, carriage return, tab,
# NUL, escape, DEL, NEL ...) and the Unicode line and paragraph separators. They break email
# headers, CSV rows and page layouts, and nobody types them into a name.
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
# What str.strip() removes besides the control characters above, so "blank" means the same
# to the OpenAPI pattern and to the services.
SPACE_CLASS = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
ONE_LINE_PATTERN = rf"^[^{CONTROL_CLASS}]*$"
NON_BLANK_ONE_LINE_PATTERN = (
    rf"^[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{SPACE_CLASS}][^{CONTROL_CLASS}]*$"
)
# Several lines with at least one character that str.strip() keeps (what "not blank" means).
NON_BLANK_TEXT_PATTERN = rf"^[^\x00]*[^\x00\t-\r\x1c-\x1f\x85\u2028\u2029{SPACE_CLASS}][^\x00]*$"
# The longest search text a list takes (a longer one is refused on its field).
SEARCH_MAX = 200
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_CONTROL_RUNS = re.compile(rf"[{CONTROL_CLASS}\s]+")


def has_control(value: str) -> bool:
    """True when the text holds a character a one-line field refuses."""
    return _CONTROL.search(value) is not None


def storable(value: str) -> bool:
    """True when a database can store the text: no NUL, no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(
    raw: str | None,
    field: str,
    label: str,
    *,
    max_len: int,
    required: bool,
    multiline: bool = False,
) -> str:
    """Trim a text field and check it is present (when required), short enough and storable;
    a one-line field (the default: names, titles, places) also refuses line breaks and other
    control characters. `label` is said inside the messages, so give it translated
    (`_("Your name")`)."""
    value = (raw or "").strip()
    if not storable(value):
        raise Invalid(field, _("%(label)s contains a character that is not allowed.", label=label))
    if not multiline and has_control(value):
        raise Invalid(
            field,
            _(
                "%(label)s must be one line, without line breaks, tabs or control characters.",
                label=label,
            ),
        )
    if required and not value:
        raise Invalid(field, _("Enter %(label)s.", label=label.lower()))
    if len(value) > max_len:
        raise Invalid(
            field,
            ngettext(
                "%(label)s must be %(num)d character or fewer.",
                "%(label)s must be %(num)d characters or fewer.",
                max_len,
                label=label,
            ),
        )
    return value


def text_fields(
    errs: FieldErrors, values: Mapping[str, Any]
) -> Callable[[str, str, int, bool, bool], str | None]:
    """A form's text checker: `text(field, label, max_len, required, multiline)` cleans
    `values[field]` with clean_text, keeping its message in `errs` (None stands in)."""

    def text(field: str, label: str, max_len: int, required: bool, multiline: bool) -> str | None:
        return errs.check(
            lambda: clean_text(
                values.get(field),
                field,
                label,
                max_len=max_len,
                required=required,
                multiline=multiline,
            )
        )

    return text


def one_line(value: str) -> str:
    """The text on one line: every run of control characters and spaces becomes one space
    (for email subjects and other headers built from stored text)."""
    return _CONTROL_RUNS.sub(" ", value).strip()


def contains(words: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns holds the words, whatever the case; % and _ are matched literally
    (SQLAlchemy escapes them). The words are lowered in Python, which knows every alphabet's
    case; the column by the database."""
    return or_(*(func.lower(c).contains(words.lower(), autoescape=True) for c in columns))
