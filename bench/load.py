"""Load test: the pages people use most, under gunicorn, against the framework's own ceiling.

    PYTHONPATH=. .venv/bin/python -m bench.load --url postgresql://postgres@127.0.0.1:5432/coprod_bench

Starts (unless --app-url is given) the app and bench/baseline.py under gunicorn with the same
settings (deploy/gunicorn.conf.py, 2 workers), signs people in through the real login form,
then runs wrk (8 connections, 2 threads) for each endpoint in turn: the public task list (first
page, a deep page, a text search), a task page, My schedule, the review queue, a report page,
the API task list (when the app has one) and the baseline; then the sign-up POST with many
signed-in volunteers on many shifts (wrk + bench/signup.lua), after which the database is
checked: 0 server errors, 0 overbooked shifts, seat counters equal to the seated sign-ups.
Prints a Markdown table (requests/s, p50, p99, ratio to the baseline) and the targets.

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
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.generate import DOMAIN, PASSWORD, check
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


def wait_ready(url: str, seconds: float = 30) -> None:
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
        try:
            with self.opener.open(self.base + path, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

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


def table(results: list[Result]) -> str:
    out = ["| endpoint | path | req/s | p50 ms | p99 ms | requests | errors | vs baseline¹ |"]
    out.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{r.ratio:.0%}" if r.ratio is not None else ""
        out.append(
            f"| {r.name} | `{r.path}` | {r.rps:.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.requests} | {r.errors} | {ratio} |"
        )
    return "\n".join(out)


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
    parser.add_argument("--volunteers", type=int, default=60, help="people for the POST")
    parser.add_argument("--only", help="endpoint names to run, separated by ';'")
    parser.add_argument("--no-post", action="store_true", help="skip the sign-up POST")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)

    wrk_bin = ensure_tool("wrk", "wrk")
    logdir = Path(tempfile.mkdtemp(prefix="coprod-load-"))
    procs: list[subprocess.Popen[bytes]] = []
    base = args.app_url or f"http://127.0.0.1:{args.port}"
    baseline = args.baseline_url or f"http://127.0.0.1:{args.baseline_port}"
    try:
        if not args.app_url:
            procs.append(
                start_gunicorn(
                    "coprod:create_app()",
                    server_env(args.url, args.port, RATELIMIT_STORAGE_URI="memory://"),
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
        api_status, _ = Browser(base).get("/api/v1/tasks")

        endpoints: list[tuple[str, str, str, str | None]] = [
            ("task list, page 1", base, "/tasks", None),
            ("task list, deep page", base, f"/tasks?page={world['deep_page']}", None),
            ("task list, search", base, "/tasks?q=garden", None),
            ("task page", base, f"/tasks/{world['task_id']}", None),
            ("my schedule", base, "/my/schedule", volunteer_cookie),
            ("review queue", base, "/review", staff_cookie),
            ("report page", base, f"/programmes/{world['programme_id']}/reports", staff_cookie),
        ]
        if api_status == 200:
            endpoints.append(("API task list", base, "/api/v1/tasks", None))
        only = set(args.only.split(";")) if args.only else None
        results: list[Result] = []
        baselines: list[Result] = []
        for name, host, path, cookie in endpoints:
            if only and name not in only:
                continue
            status, _ = (
                (staff if cookie == staff_cookie else volunteer).get(path)
                if cookie
                else (Browser(host).get(path))
            )
            if status != 200:
                raise SystemExit(f"{name}: {path} answers {status}, not 200")
            # The baseline runs right before each endpoint: on a machine shared with other
            # work, each ratio compares two runs made under the same conditions.
            ceiling, _out = wrk(wrk_bin, "baseline", baseline, "/", args)
            baselines.append(ceiling)
            result, _out = wrk(wrk_bin, name, host, path, args, cookie)
            result.ratio = result.rps / ceiling.rps
            results.append(result)
            line = f"{name:<22} {result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  "
            print(
                f"{line}p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
                f"(baseline just before: {ceiling.rps:.1f} req/s, p99 {ceiling.p99_ms:.1f} ms)",
                file=sys.stderr,
            )
        if baselines:
            mean = Result(
                "baseline (mean of the runs)",
                "/",
                sum(b.rps for b in baselines) / len(baselines),
                sum(b.p50_ms for b in baselines) / len(baselines),
                max(b.p99_ms for b in baselines),
                sum(b.requests for b in baselines),
                sum(b.errors for b in baselines),
                note=", ".join(f"{b.rps:.0f}" for b in baselines),
            )
            results.insert(0, mean)

        post: Result | None = None
        if not args.no_post and (not only or "sign-up POST" in only):
            engine = make_engine(args.url)
            with engine.connect() as conn:
                before = conn.scalar(text("SELECT count(*) FROM signup")) or 0
            pairs = logdir / "signup-pairs.tsv"
            first = max(min(1000, world["volunteers"] - args.volunteers), 2)
            n = signup_pairs(base, world["shift_ids"], args.volunteers, pairs, first)
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
                f"{broken['overlapping active sign-ups']}"
            )
            results.append(post)
            print(f"sign-up POST           {post.rps:8.1f} req/s  p50 {post.p50_ms:6.1f} ms  "
                  f"p99 {post.p99_ms:6.1f} ms  {post.note}", file=sys.stderr)  # fmt: skip

        print(table(results))
        if baselines:
            print("\n¹ against the baseline run made just before the endpoint's own run")
            print(f"baseline req/s of each paired run: {results[0].note}")
        if post is not None:
            print(f"\nsign-up POST: {post.note}")
        reads = [r for r in results if r.ratio is not None]
        print("\nTargets (reads >= 50% of baseline, p99 < 100 ms, POST 0 errors 0 overbooking):")
        for r in reads:
            ok = (r.ratio or 0) >= 0.5 and r.p99_ms < 100 and r.errors == 0
            print(f"- {r.name}: {'met' if ok else 'MISSED'}")
        if post is not None:
            ok = post.errors == 0 and "overbooked shifts 0;" in post.note
            print(f"- sign-up POST: {'met' if ok else 'MISSED'}")
        if api_status != 200:
            print(f"- API task list: /api/v1/tasks answers {api_status}: not measured")
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    finally:
        for proc in procs:
            stop(proc)
    print(f"(server logs in {logdir})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
