"""Money: a programme's currency (an ISO 4217 code) and the one way amounts (and plain
quantities) are shown, in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_name,
    get_currency_symbol,
)

from coprod.errors import Invalid
from coprod.i18n import SOURCE, _, current_language

# The codes a programme may choose: the currencies coprod's users work in so far. Each is a
# current ISO 4217 code that Babel knows a symbol for; add one here to offer it.
SUPPORTED_CURRENCIES: tuple[str, ...] = (
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "INR",
    "JPY",
    "KES",
    "MXN",
    "NGN",
    "NOK",
    "NZD",
    "PLN",
    "SEK",
    "SGD",
    "USD",
    "ZAR",
)
FALLBACK_CURRENCY = "GBP"


def default_currency() -> str:
    """The currency programmes get unless they choose one: DEFAULT_CURRENCY from config.py."""
    from config import Config  # the settings module; read here so services stay Flask-free

    code = str(getattr(Config, "DEFAULT_CURRENCY", FALLBACK_CURRENCY)).upper()
    return code if code in SUPPORTED_CURRENCIES else FALLBACK_CURRENCY


def check_currency(raw: str | None, field: str = "currency", *, required: bool = True) -> str:
    """A supported ISO 4217 code (GBP, USD, EUR…), upper-cased; empty and optional: the
    default currency."""
    code = (raw or "").strip().upper()
    if not code:
        if required:
            raise Invalid(field, _("Choose a currency, like GBP, USD or EUR."))
        return default_currency()
    if code not in SUPPORTED_CURRENCIES:
        raise Invalid(
            field,
            _(
                "“%(code)s” is not a currency coprod supports: use a three-letter ISO 4217 "
                "code such as GBP, USD or EUR (%(codes)s).",
                code=code[:12],
                codes=", ".join(SUPPORTED_CURRENCIES),
            ),
        )
    return code


def currency_symbol(currency: str) -> str:
    """The currency's symbol as amounts show it ("£", "$", "€", "CA$")."""
    return str(get_currency_symbol(currency, locale=current_language()))


def format_money(amount: Decimal | float | int | str | None, currency: str) -> str:
    """An amount with its currency's symbol, in the reader's language: "£1,234.50" in English,
    "1.234,50 €" in Spanish."""
    value = Decimal(str(amount if amount is not None else 0))
    return str(format_currency(value, currency, locale=current_language()))


def format_number(value: Decimal | float | int | str | None) -> str:
    """A quantity (hours, an outcome) without trailing zeros, in the reader's language: "2.5"
    and "1234.5" in English, "2,5" and "1234,5" in Spanish."""
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    lang = current_language()
    if lang == SOURCE:
        return f"{number:f}"
    return str(format_decimal(number, format="0.##########", locale=lang))


def format_fixed(
    value: Decimal | float | int | str | None,
    places: int = 2,
    *,
    signed: bool = False,
    grouped: bool = False,
) -> str:
    """A figure with a fixed number of decimals, in the reader's language: "12.50" and
    "+1,234.5" in English, "12,50" and "+1.234,5" in Spanish (report tables, percentages)."""
    number = Decimal(str(value if value is not None else 0))
    lang = current_language()
    if lang == SOURCE:
        spec = ("+" if signed else "") + ("," if grouped else "") + f".{places}f"
        return format(number, spec)
    pattern = ("#,##0" if grouped else "0") + ("." + "0" * places if places else "")
    text = str(format_decimal(number, format=pattern, locale=lang))
    return "+" + text if signed and number >= 0 else text


def currency_label(code: str) -> str:
    """ "GBP — British Pound (£)": the code, its name and its symbol (when it has its own)."""
    symbol = currency_symbol(code)
    shown = f" ({symbol})" if symbol != code else ""
    return f"{code} — {get_currency_name(code, locale=current_language())}{shown}"


def currency_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the order of SUPPORTED_CURRENCIES."""
    return [(c, currency_label(c)) for c in SUPPORTED_CURRENCIES]
