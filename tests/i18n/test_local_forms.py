"""Dates, times, money and numbers in the reader's language; numbers typed with the
language's decimal sign."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from coprod.i18n import in_language
from coprod.services import localtime, money
from coprod.services.bounds import read_decimal

LONDON = ZoneInfo("Europe/London")
SATURDAY = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)


def test_outside_a_request_everything_is_english() -> None:
    assert localtime.format_instant(SATURDAY, LONDON) == "Sat 28 Mar 2026, 09:00 GMT"
    assert money.format_money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert money.format_number(Decimal("2.50")) == "2.5"


def test_spanish_dates_times_and_money(app: Flask) -> None:
    with app.app_context(), in_language("es"):
        ends = SATURDAY.replace(hour=12)
        shown = localtime.format_span(SATURDAY, ends, LONDON)
        assert shown == "sáb, 28 mar 2026, 09:00\u201312:00 GMT"
        assert localtime.format_weekday_date(date(2026, 3, 28), year=False) == "sáb, 28 mar"
        assert localtime.format_day(date(2026, 3, 28)) == "28 de marzo de 2026"
        assert localtime.format_month(date(2026, 3, 1)) == "marzo de 2026"
        assert money.format_money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
        assert money.format_number(Decimal("2.50")) == "2,5"
        assert money.currency_label("EUR") == "EUR — euro (€)"
    with app.app_context(), in_language("en"):
        assert localtime.format_day(date(2026, 3, 28)) == "28 March 2026"


@pytest.mark.parametrize(
    ("typed", "language", "value"),
    [
        ("2,5", "es", Decimal("2.5")),
        ("2.5", "es", Decimal("2.5")),
        ("1.234,50", "es", Decimal("1234.50")),
        ("1 234,5", "es", Decimal("1234.5")),
        ("2.5", "en", Decimal("2.5")),
        ("1,234.50", "en", Decimal("1234.50")),
    ],
)
def test_numbers_typed_with_the_languages_decimal_sign_or_a_dot(
    app: Flask, typed: str, language: str, value: Decimal
) -> None:
    with app.app_context(), in_language(language):
        assert read_decimal(typed) == value


@pytest.mark.parametrize("typed", ["2,5,5", "", "Infinity", "nan", "x" * 40, "--1"])
def test_what_is_not_a_number_is_refused(app: Flask, typed: str) -> None:
    with app.app_context(), in_language("es"), pytest.raises(InvalidOperation):
        read_decimal(typed)
