"""The home page (what needs the signed-in person, or the public welcome), and the icon
browsers ask for at /favicon.ico."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, send_from_directory

from coprod.db import db, utcnow
from coprod.services import home as home_service
from coprod.web.helpers import public, viewer

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> Any:
    actor = viewer()
    if actor is None:
        return render_template("main/index.html")
    return render_template("main/home.html", home=home_service.home(db.session(), actor, utcnow()))


@bp.route("/favicon.ico")
@public
def favicon() -> Any:
    """Browsers fetch this path on their own, whatever the page links to."""
    assert current_app.static_folder is not None
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600)
