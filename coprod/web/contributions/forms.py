"""The contribution forms: the log form (built per task), the review form and the filters.

Its number and date fields keep what was typed and say clearly what is wrong.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput, TextInput

from coprod.i18n import _, _l
from coprod.models import LogStatus, Organisation, Shift, Task
from coprod.services.bounds import read_decimal
from coprod.services.money import format_number
from coprod.web.contributions._common import IN_KIND_ROWS, STATUS_LABELS
from coprod.web.forms import SelectField

# --- fields that keep what was typed and say clearly what is wrong ----------------------------


class DecimalText(Field):
    """A number typed as text: shown again as typed, parsed to a Decimal (None when blank)."""

    widget = TextInput()
    raw: str | None = None
    data: Decimal | None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        text = self.raw.strip()
        self.data = None
        if not text:
            return
        try:
            self.data = read_decimal(text)  # the reader's decimal sign, or a dot
        except InvalidOperation:
            raise ValueError(_("Enter a number, like 2.5.")) from None

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return format_number(self.data)  # "2.5", "2,5" in Spanish: read back by read_decimal


class DateText(Field):
    """A date from a native date input (YYYY-MM-DD), shown again as typed."""

    widget = DateInput()
    raw: str | None = None
    data: date | None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        self.data = None
        if not self.raw.strip():
            return
        try:
            self.data = date.fromisoformat(self.raw.strip())
        except ValueError:
            raise ValueError(_("Enter the date like 2026-06-13 (year-month-day).")) from None
        # Its range is the log-date rule's (contributions.check_log_date), the same at every door.

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return self.data.isoformat() if self.data else ""


# --- forms --------------------------------------------------------------------------------


class LogForm(FlaskForm):
    date = DateText(_l("Date"))
    hours = DecimalText(_l("Hours"))
    notes = TextAreaField(_l("Notes"))
    shift = SelectField(
        _l("Shift"), choices=[SelectChoice("", _l("No particular shift"))], default=""
    )


def log_form_class(task: Task, organisations: list[Organisation] | None = None) -> type[LogForm]:
    """The log form for a task: an outcome field per metric, in-kind rows, 'on behalf of'."""

    class TaskLogForm(LogForm):
        organisation: SelectField  # set below, when the person may log for an organisation

    if organisations:
        TaskLogForm.organisation = SelectField(
            _("On behalf of"),
            default="",
            choices=[SelectChoice("", _("Myself"))]
            + [SelectChoice(str(o.id), o.name) for o in organisations],
        )
    for metric in task.metrics:
        setattr(TaskLogForm, f"outcome_{metric.id}", DecimalText(f"{metric.name} ({metric.unit})"))
    for i in range(IN_KIND_ROWS):
        setattr(
            TaskLogForm,
            f"in_kind_{i}_description",
            StringField(_("Item %(n)s: description", n=i + 1)),
        )
        setattr(TaskLogForm, f"in_kind_{i}_value", DecimalText(_("Item %(n)s: value", n=i + 1)))
    return TaskLogForm


class LogValues(TypedDict):
    """What a log form holds, as the contributions services take it (keyword arguments)."""

    on: date | None
    hours: Decimal | None
    notes: str
    outcomes: list[tuple[int, Decimal]]
    in_kind: list[tuple[str, Decimal | None]]
    shift: Shift | None


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("request_changes", _l("Ask for changes")),
            SelectChoice("reject", _l("Reject")),
        ],
    )
    comment = TextAreaField(_l("Comment to the contributor"))


class StatusFilter(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All"))]
        + [SelectChoice(s.value, STATUS_LABELS[s]) for s in LogStatus],
        default="",
    )


class QueueFilter(FlaskForm):
    class Meta:
        csrf = False

    programme = SelectField(
        _l("Programme"), choices=[SelectChoice("", _l("All programmes"))], default=""
    )
    task = SelectField(_l("Task"), choices=[SelectChoice("", _l("All tasks"))], default="")
    contributor = StringField(_l("Contributor (name or email)"))
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in LogStatus]
        + [SelectChoice("all", _l("All"))],
        default=LogStatus.SUBMITTED.value,
    )
