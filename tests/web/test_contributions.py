from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coprod.models import ContributionLog, LogStatus, OrgKind, Role, TaskStatus
from tests.conftest import NOW, login
from tests.factories import (
    make_held_shift,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_task,
    make_user,
)

TODAY = NOW.date().isoformat()  # the app's clock is real; NOW is in the past by then


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, name="Meals on wheels")
    metric = make_metric(session, programme, name="Meals delivered", unit="meals")
    task = make_task(session, programme, title="Deliver meals")
    task.metrics.append(metric)
    partner = make_org(session, OrgKind.NONPROFIT, name="Food Bank")
    contributor = make_member(session, partner, Role.MEMBER, display_name="Vera Volunteer")
    session.flush()
    return {
        "agency": agency,
        "programme": programme,
        "metric": metric,
        "task": task,
        "partner": partner,
        "contributor": contributor,
        "reviewer": make_member(session, agency, Role.REVIEWER, display_name="Rita Reviewer"),
    }


def count_logs(session) -> int:
    return session.scalar(select(func.count()).select_from(ContributionLog)) or 0


# --- logging hours ------------------------------------------------------------------------


def test_the_log_form_has_a_field_per_metric_and_on_behalf_of_for_coordinators(
    client, session, world
):
    coordinator = make_member(session, world["partner"], Role.COORDINATOR)
    login(client, coordinator)
    resp = client.get(f"/tasks/{world['task'].id}/log")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'for="outcome_{world["metric"].id}"' in html
    assert "Meals delivered (meals)" in html
    assert "On behalf of" in html and "Food Bank" in html
    assert 'for="in_kind_2_value"' in html


def test_a_volunteer_logs_hours_and_is_sent_to_the_log(client, session, world):
    shift = make_held_shift(session, world["task"], world["contributor"], starts_at=NOW)
    login(client, world["contributor"])
    resp = client.post(
        f"/tasks/{world['task'].id}/log",
        data={
            "date": TODAY,
            "hours": "2.5",
            f"outcome_{world['metric'].id}": "30",
            "in_kind_0_description": "Van",
            "in_kind_0_value": "20",
            "shift": str(shift.id),
            "notes": "North round",
        },
    )
    assert resp.status_code == 303
    log = session.scalar(select(ContributionLog).where(ContributionLog.task_id == world["task"].id))
    assert log is not None
    assert resp.headers["Location"].endswith(f"/logs/{log.id}")
    assert (log.hours, log.status, log.shift_id) == (Decimal("2.5"), LogStatus.SUBMITTED, shift.id)
    assert [o.quantity for o in log.outcomes] == [Decimal("30")]
    page = client.get(f"/logs/{log.id}")
    assert page.status_code == 200
    assert b"North round" in page.data and b"Submitted" in page.data


def test_bad_log_input_shows_errors_beside_fields_with_422_and_changes_nothing(
    client, session, world
):
    login(client, world["contributor"])
    before = count_logs(session)
    resp = client.post(
        f"/tasks/{world['task'].id}/log",
        data={
            "date": "2999-01-01",
            "hours": "24.01",
            f"outcome_{world['metric'].id}": "-3",
            "in_kind_0_value": "5",
        },
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for field_id in ("date", "hours", f"outcome_{world['metric'].id}", "in_kind_0_description"):
        assert f'id="{field_id}-error"' in html, field_id
    assert 'value="24.01"' in html  # what was typed is shown again
    assert "There is a problem" in html
    assert count_logs(session) == before


def test_text_that_is_not_a_number_is_refused_beside_the_field(client, session, world):
    login(client, world["contributor"])
    resp = client.post(f"/tasks/{world['task'].id}/log", data={"date": "13/06", "hours": "two"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="hours-error"' in html and "Enter a number" in html
    assert 'id="date-error"' in html


def test_the_day_limit_is_shown_beside_hours(client, session, world):
    make_log(session, user=world["contributor"], task=world["task"], hours="20", on=NOW.date())
    login(client, world["contributor"])
    resp = client.post(f"/tasks/{world['task'].id}/log", data={"date": TODAY, "hours": "5"})
    assert resp.status_code == 422
    assert b'id="hours-error"' in resp.data and b"at most 4 more hours" in resp.data


def test_a_draft_task_cannot_be_logged_for(client, session, world):
    world["task"].status = TaskStatus.DRAFT
    session.flush()
    login(client, world["contributor"])
    assert client.get(f"/tasks/{world['task'].id}/log").status_code == 404
    staff = make_member(session, world["agency"], Role.STAFF)
    login(client, staff)
    assert client.get(f"/tasks/{world['task'].id}/log").status_code == 409


# --- my logs ------------------------------------------------------------------------------


def test_my_logs_shows_my_logs_comments_and_total_approved_hours(client, session, world):
    me = world["contributor"]
    make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED, hours="3")
    make_log(
        session,
        user=me,
        task=world["task"],
        status=LogStatus.CHANGES_REQUESTED,
        review_comment="Which shift was this?",
    )
    login(client, me)
    resp = client.get("/my/logs")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<strong>3</strong>" in html
    assert "Which shift was this?" in html and "Changes requested" in html


def test_my_logs_has_an_empty_state(client, session, world):
    login(client, make_user(session))
    resp = client.get("/my/logs")
    assert resp.status_code == 200 and b"No logs yet" in resp.data


# --- review -------------------------------------------------------------------------------


def test_a_reviewer_approves_from_the_log_page(client, session, world):
    log = make_log(session, user=world["contributor"], task=world["task"])
    login(client, world["reviewer"])
    page = client.get(f"/logs/{log.id}")
    assert b"Record the decision" in page.data
    resp = client.post(f"/logs/{log.id}/review", data={"decision": "approve", "comment": ""})
    assert resp.status_code == 303
    session.refresh(log)
    assert log.status == LogStatus.APPROVED and log.reviewed_by_id == world["reviewer"].id
    history = client.get(f"/logs/{log.id}").get_data(as_text=True)
    assert "Approved" in history and "Rita Reviewer" in history


def test_rejecting_without_a_reason_is_refused_beside_the_comment(client, session, world):
    log = make_log(session, user=world["contributor"], task=world["task"])
    login(client, world["reviewer"])
    resp = client.post(f"/logs/{log.id}/review", data={"decision": "reject", "comment": " "})
    assert resp.status_code == 422
    assert b'id="comment-error"' in resp.data
    session.refresh(log)
    assert log.status == LogStatus.SUBMITTED


def test_reviewing_an_already_reviewed_log_says_so_and_changes_nothing(client, session, world):
    log = make_log(
        session, user=world["contributor"], task=world["task"], status=LogStatus.REJECTED
    )
    login(client, world["reviewer"])
    resp = client.post(f"/logs/{log.id}/review", data={"decision": "approve"})
    assert resp.status_code == 422
    assert b"only a submitted log is reviewed" in resp.data
    session.refresh(log)
    assert log.status == LogStatus.REJECTED


def test_the_contributor_resubmits_after_changes_were_requested(client, session, world):
    log = make_log(
        session, user=world["contributor"], task=world["task"], status=LogStatus.CHANGES_REQUESTED
    )
    login(client, world["contributor"])
    form = client.get(f"/logs/{log.id}/resubmit")
    assert form.status_code == 200 and b'value="2"' in form.data  # prefilled
    resp = client.post(f"/logs/{log.id}/resubmit", data={"date": TODAY, "hours": "3"})
    assert resp.status_code == 303
    session.refresh(log)
    assert (log.status, log.hours) == (LogStatus.SUBMITTED, Decimal("3"))


def test_a_correction_of_an_approved_log_is_a_new_log(client, session, world):
    original = make_log(
        session, user=world["contributor"], task=world["task"], status=LogStatus.APPROVED
    )
    login(client, world["contributor"])
    assert client.get(f"/logs/{original.id}/resubmit").status_code == 409
    resp = client.post(f"/logs/{original.id}/correct", data={"date": TODAY, "hours": "1.5"})
    assert resp.status_code == 303
    fix = session.scalar(select(ContributionLog).where(ContributionLog.corrects_id == original.id))
    assert fix is not None and fix.hours == Decimal("1.5")
    session.refresh(original)
    assert (original.status, original.hours) == (LogStatus.APPROVED, Decimal("2"))


def test_the_queue_lists_and_filters_logs_and_bulk_approves(client, session, world):
    a = make_log(session, user=world["contributor"], task=world["task"])
    b = make_log(session, task=world["task"])
    done = make_log(session, task=world["task"], status=LogStatus.APPROVED)
    login(client, world["reviewer"])
    resp = client.get("/review")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'value="{a.id}"' in html and f'value="{b.id}"' in html and f"#{done.id}<" not in html
    only = client.get("/review?contributor=vera").get_data(as_text=True)
    assert f'value="{a.id}"' in only and f'value="{b.id}"' not in only
    resp = client.post(
        "/review/approve", data={"log_ids": [str(a.id), str(done.id)], "next": "/review"}
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/review")
    page = client.get("/review").get_data(as_text=True)
    assert "Approved 1 log." in page and f"log #{done.id}: already approved" in page
    session.refresh(a)
    session.refresh(b)
    assert (a.status, b.status) == (LogStatus.APPROVED, LogStatus.SUBMITTED)


def test_the_queue_has_an_empty_state(client, session, world):
    login(client, world["reviewer"])
    resp = client.get("/review")
    assert resp.status_code == 200 and b"No logs yet" in resp.data


def test_the_queue_page_takes_a_constant_number_of_queries(client, session, world, count_queries):
    login(client, world["reviewer"])

    def run(n: int) -> int:
        for _ in range(n):
            make_log(session, task=make_task(session, world["programme"]))
        before = count_queries.count
        assert client.get("/review?per_page=100").status_code == 200
        return count_queries.count - before

    assert run(1) == run(6)


# --- permissions --------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "contributor",
    "other_volunteer",
    "org_coordinator",
    "lead_reviewer",
    "other_agency_reviewer",
    "staff_not_reviewer",
]
ENDPOINTS = ["view", "review", "resubmit", "queue"]
EXPECTED = {
    "anonymous": {"view": 302, "review": 302, "resubmit": 302, "queue": 302},
    "contributor": {"view": 200, "review": 403, "resubmit": 200, "queue": 403},
    "other_volunteer": {"view": 404, "review": 404, "resubmit": 404, "queue": 403},
    "org_coordinator": {"view": 200, "review": 403, "resubmit": 403, "queue": 403},
    "lead_reviewer": {"view": 200, "review": 303, "resubmit": 403, "queue": 200},
    "other_agency_reviewer": {"view": 404, "review": 404, "resubmit": 404, "queue": 200},
    "staff_not_reviewer": {"view": 404, "review": 404, "resubmit": 404, "queue": 403},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, session, world, role, endpoint):
    contributor = world["contributor"]
    org = world["partner"]
    submitted = make_log(session, user=contributor, task=world["task"], organisation_id=org.id)
    sent_back = make_log(
        session,
        user=contributor,
        task=world["task"],
        organisation_id=org.id,
        status=LogStatus.CHANGES_REQUESTED,
        on=NOW.date() - timedelta(days=1),
    )
    actors = {
        "anonymous": None,
        "contributor": contributor,
        "other_volunteer": make_user(session),
        "org_coordinator": make_member(session, org, Role.COORDINATOR),
        "lead_reviewer": world["reviewer"],
        "other_agency_reviewer": make_member(
            session, make_org(session, OrgKind.AGENCY), Role.REVIEWER
        ),
        "staff_not_reviewer": make_member(session, world["agency"], Role.STAFF),
    }
    if actors[role] is not None:
        login(client, actors[role])
    if endpoint == "view":
        resp = client.get(f"/logs/{submitted.id}")
    elif endpoint == "review":
        resp = client.post(f"/logs/{submitted.id}/review", data={"decision": "approve"})
    elif endpoint == "resubmit":
        resp = client.get(f"/logs/{sent_back.id}/resubmit")
    else:
        resp = client.get("/review")
    assert resp.status_code == EXPECTED[role][endpoint]
    if resp.status_code == 302:
        assert "/login" in resp.headers["Location"]
    session.refresh(submitted)
    approved = role == "lead_reviewer" and endpoint == "review"
    assert submitted.status == (LogStatus.APPROVED if approved else LogStatus.SUBMITTED)


def test_a_stranger_cannot_resubmit_or_correct_by_changing_the_id(client, session, world):
    log = make_log(
        session, user=world["contributor"], task=world["task"], status=LogStatus.CHANGES_REQUESTED
    )
    approved = make_log(
        session, user=world["contributor"], task=world["task"], status=LogStatus.APPROVED
    )
    login(client, make_user(session))
    data = {"date": TODAY, "hours": "1"}
    assert client.post(f"/logs/{log.id}/resubmit", data=data).status_code == 404
    assert client.post(f"/logs/{approved.id}/correct", data=data).status_code == 404
    session.refresh(log)
    assert log.hours == Decimal("2") and log.status == LogStatus.CHANGES_REQUESTED
