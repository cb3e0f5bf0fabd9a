"""The account operations over the API: password resets, PATCH /me, confirmation, and site
admins' accounts list with deactivate / reactivate."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import NotificationKind, OutboxMessage
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import PASSWORD, ShiftWorld, make_member, make_org, make_user

NEW_PASSWORD = "a brand new passphrase"


def reset_token(session, email: str) -> str:
    message = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == NotificationKind.PASSWORD_RESET,
            OutboxMessage.recipient == email,
        )
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"/reset-password/(\S+)", message.body_text).group(1)


def test_asking_for_a_reset_is_202_with_the_same_body_whatever_the_address(client, session):
    user = make_user(session)
    anon = Api(client)
    known = anon.post("/password-resets", {"email": user.email})
    unknown = anon.post("/password-resets", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.data == unknown.data
    assert is_problem(anon.post("/password-resets", {"email": "nope"}), 422)
    assert is_problem(anon.post("/password-resets", {}), 422)


def test_a_reset_token_sets_the_password_and_revokes_every_api_token(client, session) -> None:
    user = make_user(session)
    old = Api(client, bearer(session, user))
    anon = Api(client)
    anon.post("/password-resets", {"email": user.email})
    token = reset_token(session, user.email)
    assert is_problem(anon.post(f"/password-resets/{token}", {"password": "short"}), 422)
    done = anon.post(f"/password-resets/{token}", {"password": NEW_PASSWORD})
    assert done.status_code == 200 and done.get_json()["api_tokens_revoked"] == 1
    assert is_problem(old.get("/me"), 401)
    again = anon.post(f"/password-resets/{token}", {"password": "yet another passphrase"})
    assert is_problem(again, 422) and "token" in again.get_json()["errors"]
    fresh = anon.post("/tokens", {"email": user.email, "password": NEW_PASSWORD})
    assert fresh.status_code == 201


def test_patch_me_changes_name_and_phone_and_a_new_email_waits(client, session) -> None:
    user = make_user(session, email="me@example.org")
    api = Api(client, bearer(session, user))
    body = api.patch("/me", {"display_name": "Kim", "phone": "+1 212 555 0100"}).get_json()
    assert (body["display_name"], body["phone"]) == ("Kim", "+1 212 555 0100")
    moved = api.patch("/me", {"email": "new@example.org"}).get_json()
    assert moved["email"] == "me@example.org" and moved["pending_email"] == "new@example.org"
    assert api.patch("/me", {"phone": None}).get_json()["phone"] is None
    bad = api.patch("/me", {"display_name": " ", "phone": "call me"})
    assert is_problem(bad, 422) and {"display_name", "phone"} <= set(bad.get_json()["errors"])
    assert is_problem(Api(client).patch("/me", {"display_name": "X"}), 401)


def test_an_unconfirmed_person_gets_a_clear_403_on_sign_up_and_logging(client, session):
    world = ShiftWorld(session, starts_at=utcnow() + timedelta(days=10))
    user = make_user(session, email_confirmed_at=None)
    api = Api(client, bearer(session, user))
    assert api.get("/me").get_json()["email_confirmed"] is False
    refused = api.post(f"/shifts/{world.shift.id}/signups")
    assert is_problem(refused, 403)
    assert "Confirm your email address" in refused.get_json()["detail"]
    log = api.post("/contributions", {"task_id": world.task.id, "date": "2026-01-05", "hours": 2})
    assert is_problem(log, 403)
    assert api.post("/me/email-confirmation").status_code == 202
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == user.email)
    ).first()
    token = re.search(r"/confirm-email/(\S+)", message.body_text).group(1)
    assert Api(client).post(f"/email-confirmations/{token}").status_code == 200
    assert api.get("/me").get_json()["email_confirmed"] is True
    signed_up = api.post(f"/shifts/{world.shift.id}/signups")
    assert signed_up.status_code == 201, signed_up.get_json()
    assert is_problem(api.post("/me/email-confirmation"), 409)


def test_only_site_admins_list_accounts(client, session) -> None:
    admin = Api(client, bearer(session, make_user(session, is_site_admin=True)))
    org = make_org(session, name="Quay Trust")
    make_member(session, org, display_name="Pat Quayle")
    page = admin.get("/accounts", query_string={"q": "quayle"}).get_json()
    assert [i["display_name"] for i in page["items"]] == ["Pat Quayle"]
    assert page["items"][0]["memberships"][0]["organisation_name"] == "Quay Trust"
    assert page["next"] is None and page["items"][0]["is_active"] is True
    staff = Api(client, bearer(session, make_member(session, org)))
    assert is_problem(staff.get("/accounts"), 403)
    assert is_problem(Api(client).get("/accounts"), 401)


def test_a_deactivated_persons_token_gets_401_at_once(client, session) -> None:
    admin = Api(client, bearer(session, make_user(session, is_site_admin=True)))
    person = make_user(session)
    theirs = Api(client, bearer(session, person))
    assert theirs.get("/me").status_code == 200
    assert is_problem(admin.post(f"/accounts/{person.id}/deactivate", {"reason": ""}), 422)
    blank = admin.post(f"/accounts/{person.id}/deactivate", {"reason": " \n\t "})
    assert is_problem(blank, 422) and "reason" in blank.get_json()["errors"]
    done = admin.post(f"/accounts/{person.id}/deactivate", {"reason": "Spam"})
    assert done.status_code == 200 and done.get_json()["is_active"] is False
    assert is_problem(theirs.get("/me"), 401)
    refused = Api(client).post("/tokens", {"email": person.email, "password": PASSWORD})
    assert is_problem(refused, 422)
    assert is_problem(admin.post(f"/accounts/{person.id}/deactivate", {"reason": "x"}), 409)
    back = admin.post(f"/accounts/{person.id}/reactivate")
    assert back.status_code == 200 and back.get_json()["is_active"] is True
    assert is_problem(theirs.get("/me"), 401)  # old tokens stay revoked
    assert is_problem(admin.post("/accounts/999999/reactivate"), 404)
    staff = Api(client, bearer(session, make_user(session)))
    assert is_problem(staff.post(f"/accounts/{person.id}/deactivate", {"reason": "x"}), 403)


def test_a_site_admin_declines_an_agency_over_the_api(client, session) -> None:
    from coprod.models import OrgKind, Role

    admin = Api(client, bearer(session, make_user(session, is_site_admin=True)))
    agency = make_org(session, OrgKind.AGENCY, verified=False)
    boss = make_member(session, agency, Role.ADMIN)
    assert is_problem(admin.post(f"/organisations/{agency.id}/decline", {"reason": ""}), 422)
    mine = Api(client, bearer(session, boss))
    assert is_problem(mine.post(f"/organisations/{agency.id}/decline", {"reason": "x"}), 403)
    done = admin.post(f"/organisations/{agency.id}/decline", {"reason": "No proof"})
    assert done.status_code == 200 and done.get_json()["is_verified"] is False
    again = admin.post(f"/organisations/{agency.id}/decline", {"reason": "No proof"})
    assert is_problem(again, 409)
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.ORG_DECLINED)
    ).one()
    assert told.recipient == boss.email and "No proof" in told.body_text
