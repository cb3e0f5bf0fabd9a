"""Time (and optionally profile) single requests in-process: where a slow page spends its time.

    PYTHONPATH=. .venv/bin/python -m bench.profile_pages --url postgresql://…/coprod_bench \
        [--profile "task list, page 1"] [--repeat 30]

Each page of the load test is requested `--repeat` times through Flask's test client, signed in
as the load test's people, with the number of SQL statements and the mean wall-clock and
process CPU time per request (CPU time is the steadier figure on a machine shared with others);
`--profile NAME` prints a pyinstrument profile of that page (pip install pyinstrument).
No network and no gunicorn, so the figures are steadier than the load test's on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.baseline import create_app as create_baseline
from bench.generate import DOMAIN
from bench.load import discover


def _app(url: str, cache: bool = True) -> Flask:
    os.environ.update(COPROD_ENV="production", DATABASE_URL=url)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-not-for-production")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    from config import config_for
    from coprod import create_app

    return create_app(
        config_for("production"),
        DATABASE_URL=url,
        SECRET_KEY=os.environ["SECRET_KEY"],
        SESSION_COOKIE_SECURE=False,
        RATELIMIT_ENABLED=False,
        **({} if cache else {"CACHE_TYPE": "NullCache"}),
    )


def _client_as(app: Flask, email: str | None) -> Any:
    from coprod.db import db
    from coprod.models import User

    client = app.test_client()
    if email:
        with app.app_context():
            user = db.session.query(User).filter_by(email=email).one()
            user_id = user.get_id()
            db.session.remove()
        with client.session_transaction() as sess:
            sess["_user_id"] = user_id
            sess["_fresh"] = True
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", help="name of a page to profile with pyinstrument")
    parser.add_argument(
        "--no-cache", action="store_true", help="render every page (no visitor or figures cache)"
    )
    args = parser.parse_args(argv)
    world = discover(args.url)
    app = _app(args.url, cache=not args.no_cache)
    from coprod.db import db

    statements = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_a: Any) -> None:
        statements[0] += 1

    staff, volunteer = f"staff@{DOMAIN}", f"v0@{DOMAIN}"
    pages = [
        ("task list, page 1", None, "/tasks"),
        ("task list, deep page", None, f"/tasks?page={world['deep_page']}"),
        ("task list, search", None, "/tasks?q=garden"),
        ("task page", None, f"/tasks/{world['task_id']}"),
        ("my schedule", volunteer, "/my/schedule"),
        ("review queue", staff, "/review"),
        ("report page", staff, f"/programmes/{world['programme_id']}/reports"),
        ("API task list", None, "/api/v1/tasks"),
    ]
    os.environ["DATABASE_URL"] = args.url
    base_client = create_baseline().test_client()
    base_client.get("/")
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):
        base_client.get("/")
    base_ms = (time.perf_counter() - t0) * 1000 / args.repeat
    base_cpu = (time.process_time() - c0) * 1000 / args.repeat
    print(f"{'page':<22} {'wall':>9}  {'CPU':>9}  statements  CPU vs the baseline's")
    print(f"{'baseline':<22} {base_ms:6.2f} ms  {base_cpu:6.2f} ms  1")
    for name, who, path in pages:
        client = _client_as(app, who)
        first = client.get(path)
        if first.status_code != 200:
            print(f"{name:<22} answers {first.status_code}: skipped")
            continue
        statements[0] = 0
        t0, c0 = time.perf_counter(), time.process_time()
        if args.profile == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        for _ in range(args.repeat):
            client.get(path)
        if args.profile == name:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        ms = (time.perf_counter() - t0) * 1000 / args.repeat
        cpu = (time.process_time() - c0) * 1000 / args.repeat
        print(
            f"{name:<22} {ms:6.2f} ms  {cpu:6.2f} ms  {statements[0] / args.repeat:<10.0f}  "
            f"{base_cpu / cpu:.0%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
