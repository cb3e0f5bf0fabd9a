"""coprod: co-produced public services."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, config_for, refuse_unsafe


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: an id the database can hold (1 to MAX_ID), so a longer number
    in a path is a 404 like any other unknown id, never an integer SQLite cannot bind."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        from coprod.services.bounds import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def create_app(config: type[Any] | None = None, **overrides: Any) -> Flask:
    """Build the web application: configuration, database, extensions, blueprints, errors."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_object(config or config_for())
    app.config.update(overrides)
    refuse_unsafe(app.config)

    from coprod import api, cli, extensions, i18n, web

    extensions.init_app(app)
    i18n.init_app(app)
    web.register_web(app)
    api.init_app(app)
    cli.register_cli(app)
    return app
