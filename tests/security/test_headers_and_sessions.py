"""Security headers, cookies, sessions, remember-me and the request size limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import pytest
from flask import Flask

from config import Config, TestConfig
from coprod import create_app
from tests.factories import PASSWORD, make_user
from tests.security.conftest import same_database_url


def _app(database_url: str, config: type = TestConfig, **overrides) -> Flask:
    return create_app(config, DATABASE_URL=same_database_url(), WTF_CSRF_ENABLED=False, **overrides)


def _sign_in(client, user, remember: bool = False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303
    return response


def _cookies(response) -> dict[str, SimpleCookie]:
    out = {}
    for header in response.headers.getlist("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name in jar:
            out[name] = header
    return out


# --- headers -------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_the_other_headers(client) -> None:
    response = client.get("/login")
    csp = dict(
        ([*part.strip().split(" ", 1), ""])[:2]
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert csp["script-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert "<script" not in response.get_data(as_text=True)


def test_error_pages_carry_the_headers_too(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_only_over_https(client) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    hsts = secure.headers["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 180 * 24 * 3600


def test_a_forwarded_proto_header_is_ignored_unless_a_proxy_is_configured(
    database_url, session
) -> None:
    direct = _app(database_url).test_client()
    headers = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in direct.get("/login", headers=headers).headers
    behind_proxy = _app(database_url, PROXY_FIX_X_PROTO=1).test_client()
    assert "Strict-Transport-Security" in behind_proxy.get("/login", headers=headers).headers


# --- cookies -------------------------------------------------------------------------------


def test_session_cookies_are_httponly_samesite_and_secure_in_production(
    database_url, session
) -> None:
    user = make_user(session)
    prod = _app(database_url, Config, SECRET_KEY="prod-like-secret")
    response = _sign_in(prod.test_client(), user, remember=True)
    cookies = _cookies(response)
    for name in ("session", "remember_token"):
        header = cookies[name].lower()
        assert "httponly" in header and "samesite=lax" in header and "secure" in header, header
    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.REMEMBER_COOKIE_SECURE is True


def test_remember_me_lasts_at_most_30_days(app, client, session) -> None:
    user = make_user(session)
    response = _sign_in(client, user, remember=True)
    header = _cookies(response)["remember_token"]
    expires = header.split("Expires=", 1)[1].split(";", 1)[0]
    lifetime = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert timedelta(days=29) < lifetime <= timedelta(days=30, minutes=1)


# --- sessions ------------------------------------------------------------------------------


def test_the_session_is_renewed_at_login(client, session) -> None:
    user = make_user(session)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    _sign_in(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].startswith(f"{user.id}:")


def _copy_cookies(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def _restore(client, saved: dict[str, str]) -> None:
    client._cookies.clear()
    for key, value in saved.items():
        client.set_cookie(key, value)


@pytest.mark.parametrize("remember", [False, True])
def test_a_session_copied_before_logout_no_longer_works_after_it(client, session, remember) -> None:
    user = make_user(session)
    _sign_in(client, user, remember=remember)
    assert client.get("/account").status_code == 200
    saved = _copy_cookies(client)
    assert client.post("/logout").status_code == 303
    _restore(client, saved)
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    if remember:  # the remember-me cookie alone does not bring it back either
        client.delete_cookie("session")
        assert client.get("/account").status_code == 302


def test_a_session_copied_before_a_password_change_no_longer_works(client, session) -> None:
    user = make_user(session)
    _sign_in(client, user, remember=True)
    saved = _copy_cookies(client)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a different long passphrase"},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # this device stays signed in
    _restore(client, saved)
    assert client.get("/account").status_code == 302


# --- request size ----------------------------------------------------------------------------


def test_a_request_over_the_size_limit_gets_a_413_page(app, client) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert 0 < limit <= 10 * 1024 * 1024
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "too large" in response.get_data(as_text=True).lower()
