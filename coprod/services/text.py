"""Matching typed search words in text columns, the same way in every list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_


def contains(words: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns holds the words, whatever the case; % and _ are matched literally."""
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))
