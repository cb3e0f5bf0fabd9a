"""A programme's currency (ISO 4217) and the one formatter every amount goes through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Invalid
from coprod.models import AuditEntry, OrgKind, Role
from coprod.services import money
from coprod.services import programmes as svc
from tests.factories import make_member, make_org, make_programme


@pytest.mark.parametrize(
    ("amount", "code", "shown"),
    [
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("1234.5"), "USD", "$1,234.50"),
        (Decimal("1234.5"), "EUR", "€1,234.50"),
        (1234.5, "GBP", "£1,234.50"),  # report figures are JSON numbers
        (0, "GBP", "£0.00"),
        (None, "EUR", "€0.00"),
        (Decimal("1000000"), "JPY", "¥1,000,000"),  # no minor unit
    ],
)
def test_amounts_show_with_the_currency_symbol(amount, code, shown) -> None:
    assert money.format_money(amount, code) == shown


def test_every_supported_currency_is_a_code_babel_knows() -> None:
    for code in money.SUPPORTED_CURRENCIES:
        assert len(code) == 3 and code.isupper()
        assert money.format_money(1, code) != ""
    assert {"GBP", "USD", "EUR"} <= set(money.SUPPORTED_CURRENCIES)
    assert money.currency_label("GBP") == "GBP — British Pound (£)"


@pytest.mark.parametrize("raw", ["XYZ", "pounds", "£", "GB", "EURO", "usd$"])
def test_an_unknown_currency_is_refused_beside_the_field(raw) -> None:
    with pytest.raises(Invalid) as err:
        money.check_currency(raw)
    assert "ISO 4217" in err.value.errors["currency"][0]


def test_a_currency_code_is_upper_cased_and_empty_means_the_default(monkeypatch) -> None:
    assert money.check_currency(" usd ") == "USD"
    assert money.check_currency("", required=False) == "GBP"
    from config import Config

    monkeypatch.setattr(Config, "DEFAULT_CURRENCY", "EUR", raising=False)
    assert money.default_currency() == "EUR"
    assert money.check_currency(None, required=False) == "EUR"
    monkeypatch.setattr(Config, "DEFAULT_CURRENCY", "nonsense", raising=False)
    assert money.default_currency() == "GBP"  # a bad setting cannot make amounts unreadable


def _staff(session):
    agency = make_org(session, OrgKind.AGENCY)
    return agency, make_member(session, agency, Role.STAFF)


def test_a_programme_is_created_and_changed_with_its_currency_audited(session) -> None:
    agency, staff = _staff(session)
    created = svc.create_programme(
        session, staff, agency, name="Meals", starts_on="2026-07-01", currency="usd"
    )
    assert created.currency == "USD"
    plain = svc.create_programme(session, staff, agency, name="Trees", starts_on="2026-07-01")
    assert plain.currency == "GBP"
    svc.update_programme(session, staff, created, currency="EUR")
    assert created.currency == "EUR"
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "programme.updated")
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None
    assert (entry.before, entry.after) == ({"currency": "USD"}, {"currency": "EUR"})


def test_a_programme_refuses_an_unknown_currency(session) -> None:
    agency, staff = _staff(session)
    with pytest.raises(Invalid) as err:
        svc.create_programme(
            session, staff, agency, name="M", starts_on="2026-07-01", currency="ABC"
        )
    assert list(err.value.errors) == ["currency"]
    programme = make_programme(session, agency)
    with pytest.raises(Invalid) as err:
        svc.update_programme(session, staff, programme, currency="DOLLARS")
    assert list(err.value.errors) == ["currency"]
