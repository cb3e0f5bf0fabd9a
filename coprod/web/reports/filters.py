"""The report pages' template filters: amounts of money, currency names, periods in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coprod.i18n import SOURCE, _, current_language
from coprod.models import PeriodKind
from coprod.services import localtime, money
from coprod.web.reports import bp


@bp.app_template_filter("money")
def money_filter(amount: Decimal | float | int | str | None, currency: str) -> str:
    """{{ amount|money(programme.currency) }}: "£1,234.50" (coprod.services.money)."""
    return money.format_money(amount, currency)


@bp.app_template_filter("currency_name")
def currency_name_filter(currency: str) -> str:
    """{{ programme.currency|currency_name }}: "GBP — British Pound (£)"."""
    return money.currency_label(currency)


@bp.app_template_filter("report_period")
def period_label(start: date | str, kind: str) -> str:
    """ "Week of 8 June 2026", "June 2026", "Q2 2026" (in the reader's language)."""
    day = date.fromisoformat(start) if isinstance(start, str) else start
    if kind == PeriodKind.WEEK:
        first = (
            f"{day.day} {day:%B %Y}" if current_language() == SOURCE else localtime.format_day(day)
        )
        return _("Week of %(day)s", day=first)
    if kind == PeriodKind.MONTH:
        return localtime.format_month(day)
    return _("Q%(quarter)d %(year)s", quarter=(day.month - 1) // 3 + 1, year=str(day.year))
