"""Ongoing tasks on the web: the form's checkbox, publishing without shifts, the list, the task
page's "Log hours" and "I'm interested", and the contact list page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OrgKind, Role, Task, TaskInterest, TaskStatus
from tests.conftest import login
from tests.factories import (
    add_partner,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, name="Green Streets")
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    drain = make_task(
        session,
        programme,
        title="Adopt a storm drain",
        ongoing=True,
        coordinating_organisation_id=partner.id,
    )
    return {
        "programme": programme,
        "drain": drain,
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "other_coordinator": make_member(session, make_org(session), Role.COORDINATOR),
        "volunteer": make_user(session, display_name="Vera Volunteer", phone="07700 900123"),
    }


def _interest_count(session, task) -> int:
    return session.scalar(
        select(func.count()).select_from(TaskInterest).where(TaskInterest.task_id == task.id)
    )


def test_staff_create_an_ongoing_task_and_publish_it_without_shifts(client, session, world):
    login(client, world["staff"])
    form = client.get(f"/programmes/{world['programme'].id}/tasks/new")
    assert b'name="ongoing"' in form.data
    resp = client.post(
        f"/programmes/{world['programme'].id}/tasks/new",
        data={"title": "Water the street trees", "ongoing": "y"},
    )
    assert resp.status_code == 303
    task = session.scalar(select(Task).where(Task.title == "Water the street trees"))
    assert task is not None and task.ongoing and task.status == TaskStatus.DRAFT
    page = client.get(f"/tasks/{task.id}").data
    assert b"Add a shift" not in page and b"needs no shifts" in page
    resp = client.post(f"/tasks/{task.id}/status", data={"to": "open"})
    assert resp.status_code == 303
    session.refresh(task)
    assert task.status == TaskStatus.OPEN


def test_editing_a_task_with_shifts_to_ongoing_shows_the_reason_beside_the_box(
    client, session, world
):
    task = make_task(session, world["programme"], title="Kitchen")
    make_shift(session, task, starts_at=utcnow() + timedelta(days=3))
    login(client, world["staff"])
    resp = client.post(
        f"/tasks/{task.id}/edit",
        data={"title": "Kitchen", "description": "", "location": "", "ongoing": "y"},
    )
    assert resp.status_code == 422
    assert b'id="ongoing-error"' in resp.data and b"cannot become ongoing" in resp.data
    session.refresh(task)
    assert task.ongoing is False


def test_adding_a_shift_to_an_ongoing_task_is_refused_with_the_reason(client, session, world):
    login(client, world["staff"])
    day = (utcnow() + timedelta(days=5)).date().isoformat()
    resp = client.post(
        f"/tasks/{world['drain'].id}/shifts/new",
        data={"date": day, "starts_at": "09:00", "ends_at": "11:00", "capacity": "3"},
    )
    assert resp.status_code == 422
    assert b"An ongoing task has no shifts" in resp.data
    session.refresh(world["drain"], ["shifts"])
    assert world["drain"].shifts == []


def test_the_public_list_shows_an_ongoing_task_instead_of_a_next_shift(client, session, world):
    resp = client.get("/tasks", query_string={"q": "storm drain"})
    assert resp.status_code == 200
    assert b"Adopt a storm drain" in resp.data
    assert "Ongoing — log hours whenever you do it".encode() in resp.data
    assert b"No upcoming shifts" not in resp.data


def test_a_visitor_sees_how_to_sign_in_on_an_ongoing_task(client, session, world):
    page = client.get(f"/tasks/{world['drain'].id}").data
    assert "Ongoing — log hours whenever you do it".encode() in page
    assert b"Sign in to log hours or say you are interested" in page
    assert b"Upcoming shifts" not in page


def test_a_volunteer_logs_hours_and_toggles_interest_on_the_task_page(client, session, world):
    drain = world["drain"]
    login(client, world["volunteer"])
    page = client.get(f"/tasks/{drain.id}").data
    assert f'href="/tasks/{drain.id}/log"'.encode() in page and b">Log hours<" in page
    assert b"I'm interested" in page  # translated text is not escaped again
    assert client.get(f"/tasks/{drain.id}/log").status_code == 200
    for _ in range(2):  # twice: still one row
        resp = client.post(f"/tasks/{drain.id}/interest", data={"interested": "yes"})
        assert resp.status_code == 303
    assert _interest_count(session, drain) == 1
    page = client.get(f"/tasks/{drain.id}").data
    assert b"No longer interested" in page and b"contact list" in page
    client.post(f"/tasks/{drain.id}/interest", data={"interested": "no"})
    assert _interest_count(session, drain) == 0
    assert b"I'm interested" in client.get(f"/tasks/{drain.id}").data


def test_an_unconfirmed_account_is_told_to_confirm_its_email_first(client, session, world):
    drain = world["drain"]
    login(client, make_user(session, email_confirmed_at=None))
    resp = client.post(
        f"/tasks/{drain.id}/interest",
        data={"interested": "yes"},
        headers={"Referer": f"/tasks/{drain.id}"},
    )
    assert resp.status_code == 303
    assert b"confirm" in client.get(resp.headers["Location"]).data
    assert _interest_count(session, drain) == 0


def test_the_contact_list_shows_names_email_and_phone_to_the_coordinator(client, session, world):
    drain = world["drain"]
    session.add(TaskInterest(task_id=drain.id, user_id=world["volunteer"].id, created_at=utcnow()))
    session.flush()
    login(client, world["coordinator"])
    assert b"Contact list of those interested" in client.get(f"/tasks/{drain.id}").data
    page = client.get(f"/tasks/{drain.id}/interested")
    assert page.status_code == 200
    assert b"Vera Volunteer" in page.data and b"07700 900123" in page.data
    assert world["volunteer"].email.encode() in page.data


def test_the_contact_list_has_an_empty_state(client, session, world):
    login(client, world["staff"])
    page = client.get(f"/tasks/{world['drain'].id}/interested")
    assert page.status_code == 200 and b"Nobody has said they are interested yet" in page.data


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("other_coordinator", 403),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_permission_table_of_the_contact_list(client, session, world, who, status) -> None:
    drain = world["drain"]
    session.add(TaskInterest(task_id=drain.id, user_id=world["volunteer"].id, created_at=utcnow()))
    session.flush()
    if who != "anonymous":
        login(client, world[who])
    resp = client.get(f"/tasks/{drain.id}/interested")
    assert resp.status_code == status
    assert (b"07700 900123" in resp.data) == (status == 200)
    task_page = client.get(f"/tasks/{drain.id}").data
    assert (b"Contact list of those interested" in task_page) == (status == 200)
