"""The framework's ceiling on this machine: Flask renders a 20-row template from one SELECT.

Served by gunicorn with the same settings as the app (bench/load.py starts it):
    DATABASE_URL=postgresql://… gunicorn -c deploy/gunicorn.conf.py 'bench.baseline:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import text

from coprod.db import make_engine

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tasks</title></head>
<body><main><h1>Tasks</h1>
<table><caption>The first 20 tasks</caption>
<thead><tr><th scope="col">Task</th><th scope="col">Where</th><th scope="col">Status</th></tr>
</thead>
<tbody>{% for row in rows %}
<tr><td><a href="/tasks/{{ row.id }}">{{ row.title }}</a></td><td>{{ row.location }}</td>
<td>{{ row.status }}</td></tr>{% endfor %}
</tbody></table></main></body></html>
"""
QUERY = text("SELECT id, title, location, status FROM task ORDER BY id LIMIT 20")


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])

    @app.get("/")
    def index() -> str:
        with engine.connect() as conn:
            rows = conn.execute(QUERY).all()
        return render_template_string(TEMPLATE, rows=rows)

    return app
