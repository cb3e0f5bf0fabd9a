"""Browser tests: the real app served on localhost, driven in headless Chromium by Playwright.

Each test file gets a server of its own as a subprocess, on a fresh copy of a SQLite file with
the demo world, so the browser sees exactly what a newcomer sees after `make run`, and no file
depends on what another changed: the files can run in any order, in several processes at once
(`pytest -n 2`: each worker serves its files on its own port). Without chromium the tests skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
# Screenshots are for people to look at, and nothing asserts on them: they are taken only when
# asked for (`make shots`, or COPROD_SCREENSHOTS=1), which keeps `make test` and CI lighter.
SCREENSHOTS = os.environ.get("COPROD_SCREENSHOTS", "") not in ("", "0")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The live server's database, so a test can open the emails it queued (its outbox).
SERVER: dict[str, Path] = {}
ENV = {
    "COPROD_ENV": "development",
    "SECRET_KEY": "e2e-secret",
    "FLASK_APP": "coprod",
}
FLASK = [sys.executable, "-m", "flask", "--app", "coprod"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _flask(database: Path, *args: str) -> None:
    env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([*FLASK, *args], env=env, check=True, capture_output=True, cwd=ROOT)


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo world and the reports the scheduler would have
    built by now (partners read them): made once per run, shared by the pytest-xdist workers
    (the directory above each worker's temporary directory is common to them all)."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian package 'chromium'); browser tests skipped")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    world = shared / "e2e-demo-world.sqlite"
    with FileLock(str(world) + ".lock"):
        if not world.exists():
            building = shared / "e2e-demo-world.building.sqlite"
            building.unlink(missing_ok=True)
            _flask(building, "migrate")
            _flask(building, "demo-data")
            _flask(building, "reports", "rebuild")
            building.rename(world)
    return world


@pytest.fixture(scope="session")
def server_process(demo_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """This process's server (tests/e2e/server.py), which serves each test file in turn."""
    log = (tmp_path_factory.mktemp("e2e-server") / "server.log").open("wb")
    SERVER["log"] = Path(log.name)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.server"],
        env={**os.environ, **ENV},
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
        log.close()


def _tell(server: Any, command: str) -> None:
    server.stdin.write(command + "\n")
    server.stdin.flush()
    answer = server.stdout.readline()
    if answer.strip() != "ok":
        raise RuntimeError(f"the e2e server did not do {command!r} (its log: {SERVER['log']})")


@pytest.fixture(scope="module")
def live_server(
    server_process: Any, demo_world: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app on a free localhost port, serving a fresh copy of the demo world to this test
    file alone."""
    db_file = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    with closing(sqlite3.connect(demo_world)) as source, closing(sqlite3.connect(db_file)) as copy:
        source.backup(copy)
    SERVER["database"] = db_file
    port = _free_port()
    _tell(server_process, f"serve {port} {db_file}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        raise RuntimeError(f"the e2e server did not start serving (its log: {SERVER['log']})")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _tell(server_process, "stop")


@pytest.fixture(scope="session")
def browser(demo_world: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def open_context(browser: Any, base_url: str, **options: Any) -> Any:
    """A browser context on the live server, with axe-core loaded into each of its pages
    (bypass_csp only so axe can run there; the app's own pages run no inline script)."""
    context = browser.new_context(
        base_url=base_url, **{"viewport": DESKTOP, "bypass_csp": True, **options}
    )
    context.add_init_script(path=str(AXE))
    return context


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = open_context(browser, live_server)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """Pages in browser contexts of their own (a second person on another device)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = open_context(browser, live_server)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        return pg

    yield make
    for context in contexts:
        context.close()


def check_a11y(page: Any) -> None:
    """Run axe-core on the current page; any WCAG 2.2 AA violation fails the test."""
    page.wait_for_load_state("load")  # styles applied: sizes and colours are what they will be
    if not page.evaluate("typeof axe !== 'undefined'"):  # a context not made by open_context
        page.add_script_tag(path=str(AXE))
    # Only the violations are gathered and sent back: the passes are many and nobody reads them.
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })).violations""",
        AXE_TAGS,
    )
    problems = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert problems == [], f"axe found violations on {page.url}:\n" + "\n".join(problems)


def screenshots(page: Any, name: str) -> None:
    """Save the page at desktop and phone widths as test artefacts (when asked for)."""
    if not SCREENSHOTS:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


# The session cookies of the demo people's sign-ins made so far in this process.
_SIGNED_IN: dict[tuple[str, str], list[Any]] = {}


def sign_in(page: Any, email: str, password: str = "demo-password-2026") -> None:
    """Sign in and land on the home page. The first time for a person of the demo world, with
    the form; after that with the session cookie that sign-in gave, as a browser that kept it
    would (every copy of the demo world has the same people), unless the server refuses it
    (the person signed out, which ends all their sessions). Anyone else uses the form."""
    key = (email, password)
    if key in _SIGNED_IN:
        page.context.add_cookies(_SIGNED_IN[key])
        response = page.goto("/")
        if response is not None and response.ok and _signed_in(page):
            return
        page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    if email.endswith("@demo.coprod.org"):
        _SIGNED_IN[key] = page.context.cookies()


def _signed_in(page: Any) -> bool:
    return bool(page.locator("form[action$='/logout']").count())


def emailed_link(email: str, path: str) -> str:
    """The newest link to `/<path>/...` in the emails queued for this address (what the
    person would click in their inbox), as a path on the live server."""
    import re
    import sqlite3

    with sqlite3.connect(SERVER["database"]) as conn:
        rows = conn.execute(
            "SELECT body_text FROM outbox_message WHERE recipient = ? ORDER BY id DESC", (email,)
        ).fetchall()
    for (body,) in rows:
        found = re.search(rf"https?://[^/\s]+(/{path}/\S+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no /{path}/ link was emailed to {email}")
