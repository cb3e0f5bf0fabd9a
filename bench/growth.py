"""Growth benchmark: every page of the load test at one world size, cache off (issue 19).

    PYTHONPATH=. .venv/bin/python -m bench.growth --size large \\
        --url postgresql://postgres@127.0.0.1:5432/coprod_bench_large --runs 3 \\
        --json /tmp/coprod-growth/large.json
    PYTHONPATH=. .venv/bin/python -m bench.growth --combine /tmp/coprod-growth/*.json

One command per size (worlds from bench/generate.py: small, medium, large, medium10). It serves
the app (visitor cache off: `CACHE_TYPE=NullCache`, so every page is really rendered) and the
plain baseline (bench/baseline.py) under gunicorn with deploy/gunicorn.conf.py, then:

1. finds the last page of the task list and of the review queue (waiting logs, and "all
   statuses") the way a person would reach it: a `rel="last"` link, else the pager's page
   count, else by following `next` links to the end (bench/walk.py);
2. for each run (`--runs`, medians printed), for each page, visitor and signed in, runs wrk
   (8 connections, 2 threads) on the baseline and right after on the page;
3. walks the API task list to its end by following `next` (or page numbers on an API without
   cursors), `--walk-per-page` rows a page, one client: pages walked and total time;
4. stops the servers, then measures the database time per request in-process: the same pages
   through Flask's test client (cache off), a SQLAlchemy `before/after_cursor_execute` timer
   summing the time spent in the driver's execute (statement sent, PostgreSQL's work, rows
   received), and the number of statements. Nothing is added to the app's code paths. The
   walk is repeated in-process for its database time.

`os.getloadavg()` is printed (and stored) at the start and end of each run: the machine is
shared. `--combine` reads the JSON of several sizes and prints each page's p50 and database
time side by side with the ratios large/small and medium10/small (the issue's target: ≤ 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event

from bench.generate import DOMAIN, PASSWORD, keep_task_figures
from bench.load import (
    CSRF_RE,
    Browser,
    Result,
    discover,
    drain,
    ensure_tool,
    server_env,
    start_gunicorn,
    stop,
    wait_ready,
    wrk,
)
from bench.walk import LastPage, Walk, last_page, walk, with_query
from coprod.db import make_engine

SIZES_ORDER = ("small", "medium", "large", "medium10")
VISITOR, VOLUNTEER, STAFF, COORDINATOR = "visitor", "volunteer", "staff", "coordinator"
FLOOR = "privacy notice (no query)"


@dataclass
class Page:
    name: str
    who: str  # visitor, volunteer or staff
    path: str


@dataclass
class Row:
    name: str
    who: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0  # answered in all runs: 0 means no answer within a run
    baseline_rps: float = 0.0
    share: float = 0.0  # req/s against the baseline's, within each run's pair; the median
    db_ms: float | None = None
    statements: float | None = None
    wall_ms: float | None = None
    runs: list[dict[str, float]] = field(default_factory=list)


# psycopg prepares a statement on its fifth run on a connection, and PostgreSQL settles on a
# plan for it after five more: a page is timed in the state a busy server keeps it in.
WARM_RUNS = 10


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pages_for(world: Mapping[str, Any], last: Mapping[str, str]) -> list[Page]:
    """Every page of the load test plus the last pages, visitor and signed in."""
    public = [
        ("task list, page 1", "/tasks"),
        ("task list, last page", last["tasks"]),
        ("task list, search", "/tasks?q=garden"),
        ("task page", f"/tasks/{world['task_id']}"),
        ("API task list", "/api/v1/tasks"),
    ]
    pages = [Page(name, VISITOR, path) for name, path in public]
    # The app's floor: the privacy notice reads nothing from the database for a visitor (the
    # signed-in person's own row for a volunteer), so its share of the baseline is what the
    # layout, the request's own hooks and signing in cost before any page's work.
    pages += [Page(FLOOR, who, "/privacy") for who in (VISITOR, VOLUNTEER)]
    pages += [Page(name, VOLUNTEER, path) for name, path in public if not path.startswith("/api")]
    pages += [
        Page("home page", VOLUNTEER, "/"),
        Page("my schedule", VOLUNTEER, "/my/schedule"),
        Page("home page", STAFF, "/"),
        Page("home page", COORDINATOR, "/"),
        Page("review queue, page 1", STAFF, "/review"),
        Page("review queue, last page", STAFF, last["review"]),
        Page("review queue, all statuses, page 1", STAFF, "/review?status=all"),
        Page("review queue, all statuses, last page", STAFF, last["review_all"]),
        Page("report page", STAFF, f"/programmes/{world['programme_id']}/reports"),
    ]
    return pages


def median_row(row: Row) -> None:
    """The row's figures: the median of its runs (each run paired with its baseline run)."""
    for key in ("rps", "p50_ms", "p99_ms", "baseline_rps"):
        setattr(row, key, statistics.median(r[key] for r in row.runs))
    row.share = statistics.median(
        r["rps"] / r["baseline_rps"] if r["baseline_rps"] else 0.0 for r in row.runs
    )
    row.errors = int(sum(r["errors"] for r in row.runs))
    row.requests = int(sum(r.get("requests", 1) for r in row.runs))


# --- in-process: database time per request ---------------------------------------------------


class DbTimer:
    """Sums the time spent in cursor execution and counts statements on an engine."""

    def __init__(self, engine: Any) -> None:
        self.seconds = 0.0
        self.statements = 0
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_a: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *_a: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1

    def reset(self) -> None:
        self.seconds, self.statements = 0.0, 0


def _test_client_as(app: Any, email: str | None) -> Any:
    """A test client, signed in through the real login form (whatever the session holds)."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "coprod-bench/1.0"
    if email:
        page = client.get("/login").get_data(as_text=True)
        token = CSRF_RE.search(page)
        data = {"email": email, "password": PASSWORD}
        if token:
            data["csrf_token"] = token.group(1).replace("&#43;", "+")
        resp = client.post("/login", data=data, follow_redirects=True)
        if resp.status_code != 200 or "Sign out" not in resp.get_data(as_text=True):
            raise RuntimeError(f"could not sign in as {email} in-process")
    return client


def client_fetch(client: Any) -> Any:
    def fetch(url: str) -> tuple[int, str, dict[str, str]]:
        resp = client.get(path_of(url))
        return resp.status_code, resp.get_data(as_text=True), dict(resp.headers.items())

    return fetch


def in_process(
    url: str, pages: list[Page], walk_first: str, repeat: int, budget_s: float
) -> tuple[dict[tuple[str, str], tuple[float, float, float]], dict[str, Any]]:
    """{(name, who): (db ms, statements, wall ms) per request}, and the walk's database time."""
    from bench.profile_pages import _app

    app = _app(url, cache=False)
    from coprod.db import db

    with app.app_context():
        timer = DbTimer(db.engine)
    clients = {
        VISITOR: _test_client_as(app, None),
        VOLUNTEER: _test_client_as(app, f"v0@{DOMAIN}"),
        STAFF: _test_client_as(app, f"staff@{DOMAIN}"),
        COORDINATOR: _test_client_as(app, f"coordinator@{DOMAIN}"),
    }
    out: dict[tuple[str, str], tuple[float, float, float]] = {}
    for page in pages:
        client = clients[page.who]
        first = client.get(page.path)  # warm: connections, compiled statements, templates
        if first.status_code != 200:
            print(f"  in-process {page.name} ({page.who}): {first.status_code}", file=sys.stderr)
            continue
        for _ in range(WARM_RUNS):  # and prepared statements with their settled plans
            client.get(page.path)
        timer.reset()
        n, started = 0, time.perf_counter()
        while n < repeat and (n < 3 or time.perf_counter() - started < budget_s):
            client.get(page.path)
            n += 1
        wall = (time.perf_counter() - started) * 1000 / n
        out[(page.name, page.who)] = (timer.seconds * 1000 / n, timer.statements / n, wall)
    timer.reset()
    done = walk(client_fetch(clients[VISITOR]), walk_first, limit_s=budget_s * 20)
    walk_db = {
        "pages": done.pages,
        "db_ms": timer.seconds * 1000,
        "statements": timer.statements,
        "seconds": done.seconds,
        "complete": done.complete,
    }
    return out, walk_db


# --- one size --------------------------------------------------------------------------------


def run_size(args: argparse.Namespace) -> dict[str, Any]:
    wrk_bin = ensure_tool("wrk", "wrk")
    if not args.no_migrate:  # the worlds stay between runs; the code's migrations move them on
        from coprod.migrate import upgrade

        upgrade(args.url)
    # The tasks whose kept next shift has started since the world was made: the job
    # `tasks.figures` keeps them every two minutes in a running service; here no job runs.
    kept = keep_task_figures(make_engine(args.url), datetime.now(UTC), every=False)
    print(f"task list figures kept again on {kept} tasks (started since last kept)")
    logdir = Path(tempfile.mkdtemp(prefix="coprod-growth-"))
    base = f"http://127.0.0.1:{args.port}"
    baseline = f"http://127.0.0.1:{args.baseline_port}"
    report: dict[str, Any] = {
        "size": args.size,
        "url": args.url,
        "runs": args.runs,
        "duration_s": args.duration,
        "connections": args.connections,
        "loadavg": [],
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    procs = [
        start_gunicorn(
            "coprod:create_app()",
            server_env(
                args.url, args.port, RATELIMIT_STORAGE_URI="memory://", CACHE_TYPE="NullCache"
            ),
            logdir / "app.log",
        ),
        start_gunicorn(
            "bench.baseline:create_app()",
            server_env(args.url, args.baseline_port),
            logdir / "baseline.log",
        ),
    ]
    rows: dict[tuple[str, str], Row] = {}
    walks: list[Walk] = []
    try:
        wait_ready(base + "/tasks")
        wait_ready(baseline + "/")
        world = discover(args.url)
        people = {who: Browser(base) for who in (VISITOR, VOLUNTEER, STAFF, COORDINATOR)}
        people[VOLUNTEER].login(f"v0@{DOMAIN}")
        people[STAFF].login(f"staff@{DOMAIN}")
        people[COORDINATOR].login(f"coordinator@{DOMAIN}")
        cookies = {
            VISITOR: None,
            VOLUNTEER: people[VOLUNTEER].signed_in_state()[0],
            STAFF: people[STAFF].signed_in_state()[0],
            COORDINATOR: people[COORDINATOR].signed_in_state()[0],
        }
        lasts: dict[str, LastPage] = {}
        wanted = set(args.only.split(";")) if args.only else set()
        # The last pages are found by walking each list; --only skips the walks no page needs.
        needs = {
            "tasks": "task list, last page",
            "review": "review queue, last page",
            "review_all": "review queue, all statuses, last page",
        }
        for key, who, first in (
            ("tasks", VISITOR, "/tasks"),
            ("review", STAFF, "/review"),
            ("review_all", STAFF, "/review?status=all"),
        ):
            if wanted and not any(w.split("/")[0] == needs[key] for w in wanted):
                lasts[key] = LastPage(base + first, "not walked (--only)", complete=False)
                continue
            t0 = time.perf_counter()
            lasts[key] = last_page(people[who].fetch, base + first, limit_s=args.walk_limit)
            print(
                f"last page of {first}: {path_of(lasts[key].url)} ({lasts[key].how}, "
                f"{time.perf_counter() - t0:.1f} s)",
                file=sys.stderr,
            )
        report["last_pages"] = {k: asdict(v) for k, v in lasts.items()}
        pages = pages_for(world, {k: path_of(v.url) for k, v in lasts.items()})
        if wanted:  # "home page/staff;report page": names, or name/who
            pages = [p for p in pages if p.name in wanted or f"{p.name}/{p.who}" in wanted]
            if not pages:
                raise SystemExit(f"--only {args.only!r} names no page")
        for page in pages:
            status, _ = people[page.who].get(page.path)
            if status != 200:
                raise SystemExit(f"{page.name} ({page.who}): {page.path} answers {status}")
        walk_first = with_query("/api/v1/tasks", per_page=args.walk_per_page)
        for run in range(1, args.runs + 1):
            report["loadavg"].append({"run": run, "start": loadavg()})
            print(f"run {run}/{args.runs}: load average at the start {loadavg()}", file=sys.stderr)
            for page in pages:
                ceiling, _ = wrk(wrk_bin, "baseline", baseline, "/", args)
                result, _ = wrk(wrk_bin, page.name, base, page.path, args, cookies[page.who])
                waited = drain(base)
                row = rows.setdefault((page.name, page.who), Row(page.name, page.who, page.path))
                row.runs.append(_run_figures(result, ceiling))
                print(
                    f"  {page.name:<38} {page.who:<9} {result.rps:8.1f} req/s  p50 "
                    f"{result.p50_ms:8.1f} ms  p99 {result.p99_ms:8.1f} ms  errors "
                    f"{result.errors}  (baseline {ceiling.rps:.0f} req/s; drained {waited:.1f} s)",
                    file=sys.stderr,
                )
            done = walk(people[VISITOR].fetch, base + walk_first, limit_s=args.walk_limit)
            walks.append(done)
            print(
                f"  API walk: {done.pages} pages in {done.seconds:.2f} s "
                f"({'to the end' if done.complete else 'NOT to the end'})",
                file=sys.stderr,
            )
            report["loadavg"][-1]["end"] = loadavg()
            print(f"run {run}/{args.runs}: load average at the end {loadavg()}", file=sys.stderr)
    finally:
        for proc in procs:
            stop(proc)
    for row in rows.values():
        median_row(row)
    if not args.no_db:
        start = loadavg()
        db, walk_db = in_process(args.url, pages, walk_first, args.db_repeat, args.db_budget)
        report["db_pass_loadavg"] = {"start": start, "end": loadavg()}
        for page_key, (db_ms, statements, wall) in db.items():
            if page_key in rows:
                found = rows[page_key]
                found.db_ms, found.statements, found.wall_ms = db_ms, statements, wall
        report["walk_db"] = walk_db
    report["rows"] = [asdict(r) for r in rows.values()]
    report["walk"] = {
        "per_page": args.walk_per_page,
        "pages": statistics.median(w.pages for w in walks),
        "seconds": statistics.median(w.seconds for w in walks),
        "complete": all(w.complete for w in walks),
        "runs": [asdict(w) for w in walks],
    }
    print(f"(server logs in {logdir})", file=sys.stderr)
    return report


def _run_figures(result: Result, ceiling: Result) -> dict[str, float]:
    return {
        "requests": result.requests,
        "rps": result.rps,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "errors": result.errors,
        "baseline_rps": ceiling.rps,
    }


# --- tables ----------------------------------------------------------------------------------


def _num(x: float | None, fmt: str = "{:.1f}") -> str:
    return "" if x is None else fmt.format(x)


def size_table(report: Mapping[str, Any]) -> str:
    runs = report["runs"]
    out = [
        f"### {report['size']} ({report['started']}; {runs} run{'s' * (runs > 1)}, medians; "
        f"wrk {report['connections']} connections {report['duration_s']} s; cache off)",
        "",
        "| page | who | req/s | p50 ms | p99 ms | errors | DB ms/req | statements | "
        "baseline req/s | share of baseline |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["rows"]:
        latency = f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f}"
        if not r.get("requests", 1):
            latency = f"> {report['duration_s']} s | no answer within the run"
        out.append(
            f"| {r['name']} | {r['who']} | {r['rps']:.1f} | {latency} | "
            f"{r['errors']} | {_num(r['db_ms'], '{:.2f}')} | "
            f"{_num(r['statements'], '{:.0f}')} | {r['baseline_rps']:.0f} | "
            f"{r.get('share') or r['rps'] / max(r['baseline_rps'], 1e-9):.1%} |"
        )
    w = report["walk"]
    wd = report.get("walk_db") or {}
    out.append("")
    out.append(
        f"API task list walked by `next` ({w['per_page']} a page): {w['pages']:.0f} pages in "
        f"{w['seconds']:.2f} s over HTTP (median of {runs}), "
        f"{'to the end' if w['complete'] else 'NOT to the end (time limit)'}"
        + (
            f"; in-process {wd['pages']} pages, database {wd['db_ms']:.0f} ms in all "
            f"({wd['db_ms'] / max(wd['pages'], 1):.2f} ms a page), {wd['statements']} statements"
            if wd
            else ""
        )
    )
    lp = report.get("last_pages", {})
    if lp:
        out.append(
            "Last pages found: "
            + "; ".join(f"{k}: `{path_of(v['url'])}` ({v['how']})" for k, v in lp.items())
        )
    loads = "; ".join(
        f"run {x['run']}: {x['start']} → {x.get('end', '?')}" for x in report["loadavg"]
    )
    out.append(f"Load average (1, 5, 15 min) at start → end: {loads}")
    if report.get("db_pass_loadavg"):
        d = report["db_pass_loadavg"]
        out.append(f"In-process database pass: {d['start']} → {d['end']}")
    return "\n".join(out)


def _p50(row: Mapping[str, Any] | None, report: Mapping[str, Any]) -> str:
    if not row:
        return ""
    if not row.get("requests", 1):
        return f"> {report['duration_s'] * 1000:.0f}"
    return _num(row["p50_ms"])


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return ""
    return f"{a / b:.2f}x"


def combined_table(reports: list[Mapping[str, Any]]) -> str:
    """Each page's p50 and database time at every size, with large/small and medium10/small."""
    by_size = {r["size"]: r for r in reports}
    sizes = [s for s in SIZES_ORDER if s in by_size] + sorted(set(by_size) - set(SIZES_ORDER))
    keys: list[tuple[str, str]] = []
    for s in sizes:
        for r in by_size[s]["rows"]:
            if (r["name"], r["who"]) not in keys:
                keys.append((r["name"], r["who"]))
    rows = {s: {(r["name"], r["who"]): r for r in by_size[s]["rows"]} for s in sizes}
    head = "| page | who | " + " | ".join(f"p50 ms {s}" for s in sizes)
    head += " | " + " | ".join(f"DB ms {s}" for s in sizes)
    bigger = [s for s in ("large", "medium10") if s in sizes and "small" in sizes]
    head += " | " + " | ".join(f"p50 {s}/small | DB {s}/small" for s in bigger) + " |"
    cols = 2 + 2 * len(sizes) + 2 * len(bigger)
    out = [head, "|---|---|" + "---:|" * (cols - 2)]
    for key in keys:
        cells = [key[0], key[1]]
        got = [rows[s].get(key) for s in sizes]
        cells += [_p50(g, by_size[s]) for g, s in zip(got, sizes, strict=True)]
        cells += [_num(g["db_ms"], "{:.2f}") if g else "" for g in got]
        small = rows.get("small", {}).get(key)
        for s in bigger:
            g = rows[s].get(key)
            if g and not g.get("requests", 1) and small:  # no answer within the run
                cells.append(">" + ratio(by_size[s]["duration_s"] * 1000.0, small["p50_ms"]))
            else:
                cells.append(ratio(g and g["p50_ms"], small and small["p50_ms"]))
            cells.append(ratio(g and g["db_ms"], small and small["db_ms"]))
        out.append("| " + " | ".join(cells) + " |")
    walk_cells = []
    for s in sizes:
        w, wd = by_size[s]["walk"], by_size[s].get("walk_db") or {}
        db = f", DB {wd['db_ms']:.0f} ms" if wd else ""
        walk_cells.append(f"{s}: {w['pages']:.0f} pages, {w['seconds']:.2f} s{db}")
    out.append("")
    out.append("API task list walked to its end: " + "; ".join(walk_cells))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", help="the world's size name (for the table)")
    parser.add_argument("--url", help="DATABASE_URL holding a generated world of that size")
    parser.add_argument("--runs", type=int, default=1, help="paired runs (medians printed)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=5120)
    parser.add_argument("--baseline-port", type=int, default=5121)
    parser.add_argument("--walk-per-page", type=int, default=100)
    parser.add_argument("--walk-limit", type=float, default=600, help="seconds per walk at most")
    parser.add_argument("--db-repeat", type=int, default=30, help="requests per page in-process")
    parser.add_argument("--db-budget", type=float, default=10, help="seconds per page at most")
    parser.add_argument("--no-db", action="store_true", help="skip the in-process pass")
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not bring the world to the code's schema"
    )
    parser.add_argument(
        "--only", help='pages to run, separated by ";": a name, or name/who ("home page/staff")'
    )
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument("--combine", nargs="+", type=Path, help="JSON files of several sizes")
    args = parser.parse_args(argv)
    if args.combine:
        reports = [json.loads(p.read_text()) for p in args.combine if p.exists()]
        for r in sorted(
            reports, key=lambda r: SIZES_ORDER.index(r["size"]) if r["size"] in SIZES_ORDER else 99
        ):
            print(size_table(r) + "\n")
        print(combined_table(reports))
        return 0
    if not args.url or not args.size:
        parser.error("--size and --url (or --combine)")
    report = run_size(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    print(size_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
