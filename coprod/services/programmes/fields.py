"""A programme's fields: their limits, and parsing and checking them from a form or JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _
from coprod.services import localtime, money
from coprod.services.bounds import parse_day, parse_number, two_places
from coprod.services.text import clean_text

FIELDS = [
    "name",
    "description",
    "starts_on",
    "ends_on",
    "is_pilot",
    "hypothesis",
    "evaluation_starts_on",
    "evaluation_ends_on",
    "hourly_rate",
    "currency",
    "timezone",
    "letter_signatory",
    "accepts_proposals",
]
# The longest texts a programme (and its metrics) take; the API's schemas read them here.
MAX_NAME = 200
MAX_DESCRIPTION = 10_000
MAX_HYPOTHESIS = 5000
MAX_SIGNATORY = 200
MAX_UNIT = 50
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("999999999999.99")


def parse_date(raw: date | str | None, field: str, label: str, *, required: bool) -> date | None:
    """A date from an ISO string (YYYY-MM-DD) or a date; None when empty and optional."""
    return parse_day(raw, field, label=label, required=required, example="2026-09-30")


def parse_decimal(
    raw: Decimal | str | int | None, field: str, label: str, *, maximum: Decimal
) -> Decimal | None:
    """A number with at most two decimal places, or None when empty."""
    value = parse_number(raw, field, _("%(label)s must be a number, like 12.50.", label=label))
    if value is None:
        return None
    if abs(value) > maximum:
        raise Invalid(field, _("%(label)s is too large.", label=label))
    if not two_places(value):
        raise Invalid(field, _("%(label)s can have at most two decimal places.", label=label))
    return value


def _clean_programme(errs: FieldErrors, values: dict[str, Any]) -> dict[str, Any]:
    """Check every programme field at once; the rules between fields come after."""
    out: dict[str, Any] = {
        "name": errs.check(
            lambda: clean_text(
                values.get("name"), "name", _("The name"), max_len=MAX_NAME, required=True
            )
        ),
        "description": errs.check(
            lambda: clean_text(
                values.get("description"),
                "description",
                _("The description"),
                max_len=MAX_DESCRIPTION,
                required=False,
                multiline=True,
            )
        ),
        "starts_on": errs.check(
            lambda: parse_date(
                values.get("starts_on"), "starts_on", _("The start date"), required=True
            )
        ),
        "ends_on": errs.check(
            lambda: parse_date(values.get("ends_on"), "ends_on", _("The end date"), required=False)
        ),
        "is_pilot": bool(values.get("is_pilot")),
        "accepts_proposals": bool(values.get("accepts_proposals")),
        "hypothesis": errs.check(
            lambda: clean_text(
                values.get("hypothesis"),
                "hypothesis",
                _("The hypothesis"),
                max_len=MAX_HYPOTHESIS,
                required=False,
                multiline=True,
            )
        ),
        "evaluation_starts_on": errs.check(
            lambda: parse_date(
                values.get("evaluation_starts_on"),
                "evaluation_starts_on",
                _("The evaluation start date"),
                required=False,
            )
        ),
        "evaluation_ends_on": errs.check(
            lambda: parse_date(
                values.get("evaluation_ends_on"),
                "evaluation_ends_on",
                _("The evaluation end date"),
                required=False,
            )
        ),
        "hourly_rate": errs.check(
            lambda: parse_decimal(
                values.get("hourly_rate"), "hourly_rate", _("The hourly rate"), maximum=MAX_MONEY
            )
        ),
        "currency": errs.check(
            lambda: money.check_currency(values.get("currency"), required=False)
        ),
        "timezone": errs.check(
            lambda: localtime.check_zone(values.get("timezone"), required=False)
        ),
        "letter_signatory": errs.check(
            lambda: (
                clean_text(
                    values.get("letter_signatory"),
                    "letter_signatory",
                    _("The signature line"),
                    max_len=MAX_SIGNATORY,
                    required=False,
                )
                or None
            )
        ),
    }
    _cross_checks(errs, out)
    return out


def _cross_checks(errs: FieldErrors, out: dict[str, Any]) -> None:
    starts, ends = out["starts_on"], out["ends_on"]
    if starts and ends and ends < starts:
        errs.add("ends_on", _("The end date must be on or after the start date."))
    ev_starts, ev_ends = out["evaluation_starts_on"], out["evaluation_ends_on"]
    if ev_starts and ev_ends and ev_ends < ev_starts:
        errs.add("evaluation_ends_on", _("The evaluation must end on or after the day it starts."))
    if out["is_pilot"] and not out["hypothesis"] and "hypothesis" not in errs.errors:
        errs.add("hypothesis", _("A pilot needs a hypothesis: what do you expect to learn?"))
    rate = out["hourly_rate"]
    if rate is not None and rate < 0:
        errs.add("hourly_rate", _("The hourly rate cannot be negative."))
    if out["hourly_rate"] is None:
        out["hourly_rate"] = Decimal("0")
    if not out["is_pilot"]:
        out["hypothesis"] = out["hypothesis"] or None
