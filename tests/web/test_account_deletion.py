"""Deleting an account from the account page, and on request from the site admin's page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from coprod.models import AuditEntry, Role, Signup, SignupStatus
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    add_role,
    make_org,
    make_shift,
    make_signup,
    make_user,
)


def test_the_account_page_links_to_a_confirmation_that_says_what_happens(client, session):
    login(client, make_user(session))
    assert b"/account/delete" in client.get("/account").data
    page = client.get("/account/delete")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "cannot be undone" in text and "a former volunteer" in text
    assert 'name="password"' in text


def test_deleting_with_the_password_signs_out_and_sign_in_fails(client, session, now):
    user = make_user(session, email="gone@example.org")
    shift = make_shift(session, capacity=1, starts_at=now + timedelta(days=400))
    held = make_signup(session, shift, user)
    waiting = make_signup(session, shift, make_user(session), status=SignupStatus.WAITLISTED)
    login(client, user)
    resp = client.post("/account/delete", data={"password": PASSWORD})
    assert resp.status_code == 303
    assert client.get("/account").status_code == 302  # signed out
    session.expire_all()
    again = client.post("/login", data={"email": "gone@example.org", "password": PASSWORD})
    assert again.status_code == 422
    assert session.get(Signup, held.id).status == SignupStatus.CANCELLED
    assert session.get(Signup, waiting.id).status == SignupStatus.CONFIRMED


def test_a_wrong_password_is_said_beside_the_field_and_changes_nothing(client, session):
    user = make_user(session)
    login(client, user)
    resp = client.post("/account/delete", data={"password": "not mine"})
    assert resp.status_code == 422
    assert "Your password is not right." in resp.get_data(as_text=True)
    assert user.deleted_at is None
    assert client.get("/account").status_code == 200


def test_the_last_admin_is_told_to_hand_over_first(client, session):
    user = make_user(session)
    add_role(session, user, make_org(session, name="Tiny Trust"), Role.ADMIN)
    login(client, user)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "only admin of Tiny Trust" in page
    resp = client.post("/account/delete", data={"password": PASSWORD})
    assert resp.status_code == 422
    assert "last admin of Tiny Trust" in resp.get_data(as_text=True)
    assert user.deleted_at is None


def test_a_site_admin_deletes_on_request_with_a_reason(client, session):
    admin = make_user(session, is_site_admin=True)
    person = make_user(session, display_name="Requesting Person")
    login(client, admin)
    assert (
        f"/admin/accounts/{person.id}/delete".encode()
        in client.get(f"/admin/accounts/{person.id}").data
    )
    blank = client.post(f"/admin/accounts/{person.id}/delete", data={"reason": ""})
    assert blank.status_code == 422 and person.deleted_at is None
    resp = client.post(
        f"/admin/accounts/{person.id}/delete", data={"reason": "Emailed us on 1 December"}
    )
    assert resp.status_code == 303
    session.expire_all()
    assert person.deleted_at is not None
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.deleted_by_admin")
    ).one()
    assert entry.after["reason"] == "Emailed us on 1 December"
    assert client.get(f"/admin/accounts/{person.id}").status_code == 404


def test_only_site_admins_reach_the_admin_deletion_page(client, session):
    person = make_user(session)
    login(client, make_user(session))
    assert client.get(f"/admin/accounts/{person.id}/delete").status_code in (403, 404)
    client.post(f"/admin/accounts/{person.id}/delete", data={"reason": "x"})
    assert person.deleted_at is None
