from collections.abc import Callable
from typing import Any, TypeVar

import flask
from apispec import APISpec
from flask import Flask

_F = TypeVar("_F", bound=Callable[..., Any])

class Blueprint(flask.Blueprint):
    def __init__(
        self, name: str, import_name: str, *args: Any, description: str | None = None, **kwargs: Any
    ) -> None: ...
    def route(
        self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any
    ) -> Callable[[_F], _F]: ...
    def arguments(
        self,
        schema: Any,
        *,
        location: str = "json",
        content_type: str | None = None,
        required: bool = True,
        description: str | None = None,
        example: Any = None,
        examples: Any = None,
        **kwargs: Any,
    ) -> Callable[[_F], _F]: ...
    def response(
        self,
        status_code: int | str,
        schema: Any = None,
        *,
        description: str | None = None,
        example: Any = None,
        examples: Any = None,
        headers: Any = None,
    ) -> Callable[[_F], _F]: ...
    def alt_response(
        self,
        status_code: int | str,
        response: Any = None,
        *,
        schema: Any = None,
        description: str | None = None,
        example: Any = None,
        examples: Any = None,
        headers: Any = None,
        success: bool = False,
        content_type: str | None = None,
    ) -> Callable[[_F], _F]: ...
    def doc(self, **kwargs: Any) -> Callable[[_F], _F]: ...
    def paginate(
        self,
        pager: Any = None,
        *,
        page: int | None = None,
        page_size: int | None = None,
        max_page_size: int | None = None,
    ) -> Callable[[_F], _F]: ...

class Api:
    spec: APISpec
    _app: Flask
    ERROR_SCHEMA: Any
    def __init__(self, app: Flask | None = None, *, spec_kwargs: Any = None) -> None: ...
    def init_app(self, app: Flask, *, spec_kwargs: Any = None) -> None: ...
    def register_blueprint(
        self, blp: flask.Blueprint, *, parameters: Any = None, **options: Any
    ) -> None: ...
    def _register_error_handlers(self) -> None: ...
    def _register_responses(self) -> None: ...

def abort(http_status_code: int, **kwargs: Any) -> None: ...
