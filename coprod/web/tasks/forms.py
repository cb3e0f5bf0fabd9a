"""The tasks pages' forms: the list filter, a task, its status, and the shift forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from coprod.i18n import _l
from coprod.web.forms import DayInRange, SelectField

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def _opt_int(value: str | int | None) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    programme_id = SelectField(_l("Programme"), choices=[], validate_choice=False)
    date_from = StringField(_l("From"))
    date_to = StringField(_l("To"))


class DescriptionForm(FlaskForm):
    description = TextAreaField(_l("Description"))
    location = StringField(_l("Location"))


class TaskForm(DescriptionForm):
    title = StringField(_l("Title"))
    metric_ids = SelectMultipleField(
        _l("Outcome metrics it contributes to"), coerce=int, validate_choice=False
    )
    coordinating_organisation_id = SelectField(
        _l("Coordinating partner"), coerce=_opt_int, validate_choice=False
    )
    ongoing = BooleanField(
        _l(
            "Ongoing: no shifts; people log their hours whenever they do the work "
            "(like adopting a storm drain)"
        )
    )
    required_qualification_ids = SelectMultipleField(
        _l("Qualifications everyone on its shifts needs"), coerce=int, validate_choice=False
    )
    trains_qualification_id = SelectField(
        _l("This task is a training for"), coerce=_opt_int, validate_choice=False
    )
    skills = StringField(_l("Skills it uses"))


class TransitionForm(FlaskForm):
    to = HiddenField()
    confirm = HiddenField()


def _places() -> IntegerField:
    return IntegerField(
        _l("Places"), validators=[InputRequired(_l("Enter how many people the shift needs."))]
    )


class ShiftForm(FlaskForm):
    date = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date of the shift.")), DayInRange()]
    )
    starts_at = TimeField(
        _l("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Enter the start time."))],
    )
    ends_at = TimeField(
        _l("End time"), format=TIME_FORMATS, validators=[InputRequired(_l("Enter the end time."))]
    )
    capacity = _places()


class WeeklyShiftsForm(FlaskForm):
    first_date = DateField(
        _l("First date"), validators=[InputRequired(_l("Enter the first date.")), DayInRange()]
    )
    starts_at = TimeField(
        _l("Start time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Enter the start time."))],
    )
    ends_at = TimeField(
        _l("End time"), format=TIME_FORMATS, validators=[InputRequired(_l("Enter the end time."))]
    )
    until = DateField(
        _l("Repeat every week until"),
        validators=[InputRequired(_l("Enter the last date.")), DayInRange()],
    )
    capacity = _places()
    skip_dates = TextAreaField(_l("Dates to skip (optional)"))


class CancelShiftForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"))


class CopyShiftsForm(FlaskForm):
    target_task_id = SelectField(_l("Copy to the task"), coerce=_opt_int, validate_choice=False)
    scope = SelectField(
        _l("Which shifts"),
        choices=[
            SelectChoice("future", _l("All future shifts")),
            SelectChoice("chosen", _l("The shifts I tick below")),
        ],
        validate_choice=False,
    )
    weeks = IntegerField(_l("Shift them by this many weeks"), default=0)
    # The ticked shifts are read from the request; the field carries their error to the list.
    shift_ids = SelectMultipleField(_l("Shifts to copy"), choices=[], validate_choice=False)


class MoveShiftsForm(FlaskForm):
    weeks = IntegerField(_l("Move by this many weeks"))
