"""The home page, and the icon browsers ask for at /favicon.ico."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, send_from_directory

from coprod.web.helpers import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> Any:
    return render_template("main/index.html")


@bp.route("/favicon.ico")
@public
def favicon() -> Any:
    """Browsers fetch this path on their own, whatever the page links to."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600)
