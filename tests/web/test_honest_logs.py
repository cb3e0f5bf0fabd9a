"""Pages of issue 13's logs: Log hours from My schedule (filled in), edit and withdraw before
review, the queue's details, flags and "approve all on this page", attendance notices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import ContributionLog, LogStatus, Role, SignupStatus
from coprod.services import contributions
from tests.conftest import NOW, login
from tests.factories import (
    ShiftWorld,
    add_role,
    make_log,
    make_member,
    make_metric,
    make_shift,
    make_signup,
)


@pytest.fixture
def w(session):
    world = ShiftWorld(session, starts_at=NOW - timedelta(days=1))
    world.reviewer = make_member(session, world.agency, Role.REVIEWER)  # type: ignore[attr-defined]
    return world


def test_my_schedule_offers_log_hours_for_a_past_shift_filled_in(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    page = client.get("/my/schedule?past=1").get_data(as_text=True)
    link = f"/tasks/{w.task.id}/log?shift={w.shift.id}"
    assert "Log hours" in page and link in page
    form = client.get(link).get_data(as_text=True)
    assert f'value="{contributions.shift_day(w.shift).isoformat()}"' in form
    assert 'value="3"' in form  # the shift's length
    assert f'<option selected value="{w.shift.id}"' in form or (
        f'value="{w.shift.id}" selected' in form
    )


def test_the_log_form_offers_only_shifts_that_have_started(client, session, w):
    later = make_shift(session, w.task, starts_at=utcnow() + timedelta(days=30))
    login(client, w.volunteer)
    form = client.get(f"/tasks/{w.task.id}/log").get_data(as_text=True)
    assert f'value="{w.shift.id}"' in form
    assert f'value="{later.id}"' not in form  # it cannot be logged yet: not offered


def test_my_schedule_links_to_the_log_once_there_is_one(client, session, w):
    signup = make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/signups/{signup.id}/attendance", data={"attended": "1"})
    assert resp.status_code == 303
    log = session.scalar(select(ContributionLog).where(ContributionLog.shift_id == w.shift.id))
    assert log is not None and log.status == LogStatus.SUBMITTED
    roster = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"log #{log.id} of this shift is submitted" in roster
    login(client, w.volunteer)
    page = client.get("/my/schedule?past=1").get_data(as_text=True)
    assert "View your log" in page and f"/logs/{log.id}" in page
    assert "Log hours" not in page


def test_a_no_show_after_approval_says_the_log_stays(client, session, w):
    signup = make_signup(session, w.shift, w.volunteer, status=SignupStatus.ATTENDED)
    log = make_log(
        session,
        user=w.volunteer,
        task=w.task,
        shift_id=w.shift.id,
        on=contributions.shift_day(w.shift),
        status=LogStatus.APPROVED,
    )
    login(client, w.coordinator)
    resp = client.post(
        f"/signups/{signup.id}/attendance", data={"attended": "0"}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert f"log #{log.id} of this shift (approved) stays" in html


def test_a_log_of_a_shift_with_another_date_is_refused_beside_the_date(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    wrong = (contributions.shift_day(w.shift) - timedelta(days=1)).isoformat()
    resp = client.post(
        f"/tasks/{w.task.id}/log",
        data={"date": wrong, "hours": "3", "shift": str(w.shift.id)},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="date-error"' in html or "date-error" in html
    assert "the shift&#39;s day" in html or "the shift's day" in html


def test_the_contributor_edits_a_submitted_log(client, session, w):
    make_signup(session, w.shift, w.volunteer)
    log = make_log(
        session,
        user=w.volunteer,
        task=w.task,
        shift_id=w.shift.id,
        on=contributions.shift_day(w.shift),
        hours="3",
    )
    login(client, w.volunteer)
    show = client.get(f"/logs/{log.id}").get_data(as_text=True)
    assert "Change this log" in show and "Withdraw this log" in show
    page = client.get(f"/logs/{log.id}/edit")
    assert page.status_code == 200 and b"Change your log" in page.data
    resp = client.post(
        f"/logs/{log.id}/edit",
        data={
            "date": log.date.isoformat(),
            "hours": "3.5",
            "shift": str(w.shift.id),
            "notes": "Stayed late",
        },
    )
    assert resp.status_code == 303
    session.refresh(log)
    assert (log.hours, log.notes, log.status) == (
        Decimal("3.5"),
        "Stayed late",
        LogStatus.SUBMITTED,
    )
    history = client.get(f"/logs/{log.id}").get_data(as_text=True)
    assert "Changed before review" in history


def test_an_approved_log_has_no_edit_page(client, session, w):
    log = make_log(session, user=w.volunteer, task=w.task, status=LogStatus.APPROVED)
    login(client, w.volunteer)
    assert client.get(f"/logs/{log.id}/edit").status_code == 409
    assert client.get(f"/logs/{log.id}/withdraw").status_code == 409
    assert "Change this log" not in client.get(f"/logs/{log.id}").get_data(as_text=True)


def test_someone_else_cannot_edit_or_withdraw(client, session, w):
    log = make_log(session, user=w.volunteer, task=w.task)
    login(client, w.other_volunteer)
    assert client.get(f"/logs/{log.id}/edit").status_code == 404
    assert client.post(f"/logs/{log.id}/withdraw").status_code == 404
    assert log.status == LogStatus.SUBMITTED


def test_withdrawing_asks_first_then_withdraws(client, session, w):
    log = make_log(session, user=w.volunteer, task=w.task)
    login(client, w.volunteer)
    page = client.get(f"/logs/{log.id}/withdraw")
    assert page.status_code == 200 and b"Yes, withdraw log" in page.data
    assert log.status == LogStatus.SUBMITTED
    resp = client.post(f"/logs/{log.id}/withdraw")
    assert resp.status_code == 303
    session.refresh(log)
    assert log.status == LogStatus.WITHDRAWN
    assert b"Withdrawn" in client.get(f"/logs/{log.id}").data


def test_the_queue_shows_notes_outcomes_in_kind_and_flags_in_words(client, session, w):
    metric = make_metric(session, w.programme, name="Bags packed", unit="bags")
    w.task.metrics.append(metric)
    make_signup(session, w.shift, w.volunteer)
    log = contributions.submit_log(
        session,
        w.volunteer,
        w.task,
        on=contributions.shift_day(w.shift),
        hours=Decimal("5"),
        outcomes=[(metric.id, Decimal("40"))],
        in_kind=[("Van for the day", Decimal("25"))],
        notes="Unloaded the van too",
        shift=w.shift,
        now=NOW,
    )
    login(client, w.reviewer)
    html = client.get("/review").get_data(as_text=True)
    assert f"#{log.id}" in html
    assert "Unloaded the van too" in html
    assert "40 bags (Bags packed)" in html
    assert "Van for the day (£25.00)" in html
    assert "Check:</span> 5 h is more than the shift&#39;s length (3 h)." in html
    assert 'data-label="Flags"' in html
    assert "Select all 1 on this page" in html and "Approve all 1 on this page" in html


def test_approve_all_on_the_page_asks_for_confirmation_then_approves(client, session, w):
    logs = [make_log(session, task=w.task) for _ in range(3)]
    login(client, w.reviewer)
    ids = [str(log.id) for log in logs]
    ask = client.post("/review/approve", data={"scope": "page", "page_ids": ids, "next": "/review"})
    assert ask.status_code == 200 and b"Yes, approve 3 logs" in ask.data
    assert all(log.status == LogStatus.SUBMITTED for log in logs)
    done = client.post(
        "/review/approve",
        data={"scope": "page", "confirmed": "1", "page_ids": ids, "next": "/review"},
    )
    assert done.status_code == 303
    for log in logs:
        session.refresh(log)
    assert [log.status for log in logs] == [LogStatus.APPROVED] * 3


def test_a_reviewer_marking_attendance_approves_at_once(client, session, w):
    add_role(session, w.lead_staff, w.agency, Role.REVIEWER)
    signup = make_signup(session, w.shift, w.volunteer)
    login(client, w.lead_staff)
    resp = client.post(
        f"/signups/{signup.id}/attendance", data={"attended": "1"}, follow_redirects=True
    )
    assert b"of this shift is approved" in resp.data


def test_a_queue_window_past_the_end_says_so_not_that_there_are_no_logs(client, session, w):
    from datetime import UTC, datetime

    from coprod.services.keyset import encode

    make_log(session, task=w.task)
    login(client, w.reviewer)
    # A link made before the logs after it were reviewed: nothing is left after its cursor.
    stale = encode([datetime(2099, 1, 1, tzinfo=UTC), 10**9])
    html = client.get(f"/review?status=submitted&after={stale}").get_data(as_text=True)
    assert "No logs yet" not in html
    assert "There is nothing more in this list here" in html
    assert 'href="/review?status=submitted">Go to the first page' in html


def test_approve_all_on_the_page_counts_each_log_once_in_good_english(client, session, w):
    log = make_log(session, task=w.task)
    login(client, w.reviewer)
    ids = [str(log.id), str(log.id)]
    ask = client.post("/review/approve", data={"scope": "page", "page_ids": ids, "next": "/review"})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert "Approve the 1 log on that page?" in html and "Yes, approve 1 log<" in html
    assert "1 logs" not in html and html.count(f'name="page_ids" value="{log.id}"') == 1
