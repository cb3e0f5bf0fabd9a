"""The account pages: forgotten passwords, confirmation, the profile, and site admins'
account pages — as a person in a browser meets them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from config import TestConfig
from coprod.extensions import limiter
from coprod.models import AuditEntry, NotificationKind, OrgKind, OutboxMessage, Role, User
from coprod.services import tokens
from tests.conftest import login
from tests.factories import PASSWORD, ShiftWorld, make_member, make_org, make_user

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def sign_in(client, user: User, password: str = PASSWORD) -> None:
    resp = client.post("/login", data={"email": user.email, "password": password})
    assert resp.status_code == 303, resp.text


def last_mail(session, kind: NotificationKind, to: str) -> OutboxMessage:
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.recipient == to)
        .order_by(OutboxMessage.id.desc())
    ).first()


def path_in(message: OutboxMessage, prefix: str) -> str:
    found = re.search(rf"http://127\.0\.0\.1:5000(/{prefix}/\S+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def test_the_sign_in_page_links_to_forgot_password(client) -> None:
    page = client.get("/login").text
    assert 'href="/forgot-password"' in page and "Forgot your password?" in page


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, session):
    user = make_user(session)
    known = client.post("/forgot-password", data={"email": user.email})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert known.data == unknown.data
    page = client.get(known.headers["Location"])
    assert "If the address you gave has an account" in page.text
    assert last_mail(session, NotificationKind.PASSWORD_RESET, user.email) is not None
    assert last_mail(session, NotificationKind.PASSWORD_RESET, "nobody@example.org") is None


def test_forgot_password_with_a_malformed_address_shows_the_field_message(client) -> None:
    resp = client.post("/forgot-password", data={"email": "not an address"})
    assert resp.status_code == 422 and 'id="email-error"' in resp.text


def test_forgot_password_is_rate_limited_per_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ACCOUNT", "2/hour")
    user = make_user(session)
    codes = [client.post("/forgot-password", data={"email": user.email}).status_code for _ in "abc"]
    assert codes == [303, 303, 429]
    assert client.post("/forgot-password", data={"email": "x@example.org"}).status_code == 303


def test_a_reset_link_sets_a_new_password_and_signs_out_the_old_session(app, client, session):
    user = make_user(session)
    tokens.create_token(session, user, "laptop")
    old_device = app.test_client()
    sign_in(old_device, user)
    assert old_device.get("/account").status_code == 200
    client.post("/forgot-password", data={"email": user.email})
    link = path_in(
        last_mail(session, NotificationKind.PASSWORD_RESET, user.email), "reset-password"
    )
    form = client.get(link)
    assert form.status_code == 200 and user.email in form.text
    assert "revokes your API tokens" in form.text
    done = client.post(link, data={"password": NEW_PASSWORD})
    assert done.status_code == 200
    assert "signed out" in done.text and "Your 1 API token was revoked" in done.text
    assert old_device.get("/account").status_code == 302  # the old session is gone
    sign_in(client, user, NEW_PASSWORD)
    used = client.get(link)  # the link is dead after use
    assert used.status_code == 422 and "expired or was already used" in used.text


def test_a_weak_new_password_is_refused_beside_the_field(client, session) -> None:
    user = make_user(session)
    client.post("/forgot-password", data={"email": user.email})
    link = path_in(
        last_mail(session, NotificationKind.PASSWORD_RESET, user.email), "reset-password"
    )
    resp = client.post(link, data={"password": "short"})
    assert resp.status_code == 422 and 'id="password-error"' in resp.text


def test_changing_the_password_says_the_api_tokens_were_revoked(client, session) -> None:
    user = make_user(session)
    tokens.create_token(session, user, "laptop")
    tokens.create_token(session, user, "phone")
    login(client, user)
    resp = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Your 2 API tokens were revoked" in resp.text
    assert "create new ones" in resp.text


def test_registering_a_taken_address_looks_the_same_as_a_new_one(client, session) -> None:
    owner = make_user(session, email="owner@example.org")
    data = {"display_name": "X", "password": "a long passphrase"}
    taken = client.post("/register", data={**data, "email": owner.email})
    new = client.post("/register", data={**data, "email": "fresh@example.org"})
    assert (taken.status_code, taken.headers["Location"], taken.data) == (
        new.status_code,
        new.headers["Location"],
        new.data,
    )
    told = last_mail(session, NotificationKind.REGISTER_ATTEMPT, owner.email)
    assert "/reset-password/" in told.body_text


def test_an_unconfirmed_person_is_told_and_can_send_the_link_again(client, session) -> None:
    world = ShiftWorld(session)
    user = make_user(session, email_confirmed_at=None)
    login(client, user)
    page = client.get(f"/tasks/{world.task.id}").text
    assert "Confirm your email address to sign up for shifts" in page
    assert "Send the link again" in page
    refused = client.post(
        f"/shifts/{world.shift.id}/signup",
        headers={"Referer": f"http://localhost/tasks/{world.task.id}"},
        follow_redirects=True,
    )
    assert "Confirm your email address first" in refused.text
    sent = client.post("/account/confirm-email", follow_redirects=True)
    assert f"We sent a new confirmation link to {user.email}" in sent.text
    link = path_in(last_mail(session, NotificationKind.CONFIRM_EMAIL, user.email), "confirm-email")
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    session.expire_all()
    assert user.email_confirmed_at is None
    confirmed = client.post(link, follow_redirects=True)
    assert "is confirmed" in confirmed.text
    session.expire_all()
    assert user.email_confirmed_at is not None
    assert "Send the link again" not in client.get("/account").text


def test_the_profile_page_changes_name_phone_and_asks_to_confirm_a_new_email(client, session):
    user = make_user(session, email="me@example.org")
    login(client, user)
    assert 'href="/account/profile"' in client.get("/account").text
    form = client.get("/account/profile")
    assert 'value="me@example.org"' in form.text
    bad = client.post(
        "/account/profile", data={"display_name": "", "phone": "?", "email": "me@example.org"}
    )
    assert bad.status_code == 422 and 'id="display_name-error"' in bad.text
    assert 'id="phone-error"' in bad.text
    saved = client.post(
        "/account/profile",
        data={"display_name": "Kim", "phone": "020 7946 0000", "email": "new@example.org"},
        follow_redirects=True,
    )
    assert "We sent a link to new@example.org" in saved.text
    session.expire_all()
    assert user.display_name == "Kim" and user.email == "me@example.org"
    link = path_in(
        last_mail(session, NotificationKind.CONFIRM_EMAIL, "new@example.org"), "account/email"
    )
    assert "new@example.org" in client.get(link).text
    client.post(link)
    session.expire_all()
    assert user.email == "new@example.org"
    assert last_mail(session, NotificationKind.EMAIL_CHANGED, "me@example.org") is not None


def test_failed_sign_ins_from_elsewhere_do_not_lock_the_owner_out(client, session) -> None:
    """A stranger guessing from one address is stopped there; the owner elsewhere gets in."""
    user = make_user(session)

    def attempt(password: str, ip: str) -> int:
        data = {"email": user.email, "password": password}
        return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip}).status_code

    per_pair = int(TestConfig.LOGIN_LIMIT_PER_ACCOUNT_ADDRESS.split("/")[0])
    assert [attempt("wrong guess", "10.9.0.1") for _ in range(per_pair)] == [422] * per_pair
    assert attempt("wrong guess", "10.9.0.1") == 429  # the stranger is stopped
    assert attempt(PASSWORD, "10.9.0.2") == 303  # the owner, elsewhere, is not


# --- site admins ----------------------------------------------------------------------------


def test_the_admin_page_links_accounts_only_for_site_admins(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    login(client, admin)
    assert 'href="/admin/accounts"' in client.get("/admin").text
    client.post("/logout")
    login(client, make_member(session, make_org(session, OrgKind.AGENCY), Role.ADMIN))
    assert client.get("/admin/accounts").status_code == 403


def test_site_admins_search_accounts_and_see_memberships(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    org = make_org(session, name="Harbour Trust")
    make_member(session, org, Role.COORDINATOR, display_name="Zoe Quill")
    login(client, admin)
    page = client.get("/admin/accounts?q=quill")
    assert page.status_code == 200
    assert "Zoe Quill" in page.text and "Harbour Trust (coordinator)" in page.text
    assert "User " not in page.text  # only the match
    assert client.get("/admin/accounts?page=abc").status_code == 200  # the first window
    assert client.get("/admin/accounts?after=abc").status_code == 422


def test_deactivating_signs_the_person_out_at_once_and_reactivating_lets_them_in(
    app, client, session
):
    admin = make_user(session, is_site_admin=True)
    person = make_user(session)
    theirs = app.test_client()
    sign_in(theirs, person)
    login(client, admin)
    page = client.get(f"/admin/accounts/{person.id}")
    assert "Deactivate account" in page.text and "Email a password-reset link" in page.text
    empty = client.post(f"/admin/accounts/{person.id}/deactivate", data={"reason": ""})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    done = client.post(
        f"/admin/accounts/{person.id}/deactivate",
        data={"reason": "Abusive messages"},
        follow_redirects=True,
    )
    assert "is deactivated" in done.text and "Abusive messages" in done.text
    assert theirs.get("/account").status_code == 302
    refused = theirs.post("/login", data={"email": person.email, "password": PASSWORD})
    assert refused.status_code == 422
    client.post(f"/admin/accounts/{person.id}/reactivate")
    sign_in(theirs, person)
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == person.id))
    )
    assert {"user.deactivated", "user.reactivated"} <= actions


def test_a_site_admin_sends_a_reset_link_from_the_account_page(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    person = make_user(session)
    login(client, admin)
    resp = client.post(f"/admin/accounts/{person.id}/password-reset", follow_redirects=True)
    assert f"A password-reset link is on its way to {person.email}" in resp.text
    assert last_mail(session, NotificationKind.PASSWORD_RESET, person.email) is not None


def test_a_site_admin_declines_an_agency_with_a_reason(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    agency = make_org(session, OrgKind.AGENCY, verified=False, name="Shady Dept")
    boss = make_member(session, agency, Role.ADMIN)
    login(client, admin)
    assert f'href="/admin/organisations/{agency.id}/decline"' in client.get("/admin").text
    empty = client.post(f"/admin/organisations/{agency.id}/decline", data={"reason": " "})
    assert empty.status_code == 422
    done = client.post(
        f"/admin/organisations/{agency.id}/decline",
        data={"reason": "We could not confirm it is a public body."},
        follow_redirects=True,
    )
    assert "Shady Dept is declined" in done.text
    assert "Verification declined" in client.get(f"/orgs/{agency.id}").text
    login(client, boss)  # the agency's admin reads the reason on its page
    assert "could not confirm it is a public body" in client.get(f"/orgs/{agency.id}").text
    told = last_mail(session, NotificationKind.ORG_DECLINED, boss.email)
    assert "could not confirm it is a public body" in told.body_text
