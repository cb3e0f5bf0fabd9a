"""Installs: gunicorn and Redis are the production extra (the embedded default runs without
them), and the lock files pin exactly what pyproject.toml asks for, for every package."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PRODUCTION_ONLY = {"redis", "gunicorn"}


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>~! ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {m[1]: m[2] for m in re.finditer(r"^([a-z0-9._-]+)==([^\s;\\]+)", text, re.M)}


def test_the_embedded_default_migrates_loads_the_demo_and_serves_without_redis_or_gunicorn(
    tmp_path,
) -> None:
    """Importing either fails in the child (as if not installed); the app still works."""
    code = """
import sys
sys.modules["redis"] = None
sys.modules["gunicorn"] = None
from flask.testing import FlaskCliRunner
from coprod import create_app
app = create_app()
runner = FlaskCliRunner(app)
for command in (["migrate"], ["demo-data"]):
    with app.app_context():
        result = runner.invoke(args=command)
    assert result.exit_code == 0, (result.output, result.exception)
client = app.test_client()
assert client.get("/").status_code == 200
assert client.get("/api/v1/tasks").status_code == 200
assert not {"redis", "gunicorn"} & {m.split(".")[0] for m in sys.modules if sys.modules[m]}
print("ok")
"""
    env = {k: v for k, v in os.environ.items() if k != "COPROD_TEST_DATABASE_URL"}
    env.update(
        COPROD_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite'}",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_redis_and_gunicorn_are_the_production_extra_not_runtime_dependencies() -> None:
    project = PYPROJECT["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    production = {_name(r) for r in project["optional-dependencies"]["production"]}
    assert not runtime & PRODUCTION_ONLY
    assert production == PRODUCTION_ONLY


def test_each_lock_pins_every_package_pyproject_names_at_its_version() -> None:
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    wanted = {
        "requirements.lock": project["dependencies"] + extras["production"],
        "requirements-dev.lock": project["dependencies"] + extras["production"] + extras["dev"],
    }
    for lock, requirements in wanted.items():
        pins = _pins(lock)
        for requirement in requirements:
            if requirement.startswith("coprod["):
                continue
            name, version = _name(requirement), requirement.split("==")[1]
            assert pins.get(name) == version, (lock, requirement)


def test_the_production_lock_is_the_dev_lock_less_the_tools() -> None:
    """Same versions wherever both pin a package, and no test tool on a server."""
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert not {"pytest", "playwright", "ruff", "mypy", "uv"} & set(runtime)
