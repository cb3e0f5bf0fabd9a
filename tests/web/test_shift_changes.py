"""Pages for changing shifts: cancel one, delete only what may be deleted, weekly series with
skipped dates, remove a date from a series, copy and move shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OrgKind, OutboxMessage, Role, Shift, Signup, SignupStatus, TaskStatus
from coprod.services import shift_changes
from tests.conftest import login
from tests.factories import (
    add_partner,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

SOON = (utcnow() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, name="Parks", timezone="Europe/London")
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    task = make_task(
        session, programme, title="Litter pick", coordinating_organisation_id=partner.id
    )
    return {
        "programme": programme,
        "task": task,
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "volunteer": make_user(session),
    }


def test_cancelling_a_shift_asks_for_a_reason_then_shows_it_everywhere(client, session, world):
    task = world["task"]
    shift = make_shift(session, task, starts_at=SOON)
    signup = make_signup(session, shift, world["volunteer"])
    login(client, world["staff"])
    page = client.get(f"/tasks/{task.id}/shifts/{shift.id}/cancel")
    assert page.status_code == 200 and b"Yes, cancel this shift" in page.data
    assert b"1 confirmed volunteer" in page.data
    resp = client.post(
        f"/tasks/{task.id}/shifts/{shift.id}/cancel", data={"reason": "Storm warning"}
    )
    assert resp.status_code == 303
    session.expire_all()
    assert session.get(Shift, shift.id).is_cancelled
    assert session.get(Signup, signup.id).status == SignupStatus.SHIFT_CANCELLED
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'Cancelled</span> <span class="cp-cancel-reason">Storm warning' in html
    assert f"/shifts/{shift.id}/cancel" not in html  # no second cancel offered
    roster = client.get(f"/shifts/{shift.id}/roster").get_data(as_text=True)
    assert "Storm warning" in roster and "Assign a volunteer" not in roster
    login(client, world["volunteer"])
    mine = client.get("/my/schedule").get_data(as_text=True)
    assert "Shift cancelled" in mine and "Storm warning" in mine
    task_page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Your place ended" in task_page
    assert f"/shifts/{shift.id}/signup" not in task_page  # no sign-up button
    assert client.post(f"/shifts/{shift.id}/signup").status_code == 409


def test_a_bad_reason_is_shown_beside_the_field(client, session, world):
    shift = make_shift(session, world["task"], starts_at=SOON)
    login(client, world["staff"])
    resp = client.post(
        f"/tasks/{world['task'].id}/shifts/{shift.id}/cancel", data={"reason": "x" * 301}
    )
    assert resp.status_code == 422
    assert b"300 characters or fewer" in resp.data
    session.expire_all()
    assert not session.get(Shift, shift.id).is_cancelled


def test_the_delete_page_offers_deleting_only_when_it_is_allowed(client, session, world):
    task = world["task"]
    free = make_shift(session, task, starts_at=SOON)
    taken = make_shift(session, task, starts_at=SOON + timedelta(days=1))
    make_signup(session, taken)
    login(client, world["staff"])
    ok = client.get(f"/tasks/{task.id}/shifts/{free.id}/delete").get_data(as_text=True)
    assert "Yes, delete this shift" in ok
    no = client.get(f"/tasks/{task.id}/shifts/{taken.id}/delete").get_data(as_text=True)
    assert "Yes, delete" not in no and "cannot be deleted" in no
    assert f"/tasks/{task.id}/shifts/{taken.id}/cancel" in no  # offers cancelling
    assert client.post(f"/tasks/{task.id}/shifts/{taken.id}/delete").status_code == 409


def test_weekly_form_skips_dates_and_refuses_a_date_off_the_series(client, session, world):
    task = world["task"]
    login(client, world["staff"])
    first = SOON.date()
    data = {
        "first_date": first.isoformat(),
        "starts_at": "09:00",
        "ends_at": "12:00",
        "until": (first + timedelta(weeks=3)).isoformat(),
        "capacity": "3",
    }
    wrong = (first + timedelta(days=1)).isoformat()
    bad = client.post(f"/tasks/{task.id}/shifts/weekly", data=data | {"skip_dates": wrong})
    assert bad.status_code == 422
    assert b"is not a date of the series" in bad.data
    assert b'id="skip_dates-error"' in bad.data
    typo = client.post(f"/tasks/{task.id}/shifts/weekly", data=data | {"skip_dates": "soon"})
    assert typo.status_code == 422 and b"is not a date like" in typo.data
    skip = f"{(first + timedelta(weeks=1)).isoformat()}, {(first + timedelta(weeks=2)).isoformat()}"
    resp = client.post(f"/tasks/{task.id}/shifts/weekly", data=data | {"skip_dates": skip})
    assert resp.status_code == 303
    made = list(session.scalars(select(Shift).where(Shift.task_id == task.id)))
    assert len(made) == 2 and len({s.series_id for s in made}) == 1
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Remove from series" in html


def test_removing_a_date_from_a_series(client, session, world, now):
    task = world["task"]
    made = [make_shift(session, task, starts_at=SOON + timedelta(weeks=i)) for i in range(3)]
    for s in made:
        s.series_id = made[0].id
    make_signup(session, made[2])
    session.flush()
    ids = [s.id for s in made]
    login(client, world["staff"])
    free_page = client.get(f"/tasks/{task.id}/shifts/{made[1].id}/remove").get_data(as_text=True)
    assert "is <strong>deleted</strong>" in free_page
    assert client.post(f"/tasks/{task.id}/shifts/{made[1].id}/remove").status_code == 303
    taken_page = client.get(f"/tasks/{task.id}/shifts/{ids[2]}/remove").get_data(as_text=True)
    assert "is <strong>cancelled</strong>" in taken_page and 'name="reason"' in taken_page
    resp = client.post(f"/tasks/{task.id}/shifts/{made[2].id}/remove", data={"reason": "Christmas"})
    assert resp.status_code == 303
    session.expire_all()
    assert session.get(Shift, ids[1]) is None
    assert session.get(Shift, ids[2]).cancel_reason == "Christmas"
    assert session.get(Shift, ids[0]).cancelled_at is None


def test_copying_shifts_to_another_task_from_the_form(client, session, world):
    task = world["task"]
    one = make_shift(session, task, starts_at=SOON)
    two = make_shift(session, task, starts_at=SOON + timedelta(days=2))
    target = make_task(session, world["programme"], title="Spring clean")
    login(client, world["staff"])
    page = client.get(f"/tasks/{task.id}/shifts/copy").get_data(as_text=True)
    assert "Spring clean" in page and f'value="{two.id}"' in page
    bad = client.post(
        f"/tasks/{task.id}/shifts/copy",
        data={"target_task_id": str(target.id), "scope": "future", "weeks": "99"},
    )
    assert bad.status_code == 422 and b"-52 to 52" in bad.data
    none = client.post(
        f"/tasks/{task.id}/shifts/copy",
        data={"target_task_id": str(target.id), "scope": "chosen", "weeks": "1"},
    )
    # "Tick at least one shift" stands beside the list of shifts, and the summary links to it.
    text = none.get_data(as_text=True)
    assert none.status_code == 422
    assert '<span class="usa-error-message" id="shift_ids-error" role="alert">Tick at least' in text
    assert '<a href="#shift_ids">Tick at least one shift to copy.</a>' in text
    resp = client.post(
        f"/tasks/{task.id}/shifts/copy",
        data={
            "target_task_id": str(target.id),
            "scope": "chosen",
            "shift_ids": [str(two.id)],
            "weeks": "1",
        },
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith(
        f"/tasks/{target.id}"  # no fragment: the flash stays in view
    )
    [copy] = session.scalars(select(Shift).where(Shift.task_id == target.id))
    assert copy.starts_at == two.starts_at + timedelta(weeks=1)
    assert one.id != copy.id


def test_the_copy_page_says_when_there_is_no_other_task(client, session, world):
    make_shift(session, world["task"], starts_at=SOON)
    login(client, world["staff"])
    page = client.get(f"/tasks/{world['task'].id}/shifts/copy").get_data(as_text=True)
    assert "no other task" in page and "Copy the shifts" not in page


def test_moving_shifts_by_weeks_from_the_form(client, session, world):
    task = world["task"]
    shift = make_shift(session, task, starts_at=SOON)
    signup = make_signup(session, shift, world["volunteer"])
    starts = shift.starts_at
    login(client, world["staff"])
    assert client.get(f"/tasks/{task.id}/shifts/move").status_code == 200
    bad = client.post(f"/tasks/{task.id}/shifts/move", data={"weeks": "0"})
    assert bad.status_code == 422 and b"other than 0" in bad.data
    resp = client.post(f"/tasks/{task.id}/shifts/move", data={"weeks": "2"})
    assert resp.status_code == 303
    session.expire_all()
    assert session.get(Shift, shift.id).starts_at == starts + timedelta(weeks=2)
    assert session.scalar(select(func.count()).where(OutboxMessage.user_id == signup.user_id)) == 1


def test_only_those_who_manage_the_task_reach_the_pages(client, session, world):
    task = world["task"]
    shift = make_shift(session, task, starts_at=SOON)
    shift.series_id = shift.id
    session.flush()
    login(client, world["volunteer"])
    for path in (
        f"/tasks/{task.id}/shifts/{shift.id}/cancel",
        f"/tasks/{task.id}/shifts/{shift.id}/remove",
        f"/tasks/{task.id}/shifts/copy",
        f"/tasks/{task.id}/shifts/move",
    ):
        assert client.get(path).status_code in (403, 404), path
        assert client.post(path, data={"weeks": "1"}).status_code in (403, 404), path
    session.expire_all()
    assert not session.get(Shift, shift.id).is_cancelled


def test_a_cancelled_shift_of_a_finished_or_started_task_is_explained(client, session, world, now):
    task = world["task"]
    shift = make_shift(session, task, starts_at=SOON)
    shift_changes.cancel_shift(session, world["staff"], shift, reason="Ice", now=utcnow())
    login(client, world["staff"])
    page = client.get(f"/tasks/{task.id}/shifts/{shift.id}/cancel").get_data(as_text=True)
    assert "already cancelled" in page and "Ice" in page
    deleted = client.get(f"/tasks/{task.id}/shifts/{shift.id}/delete").get_data(as_text=True)
    assert "Yes, delete this shift" in deleted  # nobody was on it: it may go
    assert task.status == TaskStatus.OPEN
