"""DELETE /api/v1/me: the person deletes their account with their password."""

from __future__ import annotations

from coprod.models import Role
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import PASSWORD, add_role, make_org, make_user


def test_delete_me_is_204_and_the_token_then_gets_401(client, session):
    user = make_user(session)
    api = Api(client, bearer(session, user))
    resp = api.delete("/me", json={"password": PASSWORD})
    assert resp.status_code == 204, resp.get_json()
    session.expire_all()
    assert user.deleted_at is not None
    assert is_problem(api.get("/me"), 401)
    login = Api(client).post("/tokens", {"email": user.email, "password": PASSWORD, "name": "x"})
    assert is_problem(login, 422)


def test_a_wrong_or_missing_password_is_a_422_problem(client, session):
    user = make_user(session)
    api = Api(client, bearer(session, user))
    wrong = api.delete("/me", json={"password": "not it at all"})
    assert is_problem(wrong, 422) and "password" in wrong.get_json()["errors"]
    assert is_problem(api.delete("/me", json={}), 422)
    assert user.deleted_at is None
    assert api.get("/me").status_code == 200


def test_the_last_admin_gets_a_409_and_keeps_the_account(client, session):
    user = make_user(session)
    add_role(session, user, make_org(session, name="Solo Org"), Role.ADMIN)
    resp = Api(client, bearer(session, user)).delete("/me", json={"password": PASSWORD})
    assert is_problem(resp, 409) and "Solo Org" in resp.get_json()["detail"]
    assert user.deleted_at is None


def test_a_site_admin_deletes_an_account_on_request(client, session):
    admin, person = make_user(session, is_site_admin=True), make_user(session)
    api = Api(client, bearer(session, admin))
    assert is_problem(api.post(f"/accounts/{person.id}/delete", {"reason": ""}), 422)
    resp = api.post(f"/accounts/{person.id}/delete", {"reason": "Asked by letter"})
    assert resp.status_code == 204
    session.expire_all()
    assert person.deleted_at is not None
    other = Api(client, bearer(session, make_user(session)))
    assert is_problem(other.post(f"/accounts/{admin.id}/delete", {"reason": "x"}), 403)
