from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from wtforms.fields.core import Field

class DateTimeField(Field):
    format: list[str]
    data: datetime | None
    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        format: str | list[str] = ...,
        **kwargs: Any,
    ) -> None: ...

class DateField(Field):
    format: list[str]
    data: date | None
    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        format: str | list[str] = ...,
        **kwargs: Any,
    ) -> None: ...

class TimeField(Field):
    format: list[str]
    data: time | None
    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        format: str | list[str] = ...,
        **kwargs: Any,
    ) -> None: ...
