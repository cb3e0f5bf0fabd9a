"""Load test: the pages people use most, under gunicorn, against the framework's own ceiling.

    PYTHONPATH=. .venv/bin/python -m bench.load --url postgresql://postgres@127.0.0.1:5432/coprod_bench

Starts (unless --app-url is given) the app and bench/baseline.py under gunicorn with the same
settings (deploy/gunicorn.conf.py, 2 workers), signs people in through the real login form,
then runs wrk (8 connections, 2 threads) for each endpoint in turn: the public task list (first
page, a deep page, a text search), a task page, My schedule, the review queue, a report page,
the API task list (when the app has one); then the sign-up POST with many signed-in volunteers
on many shifts (wrk + bench/signup.lua), after which the database is checked: 0 server errors,
0 overbooked shifts, seat counters equal to the seated sign-ups.

Each endpoint's run is paired with the baseline run(s) made right before it: the plain
baseline (`/`) for every endpoint, and for signed-in pages also the signed-in baseline
(`/signed-in`: the same page behind Flask-Login, the person read from the database). Ratios are
against the plain baseline, as the issue's targets say (visitor pages >= 50 %, signed-in
>= 35 %, p99 < 100 ms); the ratio to the signed-in baseline shows what is left once the bare
cost of signing in is paid. `--runs 3` repeats every pair three times and prints medians;
`--no-cache` turns the visitor cache off (every page rendered); the load average is printed at
the start and end of each run. Prints a Markdown table and the targets.

The database should hold a generated world (bench/generate.py, medium for the README figures);
the sign-up POST adds sign-ups to it.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.generate import DOMAIN, PASSWORD, check, keep_task_figures
from coprod.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def ensure_tool(name: str, package: str) -> str:
    """The path of a command, installed from Debian's packages when it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found:
        return found
    print(f"{name} is missing: apt-get install {package}", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=False)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True)  # noqa: S603, S607
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise SystemExit(f"could not install {name}")
    return found


def server_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        COPROD_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-secret-not-for-production"),
        SESSION_COOKIE_SECURE="0",
        PORT=str(port),
        WEB_CONCURRENCY=env.get("WEB_CONCURRENCY", "2"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def start_gunicorn(app: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), app]
    return subprocess.Popen(  # noqa: S603 - our own command line
        cmd, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def wait_ready(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def drain(base: str, seconds: float = 180) -> float:
    """Wait until the server has worked off what wrk left queued: a page slower than wrk's run
    leaves requests in gunicorn's queue when wrk stops, and the next endpoint's run would pay
    for them. Done when two requests for a static file, sent at once (one per worker), are
    both answered quickly. Returns the seconds waited."""
    started = time.monotonic()
    url = base + "/static/favicon.svg"

    def one() -> float:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=seconds):  # noqa: S310 - loopback
                pass
        except OSError:
            pass
        return time.monotonic() - t0

    with ThreadPoolExecutor(2) as pool:
        while time.monotonic() - started < seconds:
            if max(pool.map(lambda _i: one(), range(2))) < 0.25:
                break
    return time.monotonic() - started


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


USER_AGENT = "coprod-bench/1.0"


class Browser:
    """A person at a browser: keeps cookies, reads CSRF tokens, signs in through the form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        # wrk later replays this person's session cookie: it must send the same browser name,
        # or the session protection sees a different browser and rewrites the cookie on every
        # response (what a real browser, which keeps its name, never causes).
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str) -> tuple[int, str]:
        status, body, _headers = self.fetch(path)
        return status, body

    def fetch(self, url: str, timeout: float = 60) -> tuple[int, str, dict[str, str]]:
        """GET a path (or a full URL on this server): status, body and headers."""
        if url.startswith("/"):
            url = self.base + url
        try:
            with self.opener.open(url, timeout=timeout) as resp:
                return resp.status, resp.read().decode(), dict(resp.headers.items())
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers.items())
        except OSError as err:  # timed out, refused: no answer (status 0), said so by callers
            return 0, str(err), {}

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def csrf(self, page: str) -> str:
        match = CSRF_RE.search(page)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return html.unescape(match.group(1))

    def login(self, email: str) -> None:
        _, page = self.get("/login")
        status, page = self.post(
            "/login", {"csrf_token": self.csrf(page), "email": email, "password": PASSWORD}
        )
        if status != 200 or "Sign out" not in page:
            raise RuntimeError(f"could not sign in as {email} (status {status})")

    def session_cookie(self) -> str:
        for cookie in self.jar:
            if cookie.name == "session" and cookie.value:
                return cookie.value
        raise RuntimeError("no session cookie")

    def signed_in_state(self) -> tuple[str, str]:
        """(session cookie, CSRF token) after a page view that settles the session."""
        _, page = self.get("/my/schedule")
        _, page = self.get("/my/schedule")  # the second view has no flash message left
        return self.session_cookie(), self.csrf(page)


@dataclass
class Result:
    name: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio: float | None = None
    note: str = ""


def _ms(raw: str) -> float:
    value = float(re.match(r"[\d.]+", raw).group())  # type: ignore[union-attr]
    if raw.endswith("us"):
        return value / 1000
    if raw.endswith("ms"):
        return value
    if raw.endswith("m"):
        return value * 60000
    return value * 1000  # seconds


def wrk(
    wrk_bin: str,
    name: str,
    base: str,
    path: str,
    args: argparse.Namespace,
    cookie: str | None = None,
    script: list[str] | None = None,
) -> tuple[Result, str]:
    cmd = [wrk_bin, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    cmd += ["--latency", "--timeout", "10s", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: session={cookie}"]
    if script:
        cmd += ["-s", script[0]]
    cmd.append(base + path)
    if script:
        cmd += ["--", *script[1:]]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = _socket_errors(out)
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    return Result(name, path, rps, p50, p99, requests, errors), out


def _status(out: str, key: str) -> int:
    """A count printed by bench/signup.lua's done(): STATUS 2xx=… 3xx=… 409=… …"""
    m = re.search(rf"{key}=(\d+)", out)
    return int(m.group(1)) if m else 0


def _socket_errors(out: str) -> int:
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return sum(int(g) for g in m.groups()) if m else 0


def discover(database_url: str) -> dict[str, Any]:
    """Realistic targets from the generated world: a task with upcoming shifts, a deep page,
    a search word, a programme with report snapshots, shifts for the sign-up POST."""
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        open_tasks = conn.scalar(text("SELECT count(*) FROM task WHERE status = 'open'")) or 0
        shifts = conn.execute(
            text(
                "SELECT s.id, s.task_id FROM shift s JOIN task t ON t.id = s.task_id "
                "WHERE t.status = 'open' AND s.starts_at > :now ORDER BY s.starts_at, s.id "
                "LIMIT 400"
            ),
            {"now": now},
        ).all()
        people = conn.scalar(
            text('SELECT count(*) FROM "user" WHERE email LIKE :p'), {"p": f"v%@{DOMAIN}"}
        )
        staff_id = conn.scalar(
            text('SELECT id FROM "user" WHERE email = :e'), {"e": f"staff@{DOMAIN}"}
        )
        programme = conn.scalar(
            text(
                "SELECT p.id FROM programme p JOIN organisation o ON o.id = p.lead_organisation_id "
                "JOIN membership m ON m.organisation_id = o.id AND m.role = 'reviewer' "
                'JOIN "user" u ON u.id = m.user_id AND u.email = :email '
                "WHERE EXISTS (SELECT 1 FROM report_snapshot r WHERE r.programme_id = p.id) "
                "ORDER BY p.id LIMIT 1"
            ),
            {"email": f"staff@{DOMAIN}"},
        )
    engine.dispose()
    if not shifts:
        raise SystemExit("no upcoming shifts: generate a world first (bench/generate.py)")
    return {
        "deep_page": max(open_tasks // 20 * 3 // 4, 1),
        "task_id": shifts[0][1],
        "shift_ids": [s[0] for s in shifts],
        "programme_id": programme,
        "volunteers": people or 0,
        "staff_id": staff_id,
    }


def signup_pairs(
    base: str, shift_ids: list[int], volunteers: int, path: Path, first: int = 1000
) -> int:
    """Sign in `volunteers` people (v<first>…) and write (cookie, csrf, path) lines for them
    against the shifts, shuffled: many people on many shifts, most pairs sent once."""
    rng = random.Random()  # fresh pairs at every run
    states = []
    for i in range(volunteers):
        b = Browser(base)
        b.login(f"v{first + i}@{DOMAIN}")
        states.append(b.signed_in_state())
    lines = [
        f"{cookie}\t{csrf}\t/shifts/{sid}/signup"
        for cookie, csrf in states
        for sid in rng.sample(shift_ids, min(len(shift_ids), 100))
    ]
    rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


@dataclass
class Endpoint:
    name: str
    path: str
    cookie: str | None  # a signed-in person's session cookie; None for a visitor
    runs: list[dict[str, float]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.cookie is not None


def paired(runs: list[dict[str, float]]) -> dict[str, float]:
    """Medians over paired runs; each ratio is taken within its run, then the median of those."""
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "errors"}
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def target(signed_in: bool, ratio: float, p99_ms: float, errors: float) -> bool:
    """The issue's targets at 8 connections, cache off: visitor pages >= 50 % of the plain
    baseline's throughput, signed-in pages >= 35 % of it, p99 < 100 ms, no errors."""
    return ratio >= (0.35 if signed_in else 0.5) and p99_ms < 100 and errors == 0


def table(endpoints: list[Endpoint], plain: list[Result], signed: list[Result]) -> str:
    out = [
        "| endpoint | who | path | req/s | p50 ms | p99 ms | errors | plain baseline req/s "
        "| vs plain¹ | signed-in baseline req/s | vs signed-in baseline¹ | target² |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, runs in (("plain baseline", plain), ("signed-in baseline", signed)):
        if runs:
            rps = statistics.median(r.rps for r in runs)
            p50 = statistics.median(r.p50_ms for r in runs)
            p99 = statistics.median(r.p99_ms for r in runs)
            errors = sum(r.errors for r in runs)
            path = "/" if name.startswith("plain") else "/signed-in"
            who = "visitor" if name.startswith("plain") else "signed in"
            out.append(
                f"| {name} ({len(runs)} runs) | {who} | `{path}` | {rps:.1f} | {p50:.1f} | "
                f"{p99:.1f} | {errors} | | | | | |"
            )
    for e in endpoints:
        if not e.runs:
            continue
        m = paired(e.runs)
        ok = target(e.signed_in, m["ratio"], m["p99_ms"], m["errors"])
        signed_cells = (
            f"{m['signed_rps']:.1f} | {m['signed_ratio']:.0%}" if "signed_rps" in m else " | "
        )
        out.append(
            f"| {e.name} | {'signed in' if e.signed_in else 'visitor'} | `{e.path}` | "
            f"{m['rps']:.1f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['errors']:.0f} | "
            f"{m['plain_rps']:.1f} | {m['ratio']:.0%} | {signed_cells} | "
            f"{'met' if ok else 'MISSED'} |"
        )
    return "\n".join(out)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="DATABASE_URL holding a generated world")
    parser.add_argument("--port", type=int, default=5110, help="the app's port")
    parser.add_argument("--baseline-port", type=int, default=5111)
    parser.add_argument("--app-url", help="test an app already running here (e.g. via nginx)")
    parser.add_argument("--baseline-url", help="a baseline already running here")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="paired runs; medians printed")
    parser.add_argument(
        "--no-cache", action="store_true", help="visitor cache off (CACHE_TYPE=NullCache)"
    )
    parser.add_argument("--volunteers", type=int, default=60, help="people for the POST")
    parser.add_argument("--only", help="endpoint names to run, separated by ';'")
    parser.add_argument("--no-post", action="store_true", help="skip the sign-up POST")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not bring the world to the code's schema"
    )
    args = parser.parse_args(argv)

    wrk_bin = ensure_tool("wrk", "wrk")
    if not args.no_migrate:  # a world generated by older code: bring it to this code's schema
        from coprod.migrate import upgrade

        upgrade(args.url)
    # The tasks whose kept next shift has started since the world was made: the job
    # `tasks.figures` keeps them every two minutes in a running service; here no job runs.
    kept = keep_task_figures(make_engine(args.url), datetime.now(UTC), every=False)
    print(f"task list figures kept again on {kept} tasks (started since last kept)")
    logdir = Path(tempfile.mkdtemp(prefix="coprod-load-"))
    procs: list[subprocess.Popen[bytes]] = []
    base = args.app_url or f"http://127.0.0.1:{args.port}"
    baseline = args.baseline_url or f"http://127.0.0.1:{args.baseline_port}"
    cache = {"CACHE_TYPE": "NullCache"} if args.no_cache else {}
    loads: list[dict[str, Any]] = []
    try:
        if not args.app_url:
            procs.append(
                start_gunicorn(
                    "coprod:create_app()",
                    server_env(args.url, args.port, RATELIMIT_STORAGE_URI="memory://", **cache),
                    logdir / "app.log",
                )
            )
        if not args.baseline_url:
            procs.append(
                start_gunicorn(
                    "bench.baseline:create_app()",
                    server_env(args.url, args.baseline_port),
                    logdir / "baseline.log",
                )
            )
        wait_ready(base + "/tasks")
        wait_ready(baseline + "/")
        world = discover(args.url)
        staff = Browser(base)
        staff.login(f"staff@{DOMAIN}")
        staff_cookie, _ = staff.signed_in_state()
        volunteer = Browser(base)
        volunteer.login(f"v0@{DOMAIN}")
        volunteer_cookie, _ = volunteer.signed_in_state()
        # The signed-in baseline: the same person, signed in at the baseline's own door.
        base_person = Browser(baseline)
        status, _ = base_person.get(f"/login/{world['staff_id']}")
        if status != 200:
            raise SystemExit(f"the baseline's /login answers {status}")
        baseline_cookie = base_person.session_cookie()
        api_status, _ = Browser(base).get("/api/v1/tasks")

        endpoints = [
            Endpoint("task list, page 1", "/tasks", None),
            Endpoint("task list, deep page", f"/tasks?page={world['deep_page']}", None),
            Endpoint("task list, search", "/tasks?q=garden", None),
            Endpoint("task page", f"/tasks/{world['task_id']}", None),
            Endpoint("my schedule", "/my/schedule", volunteer_cookie),
            Endpoint("review queue", "/review", staff_cookie),
            Endpoint("report page", f"/programmes/{world['programme_id']}/reports", staff_cookie),
        ]
        if api_status == 200:
            endpoints.append(Endpoint("API task list", "/api/v1/tasks", None))
        only = set(args.only.split(";")) if args.only else None
        endpoints = [e for e in endpoints if not only or e.name in only]
        for e in endpoints:
            who = staff if e.cookie == staff_cookie else volunteer
            status, _ = who.get(e.path) if e.cookie else Browser(base).get(e.path)
            if status != 200:
                raise SystemExit(f"{e.name}: {e.path} answers {status}, not 200")
        plain: list[Result] = []
        signed: list[Result] = []
        for run in range(1, args.runs + 1):
            loads.append({"run": run, "start": loadavg()})
            print(f"run {run}/{args.runs}: load average at the start {loadavg()}", file=sys.stderr)
            for e in endpoints:
                # The baselines run right before the endpoint: on a machine shared with other
                # work, each ratio compares runs made under the same conditions. Visitor pages
                # are paired with the plain baseline, signed-in pages with both.
                ceiling, _out = wrk(wrk_bin, "baseline", baseline, "/", args)
                plain.append(ceiling)
                figures = {"plain_rps": ceiling.rps}
                if e.signed_in:
                    ceiling_in, _out = wrk(
                        wrk_bin, "signed-in baseline", baseline, "/signed-in", args,
                        baseline_cookie,
                    )  # fmt: skip
                    signed.append(ceiling_in)
                    figures["signed_rps"] = ceiling_in.rps
                result, _out = wrk(wrk_bin, e.name, base, e.path, args, e.cookie)
                drain(base)
                figures.update(
                    rps=result.rps, p50_ms=result.p50_ms, p99_ms=result.p99_ms,
                    errors=result.errors, ratio=result.rps / ceiling.rps,
                )  # fmt: skip
                if e.signed_in:
                    figures["signed_ratio"] = result.rps / figures["signed_rps"]
                e.runs.append(figures)
                extra = f", signed-in {figures['signed_rps']:.0f}" if e.signed_in else ""
                print(
                    f"  {e.name:<22} {result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  "
                    f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
                    f"(baseline just before: {ceiling.rps:.1f} req/s{extra})",
                    file=sys.stderr,
                )
            loads[-1]["end"] = loadavg()
            print(f"run {run}/{args.runs}: load average at the end {loadavg()}", file=sys.stderr)

        post: Result | None = None
        if not args.no_post and (not only or "sign-up POST" in only):
            engine = make_engine(args.url)
            with engine.connect() as conn:
                before = conn.scalar(text("SELECT count(*) FROM signup")) or 0
            pairs = logdir / "signup-pairs.tsv"
            first = max(min(1000, world["volunteers"] - args.volunteers), 2)
            n = signup_pairs(base, world["shift_ids"], args.volunteers, pairs, first)
            post_load = loadavg()
            post, out = wrk(
                wrk_bin, "sign-up POST", base, "/shifts/0/signup", args,
                script=[str(ROOT / "bench/signup.lua"), str(pairs), str(args.threads)],
            )  # fmt: skip
            codes = re.search(r"STATUS (.*)", out)
            with engine.connect() as conn:
                after = conn.scalar(text("SELECT count(*) FROM signup")) or 0
            broken = check(engine)
            engine.dispose()
            post.errors = _socket_errors(out) + _status(out, "other-4xx") + _status(out, "5xx")
            post.note = (
                f"{n} (volunteer, shift) pairs; responses {codes.group(1) if codes else '?'}; "
                f"{after - before} new sign-ups; overbooked shifts "
                f"{broken['overbooked shifts']}; seat counters off "
                f"{broken['seat counter differs from seated sign-ups']}; overlapping "
                f"{broken['overlapping active sign-ups']}; load average {post_load} → {loadavg()}"
            )
            print(f"sign-up POST           {post.rps:8.1f} req/s  p50 {post.p50_ms:6.1f} ms  "
                  f"p99 {post.p99_ms:6.1f} ms  {post.note}", file=sys.stderr)  # fmt: skip

        cache_note = "visitor cache off" if args.no_cache else "visitor cache on (5 s)"
        print(f"{args.runs} paired run(s), medians; wrk {args.connections} connections, "
              f"{args.duration} s each; {cache_note}\n")  # fmt: skip
        print(table(endpoints, plain, signed))
        print(
            "\n¹ each run's ratio against the baseline run(s) made just before the endpoint's "
            "own run; the median of those ratios\n"
            "² visitor pages >= 50 % of the plain baseline, signed-in pages >= 35 % of it, "
            "p99 < 100 ms, 0 errors"
        )
        runs_load = "; ".join(f"run {x['run']}: {x['start']} → {x.get('end', '?')}" for x in loads)
        print(f"load average (1, 5, 15 min) at start → end: {runs_load}")
        if post is not None:
            print(
                f"\nsign-up POST: {post.rps:.1f} req/s, p50 {post.p50_ms:.1f} ms, "
                f"p99 {post.p99_ms:.1f} ms, errors {post.errors}; {post.note}"
            )
            ok = post.errors == 0 and "overbooked shifts 0;" in post.note
            print(f"sign-up POST target (0 errors, 0 overbooking): {'met' if ok else 'MISSED'}")
        if api_status != 200:
            print(f"- API task list: /api/v1/tasks answers {api_status}: not measured")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "runs": args.runs,
                        "no_cache": args.no_cache,
                        "loadavg": loads,
                        "endpoints": [asdict(e) for e in endpoints],
                        "plain_baseline": [asdict(r) for r in plain],
                        "signed_in_baseline": [asdict(r) for r in signed],
                        "post": asdict(post) if post else None,
                    },
                    indent=2,
                )
            )
    finally:
        for proc in procs:
            stop(proc)
    print(f"(server logs in {logdir})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
