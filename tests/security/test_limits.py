"""Password guessing and mass registration are throttled, per account and per address."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import TestConfig
from coprod.extensions import limiter
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def limits(app) -> Iterator[dict]:
    """Small limits for the test; counters cleared before and after."""
    names = ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS", "REGISTER_LIMIT_PER_ADDRESS")
    limiter.reset()
    try:
        yield app.config
    finally:
        for name in names:
            app.config[name] = getattr(TestConfig, name)
        limiter.reset()


def _login(client, email: str, password: str = "wrong password", ip: str = "10.0.0.1") -> int:
    response = client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )
    return response.status_code


def test_failed_logins_are_limited_per_account_whatever_the_address(client, session, limits):
    limits["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    user = make_user(session)
    assert [_login(client, user.email, ip=f"10.0.1.{i}") for i in range(3)] == [422] * 3
    blocked = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.1.99"},
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_failed_logins_are_limited_per_address_whatever_the_account(client, session, limits):
    limits["LOGIN_LIMIT_PER_ADDRESS"] = "4/minute"
    user = make_user(session)
    codes = [_login(client, f"nobody{i}@example.org", ip="10.0.2.1") for i in range(4)]
    assert codes == [422] * 4
    assert _login(client, user.email, PASSWORD, ip="10.0.2.1") == 429
    assert _login(client, user.email, PASSWORD, ip="10.0.2.2") == 303  # another address


def test_successful_logins_use_up_nothing(client, session, limits):
    limits["LOGIN_LIMIT_PER_ADDRESS"] = "2/minute"
    limits["LOGIN_LIMIT_PER_ACCOUNT"] = "2/minute"
    user = make_user(session)
    for _ in range(5):
        assert _login(client, user.email, PASSWORD, ip="10.0.3.1") == 303
        client.post("/logout")


def test_registration_is_limited_per_address(client, session, limits):
    limits["REGISTER_LIMIT_PER_ADDRESS"] = "3/hour"

    def register(i: int, ip: str) -> int:
        data = {
            "display_name": f"P {i}",
            "email": f"p{i}.{ip}@example.org",
            "password": "a fine long passphrase",
        }
        return client.post("/register", data=data, environ_base={"REMOTE_ADDR": ip}).status_code

    assert [register(i, "10.0.4.1") for i in range(3)] == [303] * 3
    assert register(3, "10.0.4.1") == 429
    assert register(4, "10.0.4.2") == 303


def test_the_default_registration_limit_lets_a_busy_library_through() -> None:
    # A library or school behind one address: dozens of sign-ups an hour must pass.
    amount, per = TestConfig.REGISTER_LIMIT_PER_ADDRESS.split(";")[0].split("/")
    assert per == "hour" and int(amount) >= 50


def _python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_limits_are_read_from_the_environment_under_flask_limiters_names() -> None:
    code = (
        "import json; from config import config_for; c = config_for('production'); "
        "print(json.dumps([c.RATELIMIT_ENABLED, c.RATELIMIT_STORAGE_URI, "
        "c.LOGIN_LIMIT_PER_ACCOUNT]))"
    )
    env = {
        "RATELIMIT_ENABLED": "false",
        "RATELIMIT_STORAGE_URI": REDIS,
        "LOGIN_LIMIT_PER_ACCOUNT": "7/minute",
    }
    assert json.loads(_python(code, env)) == [False, REDIS, "7/minute"]


def _redis_up() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


INSTANCE = """
import sys
from config import TestConfig
from coprod import create_app
from coprod.extensions import limiter
app = create_app(TestConfig, DATABASE_URL=sys.argv[1], WTF_CSRF_ENABLED=False,
                 LOGIN_LIMIT_PER_ACCOUNT="3/minute")
assert type(limiter.storage).__name__.lower().startswith("redis"), limiter.storage
client = app.test_client()
codes = [client.post("/login", data={"email": sys.argv[2], "password": "wrong"}).status_code
         for _ in range(int(sys.argv[3]))]
print(" ".join(map(str, codes)))
"""


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_two_app_instances_share_the_limit_through_redis(database_url) -> None:
    """Two processes (two web workers) with RATELIMIT_STORAGE_URI=redis://… count together."""
    env = {"RATELIMIT_STORAGE_URI": REDIS}
    email = f"target-{uuid.uuid4().hex[:8]}@example.org"

    def run(n: int) -> str:
        result = subprocess.run(
            [sys.executable, "-c", INSTANCE, database_url, email, str(n)],
            env={**os.environ, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.strip().splitlines()[-1]

    assert run(2) == "422 422"  # worker one: two failures
    assert run(2) == "422 429"  # worker two: one more failure, then refused


def _token(client, email: str, password: str = "wrong password", ip: str = "10.0.5.1"):
    return client.post(
        "/api/v1/tokens",
        json={"email": email, "password": password, "name": "laptop"},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_failed_token_requests_are_limited_per_account_with_a_problem_document(
    app, client, session, limits
):
    assert "api_tokens.create_token" in app.view_functions, "POST /api/v1/tokens is missing"
    limits["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    user = make_user(session)
    codes = [_token(client, user.email, ip=f"10.0.5.{i}").status_code for i in range(3)]
    assert codes == [422] * 3
    blocked = _token(client, user.email, PASSWORD, ip="10.0.5.99")
    assert blocked.status_code == 429
    assert "json" in blocked.content_type


def test_failed_token_requests_are_limited_per_address(app, client, session, limits):
    assert "api_tokens.create_token" in app.view_functions, "POST /api/v1/tokens is missing"
    limits["LOGIN_LIMIT_PER_ADDRESS"] = "3/minute"
    user = make_user(session)
    codes = [_token(client, f"n{i}@example.org", ip="10.0.6.1").status_code for i in range(3)]
    assert codes == [422] * 3
    assert _token(client, user.email, PASSWORD, ip="10.0.6.1").status_code == 429
    assert _token(client, user.email, PASSWORD, ip="10.0.6.2").status_code == 201
