"""The API's conventions: the OpenAPI document, the docs page, bearer tokens, problem+json for
every error (400, 401, 404, 405, 413, 415, 422, 429, 500), no session cookie and no CSRF."""

from __future__ import annotations

import pytest

from coprod.extensions import csrf
from coprod.services import organisations, tokens
from tests.api.conftest import API, Api, bearer, is_problem
from tests.conftest import login
from tests.factories import PASSWORD, make_user

CONTRACT = [
    ("post", "/tokens"),
    ("get", "/tokens"),
    ("delete", "/tokens/{token_id}"),
    ("post", "/accounts"),
    ("get", "/me"),
    ("get", "/organisations"),
    ("post", "/organisations"),
    ("get", "/organisations/{org_id}"),
    ("post", "/organisations/{org_id}/verify"),
    ("get", "/organisations/{org_id}/members"),
    ("post", "/organisations/{org_id}/members"),
    ("delete", "/organisations/{org_id}/members/{user_id}"),
    ("get", "/programmes"),
    ("post", "/programmes"),
    ("get", "/programmes/{programme_id}"),
    ("post", "/programmes/{programme_id}/partners"),
    ("post", "/programmes/{programme_id}/metrics"),
    ("get", "/tasks"),
    ("get", "/tasks/{task_id}"),
    ("post", "/programmes/{programme_id}/tasks"),
    ("patch", "/tasks/{task_id}"),
    ("post", "/tasks/{task_id}/shifts"),
    ("get", "/tasks/{task_id}/shifts"),
    ("get", "/shifts/{shift_id}"),
    ("post", "/shifts/{shift_id}/signups"),
    ("post", "/shifts/{shift_id}/assignments"),
    ("get", "/shifts/{shift_id}/signups"),
    ("get", "/signups"),
    ("post", "/signups/{signup_id}/cancel"),
    ("post", "/signups/{signup_id}/attendance"),
    ("post", "/contributions"),
    ("get", "/contributions"),
    ("get", "/contributions/{log_id}"),
    ("post", "/contributions/{log_id}/review"),
    ("post", "/contributions/{log_id}/resubmit"),
    ("get", "/programmes/{programme_id}/reports"),
    ("get", "/programmes/{programme_id}/reports/{period}/{start}"),
    ("get", "/programmes/{programme_id}/reports/{period}/{start}.csv"),
    ("get", "/programmes/{programme_id}/impact"),
    ("get", "/calendar/{feed_token}.ics"),
    ("get", "/organisations/{org_id}/qualifications"),
    ("post", "/organisations/{org_id}/qualifications"),
    ("post", "/users/{user_id}/qualifications"),
    ("get", "/me/qualifications"),
    ("get", "/programmes/{programme_id}/evaluation"),
]


def test_the_openapi_document_is_public_and_describes_every_operation_of_the_contract(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    missing = [(m, p) for m, p in CONTRACT if m not in spec["paths"].get(API + p, {})]
    assert missing == []
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    problem = spec["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_docs_page_loads_swagger_ui_from_our_own_files(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html and "http" not in html.replace("http-equiv", "")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        asset = client.get(f"/static/swagger-ui/{name}")
        assert asset.status_code == 200
        asset.close()
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = Api(client).get("/me")
    assert is_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer cpt_wrong", "Basic dXNlcjpwYXNz", "Bearer", "bearer   "]
)
def test_a_bad_or_malformed_token_is_401_even_on_public_operations(client, header):
    assert is_problem(Api(client, {"Authorization": header}).get("/me"), 401)
    assert is_problem(Api(client, {"Authorization": header}).get("/organisations"), 401)


def test_a_revoked_token_is_401(client, session, now):
    user = make_user(session)
    token, secret = tokens.create_token(session, user, "old")
    tokens.revoke_token(session, user, token, now)
    session.flush()
    assert is_problem(Api(client, {"Authorization": f"Bearer {secret}"}).get("/me"), 401)


def test_a_web_session_cookie_does_not_sign_in_to_the_api(client, session):
    login(client, make_user(session))
    assert is_problem(Api(client).get("/me"), 401)


def test_the_web_pages_still_ask_for_a_login(client):
    assert client.get("/account").status_code == 302


def test_malformed_json_is_400(client, session):
    api = Api(client, bearer(session, make_user(session)))
    response = api.post(
        "/organisations", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert is_problem(response, 400)


def test_a_body_that_is_not_json_is_415(client, session):
    api = Api(client, bearer(session, make_user(session)))
    response = api.post("/organisations", data="name=x", content_type="text/plain")
    assert is_problem(response, 415)


def test_an_oversized_body_is_413(client, app, session):
    api = Api(client, bearer(session, make_user(session)))
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = api.post("/organisations", json={"name": big, "kind": "nonprofit"})
    assert is_problem(response, 413)


def test_an_unknown_path_is_404_and_a_wrong_method_405_as_problems(client):
    assert is_problem(Api(client).get("/nothing-here"), 404)
    response = Api(client).call("PUT", "/organisations")
    assert is_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_invalid_values_are_422_with_messages_by_field(client, session):
    api = Api(client, bearer(session, make_user(session)))
    response = api.post("/organisations", {"kind": "club", "extra": 1})
    assert is_problem(response, 422)
    errors = response.get_json()["errors"]
    assert {"name", "kind", "extra"} <= set(errors)
    bad_page = api.get("/organisations", query_string={"per_page": 101})
    assert is_problem(bad_page, 422) and "per_page" in bad_page.get_json()["errors"]


def test_nothing_is_changed_when_a_request_is_refused(client, session):
    api = Api(client, bearer(session, make_user(session)))
    api.post("/organisations", {"name": "", "kind": "club"})
    assert organisations.list_organisations(session, None, 1, 20).total == 0


def test_a_bug_is_a_500_problem_without_details(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(organisations, "list_organisations", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = Api(client).get("/organisations")
    assert is_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)


def test_the_api_needs_no_csrf_token(client, app, session, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    api = Api(client, bearer(session, make_user(session)))
    response = api.post("/organisations", {"name": "No CSRF here", "kind": "community"})
    assert response.status_code == 201
    assert client.post("/login", data={"email": "x"}).status_code == 400  # the web still checks
    assert "api_organisations" in {getattr(b, "name", b) for b in csrf._exempt_blueprints}


def test_token_creation_by_password_is_rate_limited_like_the_login_form(client, session, app):
    user = make_user(session, email="limited@example.org")
    anon = Api(client)
    per_minute = int(app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"].split("/")[0])
    for _ in range(per_minute):
        ok = anon.post("/tokens", {"email": user.email, "password": PASSWORD})
        assert ok.status_code == 201  # successful creations do not count
    for _ in range(per_minute):
        wrong = anon.post("/tokens", {"email": user.email, "password": "not the password"})
        assert is_problem(wrong, 422)
    refused = anon.post("/tokens", {"email": user.email, "password": PASSWORD})
    assert is_problem(refused, 429)
