"""Operations on tokens, accounts, the profile, organisations and members: success and each
documented error."""

from __future__ import annotations

from sqlalchemy import select

from coprod.models import ApiToken, Organisation, OrgKind, Role, User
from coprod.services import tokens
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import PASSWORD, add_role, make_member, make_org, make_user


def test_post_tokens_gives_the_secret_once_and_a_location(client, session):
    user = make_user(session)
    response = Api(client).post(
        "/tokens", {"email": user.email, "password": PASSWORD, "name": "CRM sync"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "name", "token", "created_at"} <= set(body) and body["name"] == "CRM sync"
    assert response.headers["Location"].endswith(f"/api/v1/tokens/{body['id']}")
    stored = session.get(ApiToken, body["id"])
    assert stored.token_hash == tokens.hash_secret(body["token"])
    listed = Api(client, {"Authorization": f"Bearer {body['token']}"}).get("/tokens")
    assert "token" not in listed.get_json()["items"][0]


def test_post_tokens_with_a_wrong_password_is_422_without_saying_which(client, session):
    user = make_user(session)
    response = Api(client).post("/tokens", {"email": user.email, "password": "nope nope nope"})
    assert is_problem(response, 422)
    assert "email" in response.get_json()["errors"]


def test_get_tokens_lists_only_my_tokens(client, session):
    me, other = make_user(session), make_user(session)
    bearer(session, other)
    api = Api(client, bearer(session, me))
    body = api.get("/tokens").get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20


def test_delete_token_revokes_it_and_another_persons_token_is_404(client, session):
    me, other = make_user(session), make_user(session)
    api = Api(client, bearer(session, me))
    theirs, _ = tokens.create_token(session, other, "theirs")
    mine, secret = tokens.create_token(session, me, "mine")
    session.flush()
    assert is_problem(api.delete(f"/tokens/{theirs.id}"), 404)
    assert api.delete(f"/tokens/{mine.id}").status_code == 204
    assert is_problem(Api(client, {"Authorization": f"Bearer {secret}"}).get("/me"), 401)
    assert is_problem(api.delete(f"/tokens/{mine.id}"), 404)


def test_post_accounts_registers_and_answers_a_taken_email_the_same_or_refuses_bad_values(
    client, session
):
    anon = Api(client)
    body = {"email": "New@Example.org", "password": "a long passphrase", "display_name": "New"}
    created = anon.post("/accounts", body)
    assert created.status_code == 202
    assert "password" not in created.get_json()
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None and user.email_confirmed_at is None
    again = anon.post("/accounts", body)  # the address has an account now: the same answer
    assert (again.status_code, again.get_json()) == (202, created.get_json())
    bad = anon.post("/accounts", {"email": "nope", "password": "short", "display_name": ""})
    assert is_problem(bad, 422)
    assert {"email", "password", "display_name"} <= set(bad.get_json()["errors"])


def test_get_me_gives_profile_roles_and_calendar_link(client, session):
    org = make_org(session, name="Harbour Trust")
    me = make_member(session, org, Role.COORDINATOR)
    body = Api(client, bearer(session, me)).get("/me").get_json()
    assert body["id"] == me.id and body["is_site_admin"] is False
    assert body["memberships"] == [
        {"organisation_id": org.id, "organisation_name": "Harbour Trust",
         "roles": ["coordinator"]}
    ]  # fmt: skip
    assert body["calendar_feed_url"].endswith(f"{me.calendar_token}.ics")
    assert is_problem(Api(client).get("/me"), 401)


def test_get_organisations_is_public_and_paginated(client, session):
    for _ in range(3):
        make_org(session)
    body = Api(client).get("/organisations", query_string={"per_page": 2, "page": 2}).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)
    assert set(body["items"][0]) >= {"id", "name", "kind", "is_verified"}
    assert "memberships" not in body["items"][0]


def test_get_organisation_and_404(client, session):
    org = make_org(session, OrgKind.COMMUNITY)
    assert Api(client).get(f"/organisations/{org.id}").get_json()["kind"] == "community"
    assert is_problem(Api(client).get(f"/organisations/{org.id + 999}"), 404)


def test_post_organisations_makes_me_admin_and_an_agency_starts_unverified(client, session):
    me = make_user(session)
    api = Api(client, bearer(session, me))
    response = api.post("/organisations", {"name": "Town Agency", "kind": "agency"})
    assert response.status_code == 201 and response.get_json()["is_verified"] is False
    org = session.get(Organisation, response.get_json()["id"])
    assert response.headers["Location"].endswith(f"/api/v1/organisations/{org.id}")
    assert api.get("/me").get_json()["memberships"][0]["roles"][-1] == "admin"
    assert is_problem(api.post("/organisations", {"name": "town agency", "kind": "agency"}), 409)
    assert is_problem(Api(client).post("/organisations", {"name": "x", "kind": "agency"}), 401)


def test_post_verify_is_for_site_admins_and_only_once(client, session):
    org = make_org(session, OrgKind.AGENCY, verified=False)
    admin = Api(client, bearer(session, make_user(session, is_site_admin=True)))
    staff = Api(client, bearer(session, make_member(session, org, Role.ADMIN)))
    assert is_problem(staff.post(f"/organisations/{org.id}/verify"), 403)
    done = admin.post(f"/organisations/{org.id}/verify")
    assert done.status_code == 200 and done.get_json()["is_verified"] is True
    assert is_problem(admin.post(f"/organisations/{org.id}/verify"), 409)
    assert is_problem(admin.post(f"/organisations/{org.id + 999}/verify"), 404)


def test_get_members_for_admins_and_coordinators_only(client, session):
    org = make_org(session)
    admin = make_member(session, org, Role.ADMIN)
    coordinator = make_member(session, org, Role.COORDINATOR)
    member = make_member(session, org, Role.MEMBER)
    body = Api(client, bearer(session, coordinator)).get(f"/organisations/{org.id}/members")
    assert body.status_code == 200 and len(body.get_json()["items"]) == 3
    assert admin.email in {m["email"] for m in body.get_json()["items"]}
    assert is_problem(
        Api(client, bearer(session, member)).get(f"/organisations/{org.id}/members"), 403
    )
    assert is_problem(Api(client, bearer(session, admin)).get("/organisations/999999/members"), 404)


def test_post_members_adds_an_account_with_a_role(client, session):
    org = make_org(session)
    admin = Api(client, bearer(session, make_member(session, org, Role.ADMIN)))
    newcomer = make_user(session)
    added = admin.post(
        f"/organisations/{org.id}/members", {"email": newcomer.email, "role": "staff"}
    )
    assert added.status_code == 201 and added.get_json()["roles"] == ["staff"]
    again = admin.post(
        f"/organisations/{org.id}/members", {"email": newcomer.email, "role": "staff"}
    )
    assert is_problem(again, 409)
    unknown = admin.post(
        f"/organisations/{org.id}/members", {"email": "no@one.org", "role": "staff"}
    )
    assert is_problem(unknown, 422) and "email" in unknown.get_json()["errors"]
    coordinator = Api(client, bearer(session, make_member(session, org, Role.COORDINATOR)))
    refused = coordinator.post(f"/organisations/{org.id}/members", {"email": newcomer.email})
    assert is_problem(refused, 403)


def test_delete_member_removes_them_but_never_the_last_admin(client, session):
    org = make_org(session)
    admin_user = make_member(session, org, Role.ADMIN)
    admin = Api(client, bearer(session, admin_user))
    member = make_member(session, org, Role.MEMBER)
    other = make_org(session)
    add_role(session, member, other)
    assert admin.delete(f"/organisations/{org.id}/members/{member.id}").status_code == 204
    assert is_problem(admin.delete(f"/organisations/{org.id}/members/{member.id}"), 404)
    assert is_problem(admin.delete(f"/organisations/{org.id}/members/{admin_user.id}"), 409)
    assert is_problem(admin.delete(f"/organisations/{other.id}/members/{member.id}"), 403)
