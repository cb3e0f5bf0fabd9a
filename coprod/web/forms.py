"""Shared form pieces."""

from __future__ import annotations

from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from coprod.services.bounds import MAX_DAY, MIN_DAY, day_range_message


class ButtonForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST buttons (cancel, approve, ...)."""


class DayInRange:
    """A date field holds a day within the years coprod deals with (coprod.services.bounds),
    so nothing computed from it later (a weekly series, a report period) overflows."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data is not None and not MIN_DAY <= field.data <= MAX_DAY:
            raise ValidationError(day_range_message())


FieldT = TypeVar("FieldT", bound=Field)


def field_of(form: BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """A field the form class was given at run time (one per metric, say), as the kind of field
    it was made as: its `.data` then has that field's type."""
    found = getattr(form, name)
    if not isinstance(found, kind):
        raise TypeError(f"{name} is a {type(found).__name__}, not a {kind.__name__}")
    return found
