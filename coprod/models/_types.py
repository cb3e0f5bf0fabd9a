"""Column helpers shared by the model modules."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Numeric


def str_enum(enum_cls: type[StrEnum]) -> SAEnum:
    """A StrEnum stored as its value in a plain VARCHAR (portable, no native enum type)."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def money() -> Numeric[Any]:
    return Numeric(12, 2, asdecimal=True)


def hours_type() -> Numeric[Any]:
    return Numeric(5, 2, asdecimal=True)


def quantity_type() -> Numeric[Any]:
    return Numeric(14, 2, asdecimal=True)
