"""coprod: co-produced public services."""

from __future__ import annotations

from typing import Any

from flask import Flask

from config import BASE_DIR, config_for, refuse_unsafe


def create_app(config: type[Any] | None = None, **overrides: Any) -> Flask:
    """Build the web application: configuration, database, extensions, blueprints, errors."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config or config_for())
    app.config.update(overrides)
    refuse_unsafe(app.config)

    from coprod import api, cli, extensions, web

    extensions.init_app(app)
    web.register_web(app)
    api.init_app(app)
    cli.register_cli(app)
    return app
