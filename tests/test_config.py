"""Safe defaults: without COPROD_ENV coprod runs as production, and every setting is read in
config.py."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = "coprod: SECRET_KEY is not set"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment less every coprod setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in {"COPROD_ENV", "SECRET_KEY", "PORT"}}
    env.pop("PUBLIC_BASE_URL", None)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'c.sqlite'}", PYTHONPATH=str(ROOT), **extra)
    return env


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def _python(code: str, env: dict[str, str]) -> object:
    result = _run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_flask_command_without_coprod_env_or_secret_key_refuses_in_one_line(tmp_path) -> None:
    result = _run([sys.executable, "-m", "flask", "--app", "coprod", "migrate"], _env(tmp_path))
    assert result.returncode != 0
    assert result.stderr.strip().startswith(MESSAGE)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "c.sqlite").exists()  # it did nothing


def test_gunicorn_without_coprod_env_or_secret_key_stops_with_the_message(tmp_path) -> None:
    """Its workers exit with gunicorn's "App failed to load" status, so the master stops too
    instead of starting new workers for ever."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "-c", "deploy/gunicorn.conf.py", "--workers", "1", "coprod:create_app()"]
    result = _run(cmd, _env(tmp_path, BIND=f"127.0.0.1:{port}"))
    assert result.returncode != 0
    assert MESSAGE in result.stderr
    assert "Traceback" not in result.stderr


def test_without_coprod_env_the_settings_are_production_with_secure_cookies(tmp_path) -> None:
    code = (
        "import json; from coprod import create_app; app = create_app(); "
        "print(json.dumps([app.config[k] for k in "
        "('TESTING', 'SESSION_COOKIE_SECURE', 'REMEMBER_COOKIE_SECURE')]))"
    )
    assert _python(code, _env(tmp_path, SECRET_KEY="a-real-secret")) == [False, True, True]


def test_in_development_email_links_follow_the_port(tmp_path) -> None:
    code = (
        "import json; from coprod.services.notifications import base_url; "
        "print(json.dumps(base_url()))"
    )
    dev = _env(tmp_path, COPROD_ENV="development", PORT="5123")
    assert _python(code, dev) == "http://127.0.0.1:5123"
    assert _python(code, {**dev, "PUBLIC_BASE_URL": "https://x.example/"}) == "https://x.example"
    assert _python(code, _env(tmp_path, PORT="5123")) == "http://127.0.0.1:5000"


def test_the_job_intervals_come_from_config(tmp_path) -> None:
    code = (
        "import json; from coprod import create_app, scheduler; app = create_app(); "
        "jobs = {j.id: j.trigger for j in scheduler.create_scheduler(app).get_jobs()}; "
        "print(json.dumps([jobs['outbox.deliver'].interval.total_seconds(), "
        "jobs['reports.sweep'].interval.total_seconds()]))"
    )
    env = _env(tmp_path, COPROD_ENV="development", OUTBOX_INTERVAL_SECONDS="7")
    assert _python(code, {**env, "REPORTS_SWEEP_MINUTES": "2"}) == [7.0, 120.0]


def test_only_config_py_reads_the_environment() -> None:
    """Settings live in config.py: the application, its jobs and its migrations read them from
    there (deploy/gunicorn.conf.py is gunicorn's own configuration)."""
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("coprod", "migrations")
        for path in (ROOT / folder).rglob("*.py")
        if reads.search(path.read_text())
    ]
    assert offenders == []
