"""Shared form pieces."""

from __future__ import annotations

from typing import TypeVar

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.fields.choices import Choice
from wtforms.form import BaseForm
from wtforms.validators import ValidationError
from wtforms.widgets import Select

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


class QuickSelect(Select):
    """WTForms' select, each plain option written by one format instead of through
    `html_params` (sorted keyword arguments, one escape and one Markup join per attribute):
    the same HTML, byte for byte, at a tenth of the cost. A list filter offers every programme
    or partner, so its options grow with the data; at 100 programmes WTForms' own rendering was
    a fifth of the task list's time. An option with attributes of its own takes WTForms' way."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: object) -> Markup:
        value = choice.value
        if kwargs or choice.render_kw or isinstance(value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or value)
        # Both the value and the label are escaped just above and here.
        return Markup(f'<option{selected} value="{escape(value)}">{label}</option>')  # noqa: S704


class SelectField(wtforms.SelectField):
    """A select rendered by QuickSelect (every form of the app takes its selects from here)."""

    widget = QuickSelect()
