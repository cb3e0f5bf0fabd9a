from __future__ import annotations

from sqlalchemy import func, select

from config import TestConfig
from coprod.models import User
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def test_register_shows_check_your_email_then_the_person_can_sign_in(client, session) -> None:
    resp = client.post(
        "/register",
        data={"display_name": "Ana", "email": "ana@example.org", "password": "a long secret pw"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/register/check-email"
    assert b"Check your email" in client.get(resp.headers["Location"]).data
    signed_in = client.post(
        "/login", data={"email": "ana@example.org", "password": "a long secret pw"}
    )
    assert signed_in.status_code == 303
    page = client.get("/account")
    assert b"ana@example.org" in page.data and b"Not confirmed yet" in page.data


def test_register_with_bad_input_shows_messages_beside_fields_and_changes_nothing(client, session):
    before = session.scalar(select(func.count()).select_from(User))
    resp = client.post("/register", data={"display_name": "", "email": "nope", "password": "short"})
    assert resp.status_code == 422
    assert b'id="email-error"' in resp.data
    assert b'id="password-error"' in resp.data
    assert b"There is a problem" in resp.data
    assert b'value="nope"' in resp.data  # what was typed is shown again
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_login_redirects_only_to_our_own_site(client, session) -> None:
    user = make_user(session)
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        resp = client.post(f"/login?next={evil}", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 303
        assert resp.headers["Location"] == "/", evil
        client.post("/logout")
    resp = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert resp.headers["Location"] == "/account"


def test_wrong_password_is_refused_with_a_message(client, session) -> None:
    user = make_user(session)
    resp = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert resp.status_code == 422
    assert b"not right" in resp.data


def test_pages_need_login_by_default(client, session) -> None:
    resp = client.get("/account")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_a_session_from_before_a_password_change_stops_working(app, client, session) -> None:
    user = make_user(session)
    login(client, user)
    other = app.test_client()
    login(other, user)
    resp = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "another long pw"}
    )
    assert resp.status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_logout_ends_the_session(client, session) -> None:
    login(client, make_user(session))
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_csrf_is_enforced_on_forms(database_url, session) -> None:
    from config import TestConfig
    from coprod import create_app

    strict = create_app(TestConfig, DATABASE_URL=database_url, WTF_CSRF_ENABLED=True)
    resp = strict.test_client().post("/login", data={"email": "a@b.org", "password": "x"})
    assert resp.status_code == 400
    assert b"Form expired" in resp.data


def test_failed_logins_are_throttled_per_account_but_successes_are_not(app, client, session):
    from coprod.extensions import limiter

    user = make_user(session)
    limiter.reset()
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    try:
        for _ in range(5):  # successful sign-ins use up nothing
            ok = client.post("/login", data={"email": user.email, "password": PASSWORD})
            assert ok.status_code == 303
            client.post("/logout")
        for _ in range(3):
            bad = client.post("/login", data={"email": user.email, "password": "wrong"})
            assert bad.status_code == 422
        blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert blocked.status_code == 429
        assert b"Too many attempts" in blocked.data
        other = make_user(session)  # another account from the same address is not blocked
        assert (
            client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code
            == 303
        )
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = TestConfig.LOGIN_LIMIT_PER_ACCOUNT
        limiter.reset()


def test_the_review_link_shows_only_for_reviewers(client, session) -> None:
    from coprod.models import OrgKind, Role
    from tests.factories import make_member, make_org

    volunteer = make_user(session)
    login(client, volunteer)
    assert b'href="/review"' not in client.get("/").data
    client.post("/logout")
    reviewer = make_member(session, make_org(session, OrgKind.AGENCY), Role.REVIEWER)
    login(client, reviewer)
    assert b'href="/review"' in client.get("/").data


def test_guesses_on_the_sign_in_form_and_the_token_api_share_one_budget(app, client, session):
    from coprod.extensions import limiter

    user = make_user(session)
    limiter.reset()
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    try:
        for _ in range(3):
            assert (
                client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
                == 422
            )
        resp = client.post(
            "/api/v1/tokens", json={"email": user.email, "password": PASSWORD, "name": "x"}
        )
        assert resp.status_code == 429
        assert resp.headers["Content-Type"].startswith("application/problem+json")
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = TestConfig.LOGIN_LIMIT_PER_ACCOUNT
        limiter.reset()
