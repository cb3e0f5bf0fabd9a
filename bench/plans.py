"""Where a page's database time goes: planning or running, statement by statement (PostgreSQL).

    PYTHONPATH=. .venv/bin/python -m bench.plans --url postgresql://…/coprod_bench_small \
        [--page "staff:/review?status=all" …] [--show-over 2]

Requests each page of the load test in-process (Flask's test client, signed in as the load
test's people, the visitor cache off), records the SQL statements it sends, and runs each
SELECT again under `EXPLAIN (ANALYZE, SUMMARY)` with the same parameters: the best of five
planning and execution times per statement, and the page's totals. A statement whose planning
costs far more than its execution (many tables joined) is what this is for: it does not show in
EXPLAIN ANALYZE of the execution alone, and it grows with the statement, not with the data.
`--show-over MS` prints, for each statement over MS ms (planning and running), the statement
in full with its parameters and its plan (EXPLAIN ANALYZE, BUFFERS).
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import event

from bench.generate import DOMAIN
from bench.load import discover
from bench.profile_pages import _app, _client_as

PEOPLE = {
    "visitor": None,
    "volunteer": f"v0@{DOMAIN}",
    "staff": f"staff@{DOMAIN}",
    "coordinator": f"coordinator@{DOMAIN}",
}
TRIES = 5


def default_pages(world: dict[str, Any]) -> list[tuple[str, str]]:
    """The load test's pages (first windows), as (who, path)."""
    return [
        ("visitor", "/tasks"),
        ("volunteer", "/tasks"),
        ("visitor", "/tasks?q=garden"),
        ("visitor", f"/tasks/{world['task_id']}"),
        ("visitor", "/api/v1/tasks"),
        ("volunteer", "/my/schedule"),
        ("staff", "/review"),
        ("staff", "/review?status=all"),
        ("staff", f"/programmes/{world['programme_id']}/reports"),
    ]


def explain(cursor: Any, statement: str, params: Any) -> tuple[float, float]:
    """The best of TRIES (planning ms, execution ms) of the statement."""
    best: tuple[float, float] | None = None
    for _ in range(TRIES):
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0][0]
        times = (float(plan["Planning Time"]), float(plan["Execution Time"]))
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    return best


def show(cursor: Any, statement: str, params: Any) -> None:
    """The statement in full, its parameters and its plan, indented under its line."""
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    for block in (statement.strip(), repr(params), plan):
        print("      " + block.replace("\n", "\n      "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="a generated world on PostgreSQL")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        help="who:path, who being visitor, volunteer, staff or an email address (repeatable)",
    )
    parser.add_argument(
        "--show-over",
        type=float,
        metavar="MS",
        help="print the statement, its parameters and its plan when it takes over MS ms",
    )
    args = parser.parse_args()
    if not args.url.startswith("postgresql"):
        raise SystemExit("bench.plans asks PostgreSQL's EXPLAIN: give a postgresql:// URL")
    app = _app(args.url, cache=False)
    from coprod.db import db

    sent: list[tuple[str, Any]] = []
    with app.app_context():
        engine = db.engine
    assert engine is not None

    def record(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    pages = [tuple(p.split(":", 1)) for p in args.page] or default_pages(discover(args.url))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for who, path in pages:
            client = _client_as(app, PEOPLE.get(who, who))  # or an email address
            client.get(path)  # warm: the signed-in person's roles, compiled statements
            sent.clear()
            status = client.get(path).status_code
            statements = list(sent)
            print(f"{who} {path}: {status}, {len(statements)} statements")
            plan_ms = run_ms = 0.0
            for statement, params in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                planning, execution = explain(cursor, statement, params)
                plan_ms, run_ms = plan_ms + planning, run_ms + execution
                head = " ".join(statement.split())[:70]
                print(f"  plan {planning:6.2f} ms  run {execution:6.2f} ms  {head}")
                if args.show_over is not None and planning + execution > args.show_over:
                    show(cursor, statement, params)
            print(f"  total: planning {plan_ms:.2f} ms, running {run_ms:.2f} ms")
            raw.rollback()
    finally:
        raw.close()


if __name__ == "__main__":
    main()
