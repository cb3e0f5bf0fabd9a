from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from wtforms.fields.core import Field

class SelectChoice:
    value: str
    label: str
    render_kw: dict[str, Any]
    optgroup: str | None
    def __init__(
        self,
        value: str,
        label: Any = None,
        render_kw: dict[str, Any] | None = None,
        optgroup: str | None = None,
    ) -> None: ...
    def __iter__(self) -> Iterator[Any]: ...

class Choice(NamedTuple):
    """A rendered option, as `iter_choices` yields it to the widget."""

    value: Any
    label: Any
    selected: bool
    render_kw: dict[str, Any]

# What `choices` takes: SelectChoice objects or (value, label) pairs.
_Choice = SelectChoice | tuple[Any, Any] | tuple[Any, Any, dict[str, Any]]
_Choices = Sequence[_Choice]

class SelectFieldBase(Field):
    def __iter__(self) -> Iterator[Any]: ...
    def iter_choices(self) -> Iterator[Any]: ...

class SelectField(SelectFieldBase):
    # The submitted option, after `coerce` (str unless the field says otherwise).
    data: Any
    choices: Any
    coerce: Callable[[Any], Any]
    validate_choice: bool
    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        coerce: Callable[[Any], Any] = ...,
        choices: _Choices | Callable[[], _Choices] | None = None,
        validate_choice: bool = True,
        **kwargs: Any,
    ) -> None: ...

class SelectMultipleField(SelectField):
    data: list[Any] | None

class RadioField(SelectField): ...
