"""Password rules and hashing; no open redirect through any parameter."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from argon2 import Type, extract_parameters

from coprod.errors import Invalid
from coprod.services.passwords import check_password_rules, common_passwords, hash_password
from tests.factories import PASSWORD, make_user
from tests.security.conftest import login_as

# Every test runs in the demo world, built once for the module (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_world")

# --- passwords ---------------------------------------------------------------------------


def test_the_common_password_list_has_thousands_of_entries() -> None:
    passwords = common_passwords()
    assert len(passwords) >= 5000
    assert {"password", "123456", "qwertyuiop"} <= passwords


@pytest.mark.parametrize("password", ["qwertyuiop", "1234567890", "Password123", "ILOVEYOU123"])
def test_a_common_password_is_refused_with_a_clear_message(password) -> None:
    assert password.lower() in common_passwords()
    with pytest.raises(Invalid) as err:
        check_password_rules(password)
    assert "common passwords" in err.value.errors["password"][0]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("x" * 257, "at most 256 characters"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("me@example.org", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(password, message) -> None:
    with pytest.raises(Invalid) as err:
        check_password_rules(password, email="me@example.org")
    assert message in err.value.errors["password"][0]


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    check_password_rules("tram lantern orchid seventy")


def test_registration_shows_the_common_password_message_beside_the_field(client, session):
    response = client.post(
        "/register",
        data={"display_name": "Q", "email": "q@example.org", "password": "qwertyuiop"},
    )
    assert response.status_code == 422
    assert "list of common passwords" in response.get_data(as_text=True)


def test_hashes_are_argon2id_with_at_least_owasps_minimum_parameters() -> None:
    params = extract_parameters(hash_password("tram lantern orchid seventy"))
    assert params.type is Type.ID
    # OWASP: m=19456 (19 MiB), t=2, p=1 — or more memory with fewer passes.
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert params.salt_len >= 16 and params.hash_len >= 32


# --- redirects -----------------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    " //evil.example",
    "http://localhost@evil.example/",
]


def _assert_stays_home(response) -> None:
    location = response.headers.get("Location", "")
    assert response.status_code in (302, 303)
    assert location.startswith("/") and not location.startswith("//"), location
    assert urlsplit(location).netloc == "" and "\\" not in location
    assert not any(ord(c) < 32 for c in location)
    assert "evil" not in location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(client, session, target) -> None:
    user = make_user(session)
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    _assert_stays_home(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_cancel_page_never_redirects_off_site(app, client, session, demo, target) -> None:
    from sqlalchemy import select

    from coprod.models import Signup, SignupStatus

    signup = session.scalars(select(Signup).where(Signup.status == SignupStatus.CONFIRMED)).first()
    assert signup is not None
    login_as(client, signup.volunteer)
    page = client.get(f"/signups/{signup.id}/cancel", query_string={"next": target})
    assert page.status_code == 200
    assert "evil" not in page.get_data(as_text=True)
    response = client.post(f"/signups/{signup.id}/cancel", data={"next": target})
    _assert_stays_home(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT[:3])
def test_other_next_fields_and_the_referrer_never_redirect_off_site(
    client, session, demo, target
) -> None:
    from sqlalchemy import select

    from coprod.models import ContributionLog, LogStatus, Organisation

    login_as(client, demo["admin"])
    org = session.scalars(select(Organisation).where(Organisation.verified_at.is_(None))).first()
    if org is not None:
        _assert_stays_home(client.post(f"/orgs/{org.id}/verify", data={"next": target}))
    login_as(client, demo["reviewer"])
    waiting = session.scalars(
        select(ContributionLog.id).where(ContributionLog.status == LogStatus.SUBMITTED)
    ).all()
    assert waiting
    response = client.post("/review/approve", data={"next": target, "log_ids": waiting})
    _assert_stays_home(response)


@pytest.mark.parametrize("referrer", HOSTILE_NEXT)
def test_a_refused_action_goes_back_only_to_our_own_page(client, session, demo, referrer):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from coprod.models import Shift, Signup, SignupStatus

    # Signing up twice is refused (a Conflict): the app sends the person back where they were.
    signup = session.scalars(
        select(Signup)
        .join(Shift)
        .where(Signup.status == SignupStatus.CONFIRMED, Shift.starts_at > datetime.now(UTC))
    ).first()
    assert signup is not None
    login_as(client, signup.volunteer)
    url = f"/shifts/{signup.shift_id}/signup"
    ours = client.post(url, headers={"Referer": f"http://localhost/tasks/{signup.shift.task_id}"})
    assert ours.status_code == 303 and ours.headers["Location"].startswith("/tasks/")
    response = client.post(url, headers={"Referer": referrer})
    if response.status_code == 303:
        _assert_stays_home(response)
    else:
        assert response.status_code == 409
