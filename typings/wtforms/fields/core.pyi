from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup
from wtforms.form import BaseForm

# A label or description: a str, or a lazy translation (flask_babel.LazyString).
_Text = Any
_Validator = Callable[[BaseForm, Field], object]

class Label:
    field_id: str
    text: str
    def __init__(self, field_id: str, text: str) -> None: ...
    def __call__(self, text: str | None = None, **kwargs: Any) -> Markup: ...

class Flags:
    def __getattr__(self, name: str) -> Any: ...
    def __setattr__(self, name: str, value: Any) -> None: ...

class Field:
    name: str
    short_name: str
    id: str
    type: str
    label: Label
    description: _Text
    default: Any
    errors: list[str]
    process_errors: list[str]
    raw_data: list[Any] | None
    object_data: Any
    data: Any
    flags: Flags
    render_kw: dict[str, Any] | None
    validators: Sequence[_Validator]
    widget: Any
    def __init__(
        self,
        label: _Text | None = None,
        validators: Sequence[_Validator] | None = None,
        filters: Sequence[Callable[[Any], Any]] = (),
        description: _Text = "",
        id: str | None = None,
        default: Any = None,
        widget: Any = None,
        render_kw: dict[str, Any] | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None: ...
    def __call__(self, **kwargs: Any) -> Markup: ...
    def __html__(self) -> str: ...
    def gettext(self, string: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def validate(self, form: BaseForm, extra_validators: Sequence[_Validator] = ()) -> bool: ...
    def pre_validate(self, form: BaseForm) -> None: ...
    def post_validate(self, form: BaseForm, validation_stopped: bool) -> None: ...
    def process(self, formdata: Any, data: Any = ..., extra_filters: Any = None) -> None: ...
    def process_data(self, value: Any) -> None: ...
    def process_formdata(self, valuelist: list[Any]) -> None: ...
    def populate_obj(self, obj: object, name: str) -> None: ...
    def _value(self) -> str: ...
