"""Browser tests: the real app served on localhost, driven in headless Chromium by Playwright.

The server runs as a subprocess on a fresh SQLite file with the demo world, so the browser
sees exactly what a newcomer sees after `make run`. Without chromium the tests skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The live server's database, so a test can open the emails it queued (its outbox).
SERVER: dict[str, Path] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free localhost port, with a migrated SQLite database and demo data."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian package 'chromium'); browser tests skipped")
    db_file = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    SERVER["database"] = db_file
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "COPROD_ENV": "development",
        "SECRET_KEY": "e2e-secret",
        "FLASK_APP": "coprod",
    }
    flask = [sys.executable, "-m", "flask", "--app", "coprod"]
    subprocess.run([*flask, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*flask, "demo-data"], env=env, check=True, capture_output=True, cwd=ROOT)
    # The reports the scheduler would have built by now (partners read them).
    subprocess.run(
        [*flask, "reports", "rebuild"], env=env, check=True, capture_output=True, cwd=ROOT
    )
    port = _free_port()
    log = (db_file.parent / "server.log").open("wb")
    proc = subprocess.Popen(
        [*flask, "run", "--port", str(port), "--no-reload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        log.close()
        raise RuntimeError("the e2e server did not start")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Any]:
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


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    # bypass_csp only so the test can inject axe; the app's own pages run no script at all.
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """Pages in browser contexts of their own (a second person on another device)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        return pg

    yield make
    for context in contexts:
        context.close()


def check_a11y(page: Any) -> None:
    """Run axe-core on the current page; any WCAG 2.2 AA violation fails the test."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    problems = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe found violations on {page.url}:\n" + "\n".join(problems)


def screenshots(page: Any, name: str) -> None:
    """Save the page at desktop and phone widths as test artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def sign_in(page: Any, email: str, password: str = "demo-password-2026") -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


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
