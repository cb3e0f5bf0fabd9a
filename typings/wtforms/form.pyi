from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from wtforms.fields.core import Field

class DefaultMeta:
    csrf: bool

class BaseForm:
    meta: DefaultMeta
    form_errors: list[str]
    def __iter__(self) -> Iterator[Field]: ...
    def __contains__(self, name: str) -> bool: ...
    def __getitem__(self, name: str) -> Field: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def errors(self) -> dict[str | None, Sequence[str]]: ...
    def populate_obj(self, obj: object) -> None: ...
    def process(
        self,
        formdata: Any = None,
        obj: object = None,
        data: Mapping[str, Any] | None = None,
        extra_filters: Mapping[str, Sequence[Any]] | None = None,
        **kwargs: object,
    ) -> None: ...
    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool: ...

class Form(BaseForm):
    class Meta(DefaultMeta): ...

    def __init__(
        self,
        formdata: Any = None,
        obj: object = None,
        prefix: str = "",
        data: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None,
        **kwargs: object,
    ) -> None: ...
