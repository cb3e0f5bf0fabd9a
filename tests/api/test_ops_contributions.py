"""Operations on contribution logs, reports, impact and the calendar feed: success and each
documented error."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from coprod.db import utcnow
from coprod.models import LogStatus, PeriodKind, Role, TaskStatus
from coprod.services import reports
from tests.api.conftest import Api, bearer, is_problem
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_log,
    make_member,
    make_metric,
    make_signup,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    world = ShiftWorld(session)
    world.metric = make_metric(session, world.programme)
    world.task.metrics = [world.metric]
    world.reviewer = make_member(session, world.agency, Role.REVIEWER)
    add_partner(session, world.programme, world.nonprofit)
    session.flush()
    return world


def _log(task_id, **over):
    return {"task_id": task_id, "date": "2026-06-10", "hours": 2.5} | over


def test_post_contributions_submits_with_outcomes_and_in_kind(client, session, world):
    api = Api(client, bearer(session, world.volunteer))
    body = _log(
        world.task.id,
        outcomes=[{"metric_id": world.metric.id, "quantity": 7}],
        in_kind=[{"description": "Van hire", "value": 80}],
        notes="Sunny",
    )
    created = api.post("/contributions", body)
    assert created.status_code == 201
    got = created.get_json()
    assert got["status"] == "submitted" and got["hours"] == 2.5
    assert got["outcomes"] == [{"metric_id": world.metric.id, "quantity": 7.0}]
    assert got["in_kind"] == [{"description": "Van hire", "value": 80.0}]
    assert created.headers["Location"].endswith(f"/contributions/{got['id']}")


@pytest.mark.parametrize(
    ("over", "field"),
    [({"hours": 0}, "hours"), ({"hours": 24.5}, "hours"), ({"hours": 1.234}, "hours")],
)
def test_post_contributions_refuses_bad_hours(client, session, world, over, field):
    api = Api(client, bearer(session, world.volunteer))
    refused = api.post("/contributions", _log(world.task.id, **over))
    assert is_problem(refused, 422) and field in refused.get_json()["errors"]


def test_post_contributions_refuses_a_future_date_and_a_day_over_24_hours(client, session, world):
    api = Api(client, bearer(session, world.volunteer))
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    future = api.post("/contributions", _log(world.task.id, date=tomorrow))
    assert is_problem(future, 422) and "date" in future.get_json()["errors"]
    assert api.post("/contributions", _log(world.task.id, hours=20)).status_code == 201
    over = api.post("/contributions", _log(world.task.id, hours=5))
    assert is_problem(over, 422) and "hours" in over.get_json()["errors"]


def test_post_contributions_for_an_organisation_needs_its_coordinator(client, session, world):
    body = _log(world.task.id, organisation_id=world.nonprofit.id)
    assert (
        Api(client, bearer(session, world.coordinator)).post("/contributions", body).status_code
        == 201
    )
    assert is_problem(
        Api(client, bearer(session, world.volunteer)).post("/contributions", body), 403
    )
    missing = Api(client, bearer(session, world.volunteer)).post("/contributions", _log(999999))
    assert is_problem(missing, 422) and "task_id" in missing.get_json()["errors"]
    draft = make_task(session, world.programme, status=TaskStatus.CANCELLED)
    staff = Api(client, bearer(session, world.lead_staff))
    assert is_problem(staff.post("/contributions", _log(draft.id)), 409)


def test_get_contributions_lists_what_each_person_may_see(client, session, world):
    mine = make_log(session, user=world.volunteer, task=world.task)
    theirs = make_log(session, user=world.other_volunteer, task=world.task)
    for_org = make_log(session, user=world.coordinator, task=world.task,
                       organisation_id=world.nonprofit.id)  # fmt: skip

    def ids(user, **query):
        api = Api(client, bearer(session, user))
        return {i["id"] for i in api.get("/contributions", query_string=query).get_json()["items"]}

    assert ids(world.volunteer) == {mine.id}
    assert ids(world.reviewer) == {mine.id, theirs.id, for_org.id}
    assert ids(world.reviewer, user_id=theirs.user_id) == {theirs.id}
    assert ids(world.reviewer, mine="true") == set()
    assert ids(world.other_coordinator) == set()
    assert ids(world.coordinator, status="approved") == set()
    assert is_problem(Api(client).get("/contributions"), 401)


def test_get_contribution_for_its_contributor_and_reviewers_only(client, session, world):
    log = make_log(session, user=world.volunteer, task=world.task)
    assert (
        Api(client, bearer(session, world.reviewer)).get(f"/contributions/{log.id}").status_code
        == 200
    )
    other = Api(client, bearer(session, world.other_volunteer))
    assert is_problem(other.get(f"/contributions/{log.id}"), 404)


def test_post_review_decisions(client, session, world):
    log = make_log(session, user=world.volunteer, task=world.task)
    reviewer = Api(client, bearer(session, world.reviewer))
    no_reason = reviewer.post(f"/contributions/{log.id}/review", {"decision": "reject"})
    assert is_problem(no_reason, 422) and "comment" in no_reason.get_json()["errors"]
    rejected = reviewer.post(
        f"/contributions/{log.id}/review", {"decision": "reject", "comment": "Not ours"}
    )
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert is_problem(
        reviewer.post(f"/contributions/{log.id}/review", {"decision": "approve"}), 409
    )
    own = make_log(session, user=world.reviewer, task=world.task)
    assert is_problem(
        reviewer.post(f"/contributions/{own.id}/review", {"decision": "approve"}), 403
    )
    volunteer = Api(client, bearer(session, world.volunteer))
    fresh = make_log(
        session, user=world.volunteer, task=world.task, on=world.shift.starts_at.date()
    )
    assert is_problem(
        volunteer.post(f"/contributions/{fresh.id}/review", {"decision": "approve"}), 403
    )


def test_post_resubmit_after_changes_were_requested(client, session, world):
    log = make_log(session, user=world.volunteer, task=world.task,
                   status=LogStatus.CHANGES_REQUESTED)  # fmt: skip
    api = Api(client, bearer(session, world.volunteer))
    done = api.post(f"/contributions/{log.id}/resubmit", {"hours": 3, "notes": "fixed"})
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"
    assert done.get_json()["hours"] == 3.0
    assert is_problem(api.post(f"/contributions/{log.id}/resubmit", {"hours": 2}), 409)
    reviewer = Api(client, bearer(session, world.reviewer))
    assert is_problem(reviewer.post(f"/contributions/{log.id}/resubmit", {"hours": 2}), 403)


def _built(session, world, now):
    make_log(session, user=world.volunteer, task=world.task, status=LogStatus.APPROVED, hours="3")
    reports.rebuild_reports(session, now=now, programme_id=world.programme.id)
    session.flush()
    return reports.period_start(PeriodKind.MONTH, now.date()).isoformat()


def test_get_reports_lists_periods_for_programme_members(client, session, world, now):
    month = _built(session, world, now)
    partner = Api(client, bearer(session, make_member(session, world.nonprofit)))
    query = {"period": "month", "from": month, "to": month}
    body = partner.get(f"/programmes/{world.programme.id}/reports", query_string=query).get_json()
    assert [(r["period"], r["start"], r["hours_total"]) for r in body["items"]] == [
        ("month", month, 3.0)
    ]
    outsider = Api(client, bearer(session, world.volunteer))
    assert is_problem(outsider.get(f"/programmes/{world.programme.id}/reports"), 403)
    assert is_problem(Api(client).get(f"/programmes/{world.programme.id}/reports"), 403)
    assert is_problem(partner.get("/programmes/999999/reports"), 404)


def test_get_report_as_json_and_csv(client, session, world, now):
    month = _built(session, world, now)
    staff = Api(client, bearer(session, world.lead_staff))
    path = f"/programmes/{world.programme.id}/reports/month/{month}"
    data = staff.get(path).get_json()
    for key in ("programme_id", "period", "start", "end", "hours_total", "hours_by_sector",
                "share_by_sector", "hours_by_organisation", "hours_by_task", "contributors",
                "new_contributors", "outcomes", "in_kind_value", "hours_value", "previous",
                "built_at"):  # fmt: skip
        assert key in data
    assert set(data["share_by_sector"]) == {
        "agency",
        "nonprofit",
        "community",
        "business",
        "citizen",
    }
    accepted = staff.get(path, headers={"Accept": "text/csv"})
    suffixed = staff.get(path + ".csv")
    assert accepted.mimetype == suffixed.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(suffixed.get_data(as_text=True))))
    assert {r["section"] for r in rows} >= {"summary", "sector", "task"}
    assert is_problem(staff.get(f"/programmes/{world.programme.id}/reports/month/2001-01-01"), 404)
    assert is_problem(staff.get(f"/programmes/{world.programme.id}/reports/fortnight/{month}"), 404)
    assert is_problem(Api(client, bearer(session, world.volunteer)).get(path), 403)


def test_get_impact_is_public_and_names_nobody(client, session, world, now):
    _built(session, world, now)
    response = Api(client).get(f"/programmes/{world.programme.id}/impact")
    body = response.get_json()
    assert response.status_code == 200 and body["programme_id"] == world.programme.id
    assert world.volunteer.display_name not in response.get_data(as_text=True)
    assert is_problem(Api(client).get("/programmes/999999/impact"), 404)


def test_get_calendar_feed_with_the_private_link_only(client, session):
    world = ShiftWorld(session, starts_at=utcnow() + timedelta(days=3))
    make_signup(session, world.shift, world.volunteer)
    response = Api(client).get(f"/calendar/{world.volunteer.calendar_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert world.task.title in response.get_data(as_text=True)
    assert is_problem(Api(client).get("/calendar/not-a-token.ics"), 404)
    assert is_problem(Api(client).get("/calendar/bad%00token.ics"), 404)


# --- lists read by cursor -----------------------------------------------------------------------


def _walk(api, path, **query):
    """Every item of a list by its `next` links, and the query strings of those links."""
    seen, links = [], []
    response = api.get(path, query_string=query)
    while True:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == {"items", "per_page", "next"}
        seen += body["items"]
        if body["next"] is None:
            return seen, links
        assert body["next"].startswith("/api/v1" + path)
        links.append(body["next"].split("?", 1)[1])
        response = api.client.get(body["next"], headers=api.headers)


def test_get_contributions_walks_to_the_end_by_next_keeping_its_filters(client, session, world):
    days = [utcnow().date() - timedelta(days=d) for d in (4, 1, 1, 0, 3, 2, 1)]
    logs = [make_log(session, user=world.volunteer, task=world.task, on=d) for d in days]
    make_log(session, user=world.volunteer, task=world.task, status=LogStatus.APPROVED)
    api = Api(client, bearer(session, world.reviewer))
    seen, links = _walk(api, "/contributions", status="submitted", per_page=3)
    expected = sorted(logs, key=lambda g: (g.date, g.id), reverse=True)
    assert [x["id"] for x in seen] == [g.id for g in expected]
    assert len(links) == 2 and all("status=submitted" in q and "per_page=3" in q for q in links)


def test_get_contributions_refuses_page_numbers_and_broken_cursors(client, session, world):
    api = Api(client, bearer(session, world.reviewer))
    refused = api.get("/contributions", query_string={"page": 2})
    assert is_problem(refused, 422)
    assert "next" in " ".join(refused.get_json()["errors"]["page"])
    for cursor in ("nonsense", "W1siaSIsMV1d", "x" * 1000):
        broken = api.get("/contributions", query_string={"after": cursor})
        assert is_problem(broken, 422) and "after" in broken.get_json()["errors"]
    empty = Api(client, bearer(session, make_user(session))).get("/contributions").get_json()
    assert empty == {"items": [], "per_page": 20, "next": None}


def test_get_reports_walks_the_periods_by_next(client, session, world, now):
    _built(session, world, now)
    partner = Api(client, bearer(session, make_member(session, world.nonprofit)))
    path = f"/programmes/{world.programme.id}/reports"
    everything = partner.get(path, query_string={"per_page": 100}).get_json()["items"]
    seen, _links = _walk(partner, path, per_page=1)
    assert seen == everything and len(seen) >= 3  # a month, a quarter, a year at least
    assert [s["start"] for s in seen] == sorted((s["start"] for s in seen), reverse=True)
    assert is_problem(partner.get(path, query_string={"page": 1}), 422)
