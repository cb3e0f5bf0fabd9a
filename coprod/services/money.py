"""Money: a programme's currency (an ISO 4217 code) and the one way amounts are shown."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_name, get_currency_symbol

from coprod.errors import Invalid

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
# Amounts are written the English way for now ("£1,234.50"); the languages work changes this
# one value (or passes the reader's locale) and every page, CSV header and email follows.
LOCALE = "en"


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
            raise Invalid(field, "Choose a currency, like GBP, USD or EUR.")
        return default_currency()
    if code not in SUPPORTED_CURRENCIES:
        raise Invalid(
            field,
            f"“{code[:12]}” is not a currency coprod supports: use a three-letter ISO 4217 "
            f"code such as GBP, USD or EUR ({', '.join(SUPPORTED_CURRENCIES)}).",
        )
    return code


def currency_symbol(currency: str) -> str:
    """The currency's symbol as amounts show it ("£", "$", "€", "CA$")."""
    return str(get_currency_symbol(currency, locale=LOCALE))


def format_money(amount: Decimal | float | int | str | None, currency: str) -> str:
    """An amount with its currency's symbol and the locale's grouping: "£1,234.50"."""
    value = Decimal(str(amount if amount is not None else 0))
    return str(format_currency(value, currency, locale=LOCALE))


def currency_label(code: str) -> str:
    """ "GBP — British Pound (£)": the code, its name and its symbol (when it has its own)."""
    symbol = currency_symbol(code)
    shown = f" ({symbol})" if symbol != code else ""
    return f"{code} — {get_currency_name(code, locale=LOCALE)}{shown}"


def currency_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the order of SUPPORTED_CURRENCIES."""
    return [(c, currency_label(c)) for c in SUPPORTED_CURRENCIES]
