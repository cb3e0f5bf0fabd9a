"""Shared form pieces."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from coprod.services.bounds import MAX_DAY, MIN_DAY, day_range_message


class ButtonForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST buttons (cancel, approve, ...)."""


class DayInRange:
    """A date field holds a day within the years coprod deals with (coprod.services.bounds),
    so nothing computed from it later (a weekly series, a report period) overflows."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not MIN_DAY <= field.data <= MAX_DAY:
            raise ValidationError(day_range_message())
