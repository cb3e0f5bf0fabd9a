"""The framework's ceiling on this machine: Flask renders a 20-row template from one SELECT.

Served by gunicorn with the same settings as the app (bench/load.py starts it):
    DATABASE_URL=postgresql://… gunicorn -c deploy/gunicorn.conf.py 'bench.baseline:create_app()'

Two pages, both honest about what the cheapest Flask page costs (issue 19):
- `/`: the plain baseline. The template is a FILE (`bench/templates/baseline.html`), compiled
  once and kept by Jinja's cache, as the app's templates are; the rows come from one
  SQLAlchemy Core query (no ORM objects). The previous baseline rendered with
  `render_template_string`, which compiles its template again on every request: about a third
  of the throughput of this one, which made every ratio against it look 2-3x better.
- `/signed-in`: the same page behind Flask-Login, the person loaded from the database on every
  request (one Core query by primary key, on the same connection as the page's own query: one
  checkout per request), so what signing in costs at the very least is visible.
  `GET /login/<user id>` signs that person in (a benchmark-only door: this app is served on
  loopback by the benchmark and never deployed); wrk then replays the session cookie.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, render_template
from flask_login import LoginManager, UserMixin, login_required, login_user
from sqlalchemy import Connection, text

from coprod.db import make_engine

QUERY = text("SELECT id, title, location, status FROM task ORDER BY id LIMIT 20")
PERSON = text('SELECT id, display_name, is_active FROM "user" WHERE id = :id')


@dataclass
class Person(UserMixin):
    id: int
    display_name: str
    active: bool

    @property
    def is_active(self) -> bool:
        return self.active


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-not-for-production"),
        SESSION_COOKIE_SECURE=False,
    )
    engine = make_engine(os.environ["DATABASE_URL"])
    login = LoginManager(app)

    def conn() -> Connection:
        """One connection per request, checked out on first use and returned at teardown."""
        if "conn" not in g:
            g.conn = engine.connect()
        return g.conn  # type: ignore[no-any-return]

    @app.teardown_appcontext
    def _release(_exc: BaseException | None) -> None:
        c = g.pop("conn", None)
        if c is not None:
            c.close()

    @login.user_loader
    def _load(user_id: str) -> Person | None:
        row = conn().execute(PERSON, {"id": int(user_id)}).first()
        return Person(row.id, row.display_name, row.is_active) if row else None

    def page(**extra: Any) -> str:
        rows = conn().execute(QUERY).all()
        return render_template("baseline.html", rows=rows, **extra)

    @app.get("/")
    def index() -> str:
        return page()

    @app.get("/signed-in")
    @login_required
    def signed_in() -> str:
        from flask_login import current_user

        return page(person=current_user)

    @app.get("/login/<int:user_id>")
    def sign_in(user_id: int) -> str:
        person = _load(str(user_id))
        if person is None:
            abort(404)
        login_user(person)
        return "signed in"

    return app
