"""The account page's API tokens: list, create (secret shown once), revoke with confirmation."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from coprod.models import ApiToken
from coprod.services import tokens
from tests.api.conftest import Api, is_problem
from tests.conftest import login
from tests.factories import make_user


def test_the_tokens_page_needs_a_login_and_starts_empty(client, session):
    assert client.get("/account/tokens").status_code == 302
    login(client, make_user(session))
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "No tokens yet" in page.get_data(as_text=True)
    assert "/account/tokens" in client.get("/account").get_data(as_text=True)


def test_creating_a_token_shows_its_secret_once_and_it_works(client, session):
    user = make_user(session)
    login(client, user)
    created = client.post("/account/tokens", data={"name": "Spreadsheet"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(cpt_[^"]+)"', html).group(1)
    assert Api(client, {"Authorization": f"Bearer {secret}"}).get("/me").get_json()["id"] == user.id
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "Spreadsheet" in again and secret not in again


def test_a_token_needs_a_name_shown_beside_the_field(client, session):
    login(client, make_user(session))
    refused = client.post("/account/tokens", data={"name": "  "})
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_asks_first_then_the_token_stops_working(client, session):
    user = make_user(session)
    token, secret = tokens.create_token(session, user, "Phone")
    session.flush()
    login(client, user)
    confirm = client.get(f"/account/tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and "Revoke the token" in confirm.get_data(as_text=True)
    assert session.get(ApiToken, token.id, populate_existing=True).revoked_at is None
    done = client.post(f"/account/tokens/{token.id}/revoke")
    assert done.status_code == 303
    assert session.get(ApiToken, token.id, populate_existing=True).revoked_at is not None
    assert is_problem(Api(client, {"Authorization": f"Bearer {secret}"}).get("/me"), 401)


def test_nobody_else_can_revoke_my_token(client, session):
    owner = make_user(session)
    token, _secret = tokens.create_token(session, owner, "Phone")
    session.flush()
    login(client, make_user(session))
    assert client.get(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert session.get(ApiToken, token.id, populate_existing=True).revoked_at is None
