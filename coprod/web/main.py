"""The home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from coprod.web.helpers import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> Any:
    return render_template("main/index.html")
