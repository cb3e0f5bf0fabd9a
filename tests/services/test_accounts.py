from __future__ import annotations

import pytest

from coprod.errors import Conflict, Invalid
from coprod.services import accounts
from tests.conftest import NOW
from tests.factories import PASSWORD, make_user


def test_register_creates_account_with_hashed_password(session) -> None:
    user = accounts.register(
        session, email="Ana@Example.org", password="a long secret pw", display_name="Ana"
    )
    assert user.email == "ana@example.org"
    assert "a long secret pw" not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")


def test_register_refuses_duplicate_email_case_insensitively(session) -> None:
    make_user(session, email="ana@example.org")
    with pytest.raises(Conflict):
        accounts.register(
            session, email="ANA@example.org", password="a long secret pw", display_name="Ana"
        )


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("not-an-email", "a long secret pw", "Ana", "email"),
        ("", "a long secret pw", "Ana", "email"),
        ("ana@example.org", "short", "Ana", "password"),
        ("ana@example.org", "a long secret pw", "", "display_name"),
        ("ana@example.org", "a long secret pw", "x" * 121, "display_name"),
    ],
)
def test_register_refuses_bad_values_with_field_message(session, email, password, name, field):
    with pytest.raises(Invalid) as exc:
        accounts.register(session, email=email, password=password, display_name=name)
    assert field in exc.value.errors


def test_authenticate_accepts_right_password_only(session) -> None:
    user = make_user(session)
    assert accounts.authenticate(session, email=user.email.upper(), password=PASSWORD) is user
    with pytest.raises(Invalid):
        accounts.authenticate(session, email=user.email, password="wrong password")
    with pytest.raises(Invalid):
        accounts.authenticate(session, email="nobody@example.org", password=PASSWORD)


def test_change_password_needs_current_and_ends_other_sessions(session) -> None:
    user = make_user(session)
    version = user.session_version
    with pytest.raises(Invalid):
        accounts.change_password(session, user, current="nope", new="another long pw", now=NOW)
    accounts.change_password(session, user, current=PASSWORD, new="another long pw", now=NOW)
    assert user.session_version == version + 1
    assert accounts.authenticate(session, email=user.email, password="another long pw") is user


def test_create_admin_promotes_existing_account(session) -> None:
    user = make_user(session, email="boss@example.org")
    admin = accounts.create_admin(session, email="boss@example.org", password="a long secret pw")
    assert admin is user and user.is_site_admin
