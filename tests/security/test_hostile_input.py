"""Hostile input in every text field of every form: stored and shown safely, never a 500."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from coprod.db import utcnow
from coprod.services import reports
from tests.api.conftest import bearer
from tests.security.conftest import login_as
from tests.security.crawl import Form, crawl, endpoint_of

# Every test runs in the demo world, built once for the module (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_world")

PAYLOADS = {
    "script": '<script>alert("xss-probe")</script>"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE \"user\"; -- ' OR '1'='1",
    "long": "long " * 2000,  # 10,000 characters
    "unicode": "\u202eevil\u200b\ufeff Z\u0337\u0321a\u0358 "
    "\U0001f469\u200d\U0001f469\u200d\U0001f467 \ufdfd \u00e9\u0301",
    "null": "before\x00after",
}
# Unescaped forms of the script payload that must never reach a page.
DANGEROUS = ['<script>alert("xss-probe")', "<img src=x onerror"]
ROLES = ("staff", "coordinator", "reviewer", "partner", "volunteer", "admin")
START = [
    "/",
    "/admin",
    "/orgs",
    "/programmes",
    "/tasks",
    "/review",
    "/my/schedule",
    "/my/logs",
    "/account",
    "/orgs/new",
    "/programmes/new",
]
# Deactivating or deleting an account would sign out a role the walk then acts as (tested on
# its own).
SKIP = {"auth.logout", "admin.deactivate", "admin.delete_account", "auth.delete_account"}


def _fill(form: Form, payload: str) -> dict[str, str]:
    data = dict(form.fields)
    for name in form.text_fields:
        if name != "csrf_token":
            data[name] = payload
    return data


# The forms found on the demo world, by role: the world is built once for this module and each
# test starts from it unchanged, so the walk that finds them is made once (it visits every page
# as six people) and its result reused by each payload's test.
_FOUND: dict[str, list[Form]] = {}


def _forms_by_role(app, client, demo) -> dict[str, list[Form]]:
    if not _FOUND:
        _FOUND.update(_find_forms(app, client, demo))
    return _FOUND


def _find_forms(app, client, demo) -> dict[str, list[Form]]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out: dict[str, list[Form]] = {}
    for role in ROLES:
        login_as(client, demo[role])
        for form in crawl(app, client, START).forms:
            endpoint = endpoint_of(app, urlsplit(form.action).path, "POST")
            key = (str(endpoint), tuple(sorted(form.text_fields)))
            if endpoint is None or endpoint in SKIP or not form.text_fields or key in seen:
                continue
            seen.add(key)
            out.setdefault(role, []).append(form)
    return out


def _assert_safe(url: str, response) -> None:
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    if response.mimetype == "text/csv":  # a download, never shown as a page: text stays text
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        return
    body = response.get_data(as_text=True)
    for bad in DANGEROUS:
        assert bad not in body, f"{url} shows unescaped input"


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_hostile_text_in_every_form_is_stored_and_shown_safely(
    app, client, session, demo, kind
) -> None:
    payload = PAYLOADS[kind]
    forms = _forms_by_role(app, client, demo)
    endpoints = {
        endpoint_of(app, urlsplit(f.action).path, "POST") for fs in forms.values() for f in fs
    }
    # register, login and log hours, org/programme/task/shift creation, members, review...
    assert len(endpoints) >= 12, sorted(map(str, endpoints))
    submitted = 0
    for role, role_forms in forms.items():
        for form in role_forms:
            login_as(client, demo[role])
            response = client.post(form.action, data=_fill(form, payload), follow_redirects=True)
            _assert_safe(form.action, response)
            submitted += 1
    # Visitors' forms too: register and sign in.
    client.post("/logout")
    for url in ("/register", "/login"):
        fields = {"display_name": payload, "email": payload, "password": payload}
        _assert_safe(url, client.post(url, data=fields, follow_redirects=True))
    # Whatever was stored is shown escaped everywhere.
    shown_escaped = 0
    for role in ("admin", "staff", "volunteer"):
        login_as(client, demo[role])
        for url, response in crawl(app, client, START).pages.items():
            _assert_safe(url, response)
            shown_escaped += "&lt;script&gt;alert(" in response.get_data(as_text=True)
    assert submitted >= 12
    if kind == "script":  # not blind: the payload was stored and is on pages, escaped
        assert shown_escaped > 0


def test_a_null_byte_anywhere_in_a_form_is_refused_with_a_clear_page(client, session, demo):
    login_as(client, demo["volunteer"])
    before = client.get("/orgs/new")
    assert before.status_code == 200
    response = client.post("/orgs/new", data={"name": "before\x00after", "kind": "nonprofit"})
    assert response.status_code == 400
    assert "not allowed (a null byte)" in response.get_data(as_text=True)
    assert client.get("/tasks", query_string={"q": "a\x00b"}).status_code == 400


# --- numbers, dates and pages out of range: a 4xx with a message, never a 500 -------------


def _first(session, stmt):
    return session.scalars(stmt.limit(1)).one()


def _web_lists(session, demo) -> list[tuple[str, str, str]]:
    """(role, url, page parameter) for every paginated list on the web side (`after`, the
    cursor, for the lists read by keyset windows)."""
    from sqlalchemy import select

    from coprod.models import Organisation, Programme, Shift, Task

    programme = _first(session, select(Programme).order_by(Programme.id))
    task = _first(session, select(Task).join(Shift).order_by(Task.id))
    shift = _first(session, select(Shift).where(Shift.task_id == task.id).order_by(Shift.id))
    org = _first(session, select(Organisation).order_by(Organisation.id))
    proposing = _first(session, select(Programme).where(Programme.accepts_proposals.is_(True)))
    reports.rebuild_reports(session, now=utcnow(), programme_id=programme.id)
    session.flush()
    return [
        ("volunteer", "/tasks", "after"),  # read by cursor: ?page= shows the first window
        ("volunteer", f"/tasks/{task.id}", "after"),
        ("volunteer", "/programmes", "page"),
        # The lists read by keyset windows take a cursor (`after`) instead of a page number.
        ("volunteer", "/my/schedule", "after"),
        ("volunteer", "/my/logs", "after"),
        ("volunteer", "/account/tokens", "page"),
        ("coordinator", "/orgs", "page"),
        ("admin", f"/orgs/{org.id}", "after"),
        ("reviewer", "/review", "after"),
        ("staff", f"/shifts/{shift.id}/roster", "after"),
        ("admin", "/admin", "page"),
        ("admin", "/admin/audit", "after"),
        ("admin", "/admin/outbox", "after"),
        ("volunteer", f"/programmes/{proposing.id}/proposals", "after"),
        ("volunteer", "/my/proposals", "after"),
        ("staff", f"/programmes/{programme.id}/reports", "org_page"),
        ("staff", f"/programmes/{programme.id}/reports", "task_page"),
        ("staff", f"/programmes/{programme.id}/reports", "feedback_page"),
        ("volunteer", f"/programmes/{programme.id}/you-said-we-did", "page"),
        ("staff", f"/programmes/{programme.id}/moderation", "after"),
    ]


WEB_LIST_COUNT = 20
BAD_PAGES = ["99999999999999999999", "100001", "0", "-3", "1e3", "x", "9" * 5000]


@pytest.mark.parametrize("bad", BAD_PAGES)
def test_every_web_list_answers_a_page_out_of_range_with_a_message(client, session, demo, bad):
    lists = _web_lists(session, demo)
    assert len(lists) == WEB_LIST_COUNT
    for role, url, param in lists:
        login_as(client, demo[role])
        assert client.get(url).status_code == 200, url
        response = client.get(url, query_string={param: bad})
        assert response.status_code in (400, 404, 422), (url, param, response.status_code)
        assert "page" in response.get_data(as_text=True).lower(), url
        # The size of a page is bounded the same way.
        big = client.get(url, query_string={"per_page": "99999999999999999999"})
        assert big.status_code in (200, 400, 422), (url, big.status_code)


HUGE = "99999999999999999999"


def test_a_report_for_a_date_beyond_the_calendar_is_a_clear_4xx(client, session, demo):
    programme_id = _web_lists(session, demo)[-3][1].split("/")[2]
    login_as(client, demo["staff"])
    for start in ("9999-12-31", "0001-01-01", "12026-01-01"):
        for period in ("week", "month", "quarter"):
            url = f"/programmes/{programme_id}/reports"
            response = client.get(url, query_string={"period": period, "start": start})
            assert response.status_code == 422, (start, period)
            shown = response.get_data(as_text=True)
            assert "between 1900-01-01 and 9000-12-31" in shown or "a real date" in shown
        api = client.get(
            f"/api/v1/programmes/{programme_id}/reports",
            query_string={"from": start},
            headers=bearer(session, demo["staff"]),
        )
        assert api.status_code == 422 and api.mimetype == "application/problem+json"


def test_query_strings_with_huge_numbers_and_dates_never_answer_500(client, session, demo):
    probes = {"programme_id": HUGE, "programme": HUGE, "task": HUGE, "org": HUGE,
              "date_from": "9999-12-31", "date_to": "9999-12-31", "start": "9999-12-31",
              "q": "a\nb"}  # fmt: skip
    urls = sorted({url for _r, url, _p in _web_lists(session, demo)} | {"/programmes/new"})
    for role in ("volunteer", "staff", "reviewer", "admin"):
        login_as(client, demo[role])
        for url in urls:
            response = client.get(url, query_string=probes)
            assert response.status_code < 500, (role, url, response.status_code)
    for probe in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}):
        response = client.get("/tasks", query_string=probe)
        assert response.status_code == 422, probe
        assert "between 1900-01-01 and 9000-12-31" in response.get_data(True)


@pytest.mark.parametrize(
    ("field", "value"),
    [("hourly_rate", "1e309"), ("hourly_rate", "9" * 5000), ("hourly_rate", "1e-400"),
     ("starts_on", "9999-12-31"), ("ends_on", "0001-01-01")],
)  # fmt: skip
def test_programme_form_numbers_and_dates_out_of_range_are_field_errors(
    client, session, demo, field, value
):
    login_as(client, demo["staff"])
    form = client.get("/programmes/new")
    assert form.status_code == 200
    org = re.search(r'<option[^>]*value="(\d+)"', form.get_data(True))
    assert org is not None
    data = {"name": "Bounded", "starts_on": "2026-01-01", "org": org.group(1), field: value}
    response = client.post("/programmes/new", data=data)
    assert response.status_code == 422, response.status_code
    assert 'aria-invalid="true"' in response.get_data(True)


@pytest.mark.parametrize("target", ["1e40", "1e309", "-1e309", "9" * 5000, "NaN", "1e-400"])
def test_metric_form_target_out_of_range_is_a_field_error(client, session, demo, target):
    programme_id = _web_lists(session, demo)[-3][1].split("/")[2]
    login_as(client, demo["staff"])
    data = {"name": "Bags", "unit": "bags", "target": target, "target_date": "2026-12-31"}
    response = client.post(f"/programmes/{programme_id}/metrics/new", data=data)
    assert response.status_code == 422, response.status_code


@pytest.mark.parametrize(
    ("path", "body"),
    [("/programmes", '{"hourly_rate": 1e309}'), ("/programmes", '{"hourly_rate": "1e309"}'),
     ("/programmes/{pid}/metrics", '{"target": 1e40}'),
     ("/programmes/{pid}/metrics", '{"target": "1e40"}')],
)  # fmt: skip
def test_api_numbers_out_of_range_are_field_errors(client, session, demo, path, body):
    programme_id = _web_lists(session, demo)[-3][1].split("/")[2]
    headers = {**bearer(session, demo["staff"]), "Content-Type": "application/json"}
    response = client.post("/api/v1" + path.format(pid=programme_id), data=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    field = body.split('"')[1]
    assert field in response.get_json()["errors"]


HOSTILE_BODIES = {
    "deep": "[" * 100_000,
    "deep object": '{"a":' * 50_000,
    "long number": '{"hours": ' + "9" * 5000 + "}",
    "long float": '{"hours": 1.' + "0" * 5000 + "1}",
    "long exponent": '{"hours": 1e' + "9" * 500 + "}",
    "nan": '{"hours": NaN}',
    "infinity": '{"hours": -Infinity}',
}


def _body_operations(app) -> list[tuple[str, str]]:
    with app.test_client() as c:
        doc = c.get("/api/v1/openapi.json").get_json()
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op:
                ops.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return ops


@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_every_api_body_refuses_deep_nesting_and_huge_numbers_with_a_problem(
    app, client, session, demo, kind
):
    operations = _body_operations(app)
    assert len(operations) >= 12, operations
    headers = {**bearer(session, demo["staff"]), "Content-Type": "application/json"}
    for method, path in operations:
        response = client.open(path, method=method, data=HOSTILE_BODIES[kind], headers=headers)
        assert response.status_code == 400, (method, path, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 400
    # Strings may hold brackets and digits: only real nesting and numbers count.
    fine = '{"name": "' + "[" * 5000 + "9" * 5000 + '", "kind": "nonprofit"}'
    ok = client.post("/api/v1/organisations", data=fine, headers=headers)
    assert ok.status_code == 422  # refused by its length, not as a hostile body
    assert "name" in ok.get_json()["errors"]


def _list_operations(app) -> list[str]:
    with app.test_client() as c:
        doc = c.get("/api/v1/openapi.json").get_json()
    return [
        re.sub(r"\{[^}]+\}", "1", path)
        for path, item in doc["paths"].items()
        if any(p.get("name") == "page" for p in item.get("get", {}).get("parameters", []))
    ]


@pytest.mark.parametrize("bad", ["99999999999999999999", "100001", "0", "9" * 5000])
def test_every_api_list_refuses_a_page_out_of_range_with_a_problem(app, client, session, demo, bad):
    lists = _list_operations(app)
    assert len(lists) >= 9, lists
    headers = bearer(session, demo["admin"])
    for path in lists:
        response = client.get(path, query_string={"page": bad}, headers=headers)
        assert response.status_code == 422, (path, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert "page" in response.get_json()["errors"], path


@pytest.mark.parametrize("bad", ["Two\nlines", "Tab\there", "Line\u2028separator"])
def test_web_forms_refuse_line_breaks_in_one_line_fields_beside_the_field(
    client, session, demo, bad
):
    login_as(client, demo["staff"])
    response = client.post("/orgs/new", data={"name": bad, "kind": "nonprofit"})
    assert response.status_code == 422
    assert "must be one line" in response.get_data(as_text=True)
    login_as(client, demo["volunteer"])
    response = client.post("/account/tokens", data={"name": bad})
    assert response.status_code == 422
    assert "must be one line" in response.get_data(as_text=True)


def test_shift_and_log_forms_refuse_dates_beyond_the_calendar_beside_the_field(
    client, session, demo
):
    task = _first_task_with_shifts(session)
    login_as(client, demo["staff"])
    one = {"date": "9999-12-31", "starts_at": "23:00", "ends_at": "23:30", "capacity": "2"}
    weekly = {"first_date": "2030-01-05", "starts_at": "09:00", "ends_at": "12:00",
              "until": "9999-12-31", "capacity": "2"}  # fmt: skip
    for url, data in ((f"/tasks/{task.id}/shifts/new", one),
                      (f"/tasks/{task.id}/shifts/weekly", weekly)):  # fmt: skip
        response = client.post(url, data=data)
        assert response.status_code == 422, url
        assert "Enter a date between 1900-01-01 and 9000-12-31" in response.get_data(True)
    login_as(client, demo["volunteer"])
    log = {"date": "0001-01-01", "hours": "1e309"}
    response = client.post(f"/tasks/{task.id}/log", data=log)
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    # The log form's dates follow the one log-date rule (contributions.check_log_date).
    assert "on or after 1 January 2000" in shown


def _first_task_with_shifts(session):
    from sqlalchemy import select

    from coprod.models import Shift, Task, TaskStatus

    stmt = select(Task).join(Shift).where(Task.status == TaskStatus.OPEN).order_by(Task.id)
    return _first(session, stmt)


def test_an_id_in_a_path_beyond_the_database_integer_is_not_found(app, client, session, demo):
    """Every route with an id in its path (web and API) answers a 20-digit id as an unknown
    id, never with the 500 of an integer SQLite cannot bind."""
    huge = "9" * 20
    login_as(client, demo["coordinator"])
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert rules
    for rule in rules:
        url = re.sub(r"<int:[a-z_]+>", huge, rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            api = url.startswith("/api/")
            headers = bearer(session, demo["coordinator"]) if api else None
            response = client.open(url, method=method, headers=headers)
            # 405 where another route of that path has other methods: matched nowhere either
            assert response.status_code in (404, 405), (method, url, response.status_code)


def test_hostile_text_in_a_proposal_and_its_answer_is_shown_escaped_everywhere(
    client, session, demo
):
    from sqlalchemy import select

    from coprod.models import Programme, Proposal

    payload = PAYLOADS["script"]
    green = _first(session, select(Programme).where(Programme.accepts_proposals.is_(True)))
    login_as(client, demo["volunteer"])
    fields = ("title", "what", "location", "why", "contribution")
    nul = client.post(f"/programmes/{green.id}/proposals/new", data=dict.fromkeys(fields, "a\x00"))
    assert nul.status_code == 400 and "null byte" in nul.get_data(as_text=True)
    data = {f: payload.replace("\n", " ") for f in fields}
    data["title"] = payload[:200]
    created = client.post(f"/programmes/{green.id}/proposals/new", data=data)
    assert created.status_code == 303
    proposal = session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    login_as(client, demo["staff"])
    answered = client.post(
        f"/proposals/{proposal.id}/answer", data={"status": "accepted", "answer": payload}
    )
    assert answered.status_code == 303
    session.refresh(proposal)
    urls = [f"/proposals/{proposal.id}", f"/programmes/{green.id}/proposals",
            f"/tasks/{proposal.task_id}", "/my/proposals"]  # fmt: skip
    # The staff read every page but /my/proposals (not theirs); the author all but the draft.
    for role, skip in (("staff", "/my/proposals"), ("volunteer", f"/tasks/{proposal.task_id}")):
        login_as(client, demo[role])
        for url in urls:
            response = client.get(url)
            _assert_safe(url, response)
            if url != skip:
                assert "&lt;script&gt;alert(" in response.get_data(as_text=True), (role, url)


# --- feedback on a task: the comment a volunteer types, on the web and over the API ----------


def _kitchen_and_a_volunteer_who_attended(session, demo):
    from sqlalchemy import select

    from coprod.models import Task
    from coprod.services.engagement import feedback

    kitchen = _first(session, select(Task).where(Task.title == "Saturday community kitchen"))
    assert feedback.eligibility(session, demo["volunteer"], kitchen).eligible
    return kitchen


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_hostile_feedback_comments_are_refused_or_shown_escaped(client, session, demo, kind):
    kitchen = _kitchen_and_a_volunteer_who_attended(session, demo)
    login_as(client, demo["volunteer"])
    data = {"rating": "4", "comment": PAYLOADS[kind], "public": "y"}
    response = client.post(f"/tasks/{kitchen.id}/feedback", data=data, follow_redirects=True)
    _assert_safe(f"/tasks/{kitchen.id}/feedback", response)
    for url in (f"/tasks/{kitchen.id}", f"/tasks/{kitchen.id}/feedback"):
        for who in ("volunteer", "staff", None):
            if who is None:
                client.post("/logout")
            else:
                login_as(client, demo[who])
            _assert_safe(url, client.get(url))
    if kind == "script":  # stored, and shown escaped to the organisers and the public
        login_as(client, demo["staff"])
        assert "&lt;script&gt;alert(" in client.get(f"/tasks/{kitchen.id}/feedback").get_data(True)
    if kind in ("long", "null"):  # refused beside the field, or as a null byte
        assert response.status_code in (400, 422)


@pytest.mark.parametrize(
    "body",
    [{"rating": "9" * 5000}, {"rating": 1e309}, {"rating": -(2**63)}, {"rating": [4]},
     {"rating": 4, "comment": PAYLOADS["long"]}, {"rating": 4, "comment": PAYLOADS["null"]},
     {"rating": 4, "comment": {"a": 1}}, {"rating": 4, "public": "1"}],
)  # fmt: skip
def test_hostile_feedback_bodies_are_problems_never_500(client, session, demo, body):
    kitchen = _kitchen_and_a_volunteer_who_attended(session, demo)
    headers = bearer(session, demo["volunteer"])
    response = client.post(f"/api/v1/tasks/{kitchen.id}/feedback", json=body, headers=headers)
    assert response.status_code in (400, 422), response.status_code
    assert response.mimetype == "application/problem+json"


def test_a_feedback_page_number_out_of_range_is_a_clear_4xx(client, session, demo):
    kitchen = _kitchen_and_a_volunteer_who_attended(session, demo)
    for who in ("staff", "volunteer"):
        login_as(client, demo[who])
        for bad in BAD_PAGES:
            response = client.get(f"/tasks/{kitchen.id}/feedback", query_string={"after": bad})
            assert response.status_code in (400, 422), (who, bad)
            assert "page" in response.get_data(as_text=True).lower()


STATUSES = ["open", "hidden", "ACCEPTED", "' OR '1'='1", "<script>alert(1)</script>", "x" * 5000]


@pytest.mark.parametrize("bad", STATUSES)
def test_the_you_said_status_filter_refuses_anything_but_an_answer(client, session, demo, bad):
    from sqlalchemy import select

    from coprod.models import Programme

    programme = _first(session, select(Programme).order_by(Programme.id))
    path = f"/programmes/{programme.id}/you-said-we-did"
    for who in (None, "staff"):
        if who:
            login_as(client, demo[who])
        response = client.get(path, query_string={"status": bad})
        assert response.status_code == 422, (who, bad)
        assert "Choose accepted, declined or already planned." in response.text
        _assert_safe(path, response)
    api = client.get(f"/api/v1{path}", query_string={"status": bad})
    assert api.status_code == 422 and api.mimetype == "application/problem+json"
