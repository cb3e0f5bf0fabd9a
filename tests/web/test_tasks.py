from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OrgKind, Role, Shift, SignupStatus, Task, TaskStatus
from tests.conftest import login
from tests.factories import (
    add_partner,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

# The web layer uses the real clock; shifts are placed relative to it.
SOON = utcnow() + timedelta(days=10)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, name="Meals on wheels")
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    return {
        "programme": programme,
        "partner": partner,
        "metric": make_metric(session, programme),
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "volunteer": make_user(session),
        "other_staff": make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF),
    }


def _draft(session, world):
    task = make_task(
        session,
        world["programme"],
        status=TaskStatus.DRAFT,
        title="Secret plan",
        coordinating_organisation_id=world["partner"].id,
    )
    make_shift(session, task, starts_at=SOON)
    return task


def _shift_form(day=None, start="09:00", end="12:00", capacity="5"):
    day = day or SOON.date().isoformat()
    return {"date": day, "starts_at": start, "ends_at": end, "capacity": capacity}


# --- public pages -------------------------------------------------------------------------


def test_the_public_list_shows_open_tasks_with_programme_and_free_places(client, session, world):
    task = make_task(session, world["programme"], title="Deliver meals", location="Depot")
    make_shift(session, task, starts_at=SOON, capacity=4)
    make_task(session, world["programme"], status=TaskStatus.DRAFT, title="Secret plan")
    resp = client.get("/tasks")
    assert resp.status_code == 200
    assert b"Deliver meals" in resp.data
    assert b"Meals on wheels" in resp.data
    assert b"Depot" in resp.data
    assert b"Secret plan" not in resp.data
    assert b"<caption>" in resp.data


def test_the_public_list_searches_filters_and_pages(client, session, world) -> None:
    for i in range(25):
        make_task(session, world["programme"], title=f"Litter pick {i:02}")
    make_task(session, make_programme(session), title="Food bank")
    assert b"Food bank" in client.get("/tasks?q=FOOD").data
    assert b"Litter pick" not in client.get("/tasks?q=FOOD").data
    by_programme = client.get(f"/tasks?programme_id={world['programme'].id}")
    assert b"Food bank" not in by_programme.data
    assert b"25 in all" in by_programme.data and b'rel="next"' in by_programme.data
    assert b"Litter pick 20" not in by_programme.data  # 20 a window, by id: 00 to 19


def test_the_public_list_has_an_empty_state(client, session) -> None:
    resp = client.get("/tasks?q=nothing-matches-this")
    assert resp.status_code == 200
    assert b"No tasks match" in resp.data


def test_a_bad_date_filter_is_shown_beside_the_field_with_422(client, session) -> None:
    resp = client.get("/tasks?date_from=2026-02-30")
    assert resp.status_code == 422
    assert b'id="date_from-error"' in resp.data
    assert b"There is a problem" in resp.data


def test_the_task_page_shows_shifts_free_places_and_waitlist(client, session, world) -> None:
    task = make_task(session, world["programme"], title="Deliver meals", description="Drive")
    task.metrics.append(world["metric"])
    shift = make_shift(session, task, starts_at=SOON, capacity=1)
    make_signup(session, shift)
    make_signup(session, shift, status=SignupStatus.WAITLISTED)
    make_signup(session, shift, status=SignupStatus.WAITLISTED)
    session.flush()
    resp = client.get(f"/tasks/{task.id}")
    assert resp.status_code == 200
    html = resp.data.decode()
    assert "0 of 1" in html
    assert '<td data-label="Waiting list">2</td>' in html
    assert world["metric"].name in html
    assert "Edit task" not in html  # no management for the public


def test_a_draft_task_is_404_to_the_public_and_visible_to_lead_staff(client, session, world):
    task = _draft(session, world)
    assert client.get(f"/tasks/{task.id}").status_code == 404
    login(client, world["volunteer"])
    assert client.get(f"/tasks/{task.id}").status_code == 404
    login(client, world["staff"])
    resp = client.get(f"/tasks/{task.id}")
    assert resp.status_code == 200
    assert b"Edit task" in resp.data
    assert b"Publish" in resp.data


# --- forms --------------------------------------------------------------------------------


def test_staff_create_a_draft_task_from_the_form(client, session, world) -> None:
    login(client, world["staff"])
    assert client.get(f"/programmes/{world['programme'].id}/tasks/new").status_code == 200
    resp = client.post(
        f"/programmes/{world['programme'].id}/tasks/new",
        data={
            "title": "Deliver meals",
            "description": "Drive",
            "location": "Depot",
            "metric_ids": [str(world["metric"].id)],
            "coordinating_organisation_id": str(world["partner"].id),
        },
    )
    assert resp.status_code == 303
    task = session.scalar(select(Task).where(Task.title == "Deliver meals"))
    assert task is not None and task.status == TaskStatus.DRAFT
    assert [m.id for m in task.metrics] == [world["metric"].id]


def test_a_task_form_with_errors_shows_them_beside_fields_and_saves_nothing(client, session, world):
    login(client, world["staff"])
    foreign = make_metric(session)
    resp = client.post(
        f"/programmes/{world['programme'].id}/tasks/new",
        data={"title": "", "metric_ids": [str(foreign.id)], "location": "Kept"},
    )
    assert resp.status_code == 422
    assert b'id="title-error"' in resp.data
    assert b'id="metric_ids-error"' in resp.data
    assert b'value="Kept"' in resp.data
    assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_a_shift_form_rejects_a_past_start_and_bad_numbers_with_422(client, session, world):
    task = _draft(session, world)
    login(client, world["staff"])
    past = (utcnow() - timedelta(days=2)).date().isoformat()
    resp = client.post(f"/tasks/{task.id}/shifts/new", data=_shift_form(day=past))
    assert resp.status_code == 422
    assert b'id="starts_at-error"' in resp.data
    resp = client.post(f"/tasks/{task.id}/shifts/new", data=_shift_form(capacity="lots"))
    assert resp.status_code == 422
    assert b'id="capacity-error"' in resp.data
    resp = client.post(f"/tasks/{task.id}/shifts/new", data=_shift_form(end="08:00"))
    assert b'id="ends_at-error"' in resp.data
    assert session.scalar(select(func.count()).where(Shift.task_id == task.id)) == 1


def test_weekly_shifts_are_added_from_the_form(client, session, world) -> None:
    task = _draft(session, world)
    login(client, world["staff"])
    first = SOON.date()
    resp = client.post(
        f"/tasks/{task.id}/shifts/weekly",
        data={
            "first_date": first.isoformat(),
            "starts_at": "09:00",
            "ends_at": "12:00",
            "until": (first + timedelta(weeks=3)).isoformat(),
            "capacity": "3",
        },
    )
    assert resp.status_code == 303
    assert session.scalar(select(func.count()).where(Shift.task_id == task.id)) == 5


def test_cancelling_asks_for_confirmation_first(client, session, world) -> None:
    task = make_task(session, world["programme"])
    make_signup(session, make_shift(session, task, starts_at=SOON))
    login(client, world["staff"])
    resp = client.post(f"/tasks/{task.id}/status", data={"to": "cancelled"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/tasks/{task.id}/cancel")
    session.refresh(task)
    assert task.status == TaskStatus.OPEN
    page = client.get(f"/tasks/{task.id}/cancel")
    assert b"1 confirmed or waitlisted sign-up" in page.data
    resp = client.post(f"/tasks/{task.id}/status", data={"to": "cancelled", "confirm": "yes"})
    assert resp.status_code == 303
    session.refresh(task)
    assert task.status == TaskStatus.CANCELLED


def test_an_impossible_move_goes_back_with_the_reason(client, session, world) -> None:
    task = make_task(session, world["programme"], status=TaskStatus.DRAFT)
    login(client, world["staff"])
    resp = client.post(
        f"/tasks/{task.id}/status",
        data={"to": "completed"},
        headers={"Referer": f"http://localhost/tasks/{task.id}"},
    )
    assert resp.status_code == 303
    page = client.get(f"/tasks/{task.id}")
    assert b"cannot become completed" in page.data


def test_deleting_a_shift_needs_confirmation_and_nobody_signed_up(client, session, world):
    task = make_task(session, world["programme"])
    free = make_shift(session, task, starts_at=SOON)
    taken = make_shift(session, task, starts_at=SOON + timedelta(days=1))
    make_signup(session, taken)
    free_id, taken_id = free.id, taken.id
    login(client, world["staff"])
    confirm = client.get(f"/tasks/{task.id}/shifts/{free_id}/delete")
    assert confirm.status_code == 200
    assert b"Yes, delete this shift" in confirm.data
    assert client.post(f"/tasks/{task.id}/shifts/{free_id}/delete").status_code == 303
    assert client.post(f"/tasks/{task.id}/shifts/{taken_id}/delete").status_code == 409
    session.expire_all()
    assert session.get(Shift, free_id) is None
    assert session.get(Shift, taken_id) is not None


def test_a_shift_is_loaded_through_its_task(client, session, world) -> None:
    task = make_task(session, world["programme"])
    elsewhere = make_shift(session, make_task(session, world["programme"]), starts_at=SOON)
    login(client, world["staff"])
    assert client.get(f"/tasks/{task.id}/shifts/{elsewhere.id}/edit").status_code == 404


def test_the_programme_partial_lists_tasks_with_a_new_task_link_for_staff(app, session, world):
    make_task(session, world["programme"], title="Open one")
    make_task(session, world["programme"], title="Draft one", status=TaskStatus.DRAFT)
    from flask import render_template
    from flask_login import login_user

    with app.test_request_context("/"):
        public = render_template("programmes/_tasks.html", programme=world["programme"])
        login_user(world["staff"])
        staff = render_template("programmes/_tasks.html", programme=world["programme"])
    assert "Open one" in public and "Draft one" not in public and "New task" not in public
    assert "Draft one" in staff and "New task" in staff


# --- the permission matrix ----------------------------------------------------------------

ACTORS = ["anonymous", "volunteer", "coordinator", "staff", "other_staff"]
EXPECTED = {
    # endpoint: anonymous, volunteer, coordinator, lead staff, other agency staff
    "create": (302, 403, 403, 303, 403),
    "edit": (302, 404, 303, 303, 404),
    "transition": (302, 404, 403, 303, 404),
    "add_shift": (302, 404, 403, 303, 404),
}


def _request(client, endpoint, world, task):
    if endpoint == "create":
        url, data = f"/programmes/{world['programme'].id}/tasks/new", {"title": "New"}
    elif endpoint == "edit":
        url, data = f"/tasks/{task.id}/edit", {"title": "T", "description": "D", "location": "L"}
    elif endpoint == "transition":
        url, data = f"/tasks/{task.id}/status", {"to": "open"}
    else:
        url, data = f"/tasks/{task.id}/shifts/new", _shift_form()
    return client.post(url, data=data)


@pytest.mark.parametrize("endpoint", list(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix_on_a_draft_task(client, session, world, actor, endpoint) -> None:
    task = _draft(session, world)
    if actor != "anonymous":
        login(client, world[actor])
    resp = _request(client, endpoint, world, task)
    assert resp.status_code == EXPECTED[endpoint][ACTORS.index(actor)]


@pytest.mark.parametrize("endpoint", ["edit", "transition", "add_shift"])
@pytest.mark.parametrize("actor", ["volunteer", "other_staff"])
def test_outsiders_get_403_on_a_published_task(client, session, world, actor, endpoint) -> None:
    task = make_task(session, world["programme"])
    make_shift(session, task, starts_at=SOON)
    login(client, world[actor])
    assert _request(client, endpoint, world, task).status_code == 403
    session.refresh(task)
    assert task.status == TaskStatus.OPEN


# --- constant queries ---------------------------------------------------------------------


def _count(client, count_queries, url) -> int:
    count_queries.count = 0
    assert client.get(url).status_code == 200
    return count_queries.count


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_list_and_task_page_issue_the_same_queries_for_3_and_30_rows(
    client, session, world, count_queries, logged_in
) -> None:
    if logged_in:
        login(client, world["volunteer"])
    counts = []
    for n in (3, 30):
        programme = make_programme(session)
        task = None
        for i in range(n):
            task = make_task(session, programme, title=f"Row {i}")
            make_shift(session, task, starts_at=SOON + timedelta(hours=i))
        assert task is not None
        for i in range(n):
            shift = make_shift(session, task, starts_at=SOON + timedelta(days=1, hours=i))
            make_signup(session, shift, status=SignupStatus.WAITLISTED)
        lst = _count(client, count_queries, f"/tasks?programme_id={programme.id}&per_page=50")
        page = _count(client, count_queries, f"/tasks/{task.id}?per_page=50")
        counts.append((lst, page))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "path",
    [
        "/tasks/{t}/edit",
        "/tasks/{t}/shifts/new",
        "/tasks/{t}/shifts/weekly",
        "/tasks/{t}/cancel",
        "/tasks/{t}/shifts/{s}/edit",
        "/tasks/{t}/shifts/{s}/delete",
        "/tasks/{t}?when=past",
    ],
)
def test_management_pages_render_for_lead_staff(client, session, world, path) -> None:
    task = _draft(session, world)
    login(client, world["staff"])
    resp = client.get(path.format(t=task.id, s=task.shifts[0].id))
    assert resp.status_code == 200
    assert resp.data.count(b"<h1") == 1


def test_the_coordinator_edit_form_has_only_description_and_location(client, session, world):
    task = _draft(session, world)
    login(client, world["coordinator"])
    html = client.get(f"/tasks/{task.id}/edit").data
    assert b'name="description"' in html and b'name="location"' in html
    assert b'name="title"' not in html


def test_moving_a_shift_onto_a_volunteers_other_shift_is_refused_in_the_form(
    client, session, world
) -> None:
    day = SOON.replace(hour=0, minute=0, second=0, microsecond=0)
    morning = make_shift(session, make_task(session, world["programme"]),
                         starts_at=day + timedelta(hours=9), hours=3)  # fmt: skip
    task = make_task(session, world["programme"])
    afternoon = make_shift(session, task, starts_at=day + timedelta(hours=14), hours=3)
    busy = make_user(session, display_name="Ada Busy")
    make_signup(session, morning, busy)
    make_signup(session, afternoon, busy)
    login(client, world["staff"])
    form = _shift_form(day=day.date().isoformat(), start="10:00", end="13:00")
    resp = client.post(f"/tasks/{task.id}/shifts/{afternoon.id}/edit", data=form)
    assert resp.status_code == 422
    assert "Ada Busy" in resp.text and "two shifts at once" in resp.text
    assert session.get(Shift, afternoon.id, populate_existing=True).starts_at.hour == 14


def test_a_task_page_links_its_programme_and_the_new_task_form_cancels_back_to_it(
    client, session, world
) -> None:
    programme_url = f"/programmes/{world['programme'].id}"
    task = make_task(session, world["programme"], status=TaskStatus.OPEN)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'href="{programme_url}">Meals on wheels</a>' in page
    login(client, world["staff"])
    form = client.get(f"{programme_url}/tasks/new").get_data(as_text=True)
    assert f'href="{programme_url}">Cancel</a>' in form


def test_every_listed_blueprint_is_registered(app) -> None:
    """No area of the site is skipped quietly: each module in BLUEPRINTS is registered."""
    from coprod.web import BLUEPRINTS

    assert set(BLUEPRINTS) <= set(app.blueprints)
