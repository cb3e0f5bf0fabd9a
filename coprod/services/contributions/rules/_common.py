"""Shared by the log rules: an amount in hundredths."""

from __future__ import annotations

from decimal import Decimal

from coprod.services.bounds import two_places


def _two_places(value: Decimal) -> bool:
    return two_places(value)
