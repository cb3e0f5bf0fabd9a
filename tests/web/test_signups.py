from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import OutboxMessage, Shift, Signup, SignupStatus
from tests.conftest import login
from tests.factories import ShiftWorld, make_past_volunteer, make_shift, make_signup, make_user

# Pages run on the real clock, so shifts here are placed around the real "now".
SOON = timedelta(days=7)


def future() -> object:
    return utcnow().replace(microsecond=0) + SOON


def started() -> object:
    return utcnow().replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def w(session) -> ShiftWorld:
    return ShiftWorld(session, starts_at=future())


def reread(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


# --- sign up ------------------------------------------------------------------------------


def test_sign_up_confirms_and_goes_back_to_the_task_page(client, session, w) -> None:
    login(client, w.volunteer)
    resp = client.post(f"/shifts/{w.shift.id}/signup")
    assert resp.status_code == 303
    # No "#shifts": the browser would scroll past the flash message (see tests/web/test_home.py).
    assert resp.headers["Location"].endswith(f"/tasks/{w.task.id}")
    signup = session.scalar(select(Signup).where(Signup.user_id == w.volunteer.id))
    assert signup is not None and signup.status == SignupStatus.CONFIRMED
    assert reread(session, w.shift).confirmed == 1
    page = client.get(f"/tasks/{w.task.id}")
    assert "You are signed up for" in page.get_data(as_text=True)


def test_sign_up_on_a_full_shift_says_waitlisted_with_the_position(client, session) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=future())
    make_signup(session, w.shift, w.other_volunteer)
    login(client, w.volunteer)
    client.post(f"/shifts/{w.shift.id}/signup")
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert "waiting list (position 1)" in page


def test_signing_up_twice_goes_back_with_the_reason_and_changes_nothing(client, session, w) -> None:
    make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    back = f"http://localhost/tasks/{w.task.id}"
    resp = client.post(f"/shifts/{w.shift.id}/signup", headers={"Referer": back})
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/tasks/{w.task.id}"
    assert "already signed up" in client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert reread(session, w.shift).confirmed == 1


def test_sign_up_without_a_referrer_shows_a_409_page(client, session, w) -> None:
    make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    resp = client.post(f"/shifts/{w.shift.id}/signup")
    assert resp.status_code == 409
    assert "already signed up" in resp.get_data(as_text=True)


def test_sign_up_for_a_shift_that_does_not_exist_is_404(client, session, w) -> None:
    login(client, w.volunteer)
    assert client.post("/shifts/999999/signup").status_code == 404


def test_sign_up_is_a_post_only(client, session, w) -> None:
    login(client, w.volunteer)
    assert client.get(f"/shifts/{w.shift.id}/signup").status_code == 405


# --- the task page's shift actions --------------------------------------------------------


def test_task_page_offers_sign_in_to_anonymous_visitors(client, session, w) -> None:
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert "Sign in to sign up" in page
    assert f"/shifts/{w.shift.id}/signup" not in page


def test_task_page_offers_sign_up_then_waitlist_then_cancel(client, session) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=future())
    login(client, w.volunteer)
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert f'action="/shifts/{w.shift.id}/signup"' in page
    assert ">Sign up</button>" in page
    make_signup(session, w.shift, w.other_volunteer)
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert ">Join waitlist</button>" in page
    mine = make_signup(session, w.shift, w.volunteer, status=SignupStatus.WAITLISTED)
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert "Waitlisted" in page
    assert f"/signups/{mine.id}/cancel" in page


# --- cancel -------------------------------------------------------------------------------


def test_cancel_asks_for_confirmation_then_cancels(client, session) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=future())
    mine = make_signup(session, w.shift, w.volunteer)
    waiting = make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.WAITLISTED)
    login(client, w.volunteer)
    page = client.get(f"/signups/{mine.id}/cancel")
    assert page.status_code == 200
    assert "Yes, cancel this place" in page.get_data(as_text=True)
    assert reread(session, mine).status == SignupStatus.CONFIRMED  # GET changes nothing
    resp = client.post(f"/signups/{mine.id}/cancel", data={"next": "/my/schedule"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/my/schedule"
    assert reread(session, mine).status == SignupStatus.CANCELLED
    assert reread(session, waiting).status == SignupStatus.CONFIRMED
    assert reread(session, w.shift).confirmed == 1


def test_a_second_cancel_of_one_place_is_a_409_saying_so(client, session) -> None:
    """The volunteer and the coordinator both had the page open: the second press is told the
    place is already cancelled, and no second seat is freed."""
    w = ShiftWorld(session, capacity=1, starts_at=future())
    mine = make_signup(session, w.shift, w.volunteer)
    waiting = make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.WAITLISTED)
    login(client, w.coordinator)
    assert client.post(f"/signups/{mine.id}/cancel", data={}).status_code == 303
    login(client, w.volunteer)
    again = client.post(f"/signups/{mine.id}/cancel", data={})
    assert again.status_code == 409
    assert "This place is already cancelled" in again.get_data(as_text=True)
    assert reread(session, waiting).status == SignupStatus.CONFIRMED
    assert reread(session, w.shift).confirmed == 1


def test_cancel_never_redirects_off_site(client, session, w) -> None:
    mine = make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    resp = client.post(f"/signups/{mine.id}/cancel", data={"next": "https://evil.example/"})
    assert resp.headers["Location"] == "/my/schedule"


def test_cancel_after_the_start_is_refused_on_the_page(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    mine = make_signup(session, w.shift, w.volunteer)
    login(client, w.volunteer)
    page = client.get(f"/signups/{mine.id}/cancel").get_data(as_text=True)
    assert "already started" in page
    assert "Yes, cancel this place" not in page
    resp = client.post(f"/signups/{mine.id}/cancel", data={})
    assert resp.status_code == 409
    assert "There is a problem" in resp.get_data(as_text=True)
    assert reread(session, mine).status == SignupStatus.CONFIRMED


# --- my schedule --------------------------------------------------------------------------


def test_my_schedule_has_an_empty_state_with_a_way_forward(client, session, w) -> None:
    login(client, w.volunteer)
    page = client.get("/my/schedule").get_data(as_text=True)
    assert "No upcoming shifts yet." in page
    assert 'href="/tasks"' in page


def test_my_schedule_lists_upcoming_and_past_on_request(client, session, w) -> None:
    past = make_shift(session, w.task, starts_at=started() - timedelta(days=2))
    make_signup(session, w.shift, w.volunteer, status=SignupStatus.WAITLISTED)
    make_signup(session, past, w.volunteer, status=SignupStatus.ATTENDED)
    login(client, w.volunteer)
    page = client.get("/my/schedule").get_data(as_text=True)
    assert "(position 1)" in page
    assert "Attended" not in page
    page = client.get("/my/schedule?past=1").get_data(as_text=True)
    assert "Attended" in page


def test_my_schedule_refuses_a_broken_cursor_and_an_old_page_link_shows_the_first_window(
    client, session, w
) -> None:
    login(client, w.volunteer)
    assert client.get("/my/schedule?after=abc").status_code == 422
    assert client.get("/my/schedule?page=abc").status_code == 200


def test_my_schedule_needs_a_constant_number_of_queries(client, session, w, count_queries) -> None:
    login(client, w.volunteer)

    def queries() -> int:
        before = count_queries.count
        assert client.get("/my/schedule").status_code == 200
        return count_queries.count - before

    make_signup(session, make_shift(session, starts_at=future()), w.volunteer)
    make_signup(session, w.shift, w.volunteer, status=SignupStatus.WAITLISTED)
    few = queries()
    for day in range(6):
        shift = make_shift(session, starts_at=future() + timedelta(days=day + 1))
        make_signup(session, shift, w.volunteer, status=SignupStatus.WAITLISTED)
    assert queries() == few


# --- roster, assign, attendance -----------------------------------------------------------


def test_roster_shows_names_and_emails_to_the_coordinator(client, session, w) -> None:
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert w.volunteer.display_name in page
    assert w.volunteer.email in page
    assert "Assign a volunteer" in page


def test_roster_has_an_empty_state(client, session, w) -> None:
    login(client, w.coordinator)
    assert "No volunteers yet." in client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)


def test_roster_needs_a_constant_number_of_queries(client, session, w, count_queries) -> None:
    login(client, w.coordinator)

    def queries() -> int:
        before = count_queries.count
        assert client.get(f"/shifts/{w.shift.id}/roster").status_code == 200
        return count_queries.count - before

    make_signup(session, w.shift, w.volunteer)
    few = queries()
    for _ in range(6):
        make_signup(session, w.shift, make_user(session), status=SignupStatus.WAITLISTED)
    assert queries() == few


def test_assign_by_email_adds_the_volunteer(client, session, w) -> None:
    make_past_volunteer(session, w.programme, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign", data={"email": w.volunteer.email})
    assert resp.status_code == 303
    signup = session.scalar(
        select(Signup).where(Signup.user_id == w.volunteer.id, Signup.shift_id == w.shift.id)
    )
    assert signup is not None and signup.assigned_by_id == w.coordinator.id


def test_assign_with_an_unknown_email_explains_beside_the_field(client, session, w) -> None:
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign", data={"email": "nobody@example.org"})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert 'id="email-error"' in text
    assert "No one you can assign has this email address" in text
    assert 'value="nobody@example.org"' in text
    assert session.scalar(select(Signup).where(Signup.shift_id == w.shift.id)) is None


def test_assign_of_someone_already_on_the_shift_shows_the_reason(client, session, w) -> None:
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign", data={"email": w.volunteer.email})
    assert resp.status_code == 422
    assert "is already signed up" in resp.get_data(as_text=True)


def test_attendance_is_marked_after_the_start(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    signup = make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert "Mark " + w.volunteer.display_name + " as attended" in page
    resp = client.post(f"/signups/{signup.id}/attendance", data={"attended": "0"})
    assert resp.status_code == 303
    assert reread(session, signup).status == SignupStatus.NO_SHOW


def test_attendance_with_a_bad_value_changes_nothing(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    signup = make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/signups/{signup.id}/attendance", data={"attended": "maybe"})
    assert resp.status_code == 422
    assert reread(session, signup).status == SignupStatus.CONFIRMED


# --- who may do what ----------------------------------------------------------------------

ROLES = ["anonymous", "volunteer", "other_volunteer", "coordinator", "other_coordinator", "lead"]
LOGIN = 302
MATRIX = {
    #                 anon  vol  other coord other_coord lead
    "sign_up": [LOGIN, 303, 303, 303, 303, 303],
    "cancel_page": [LOGIN, 200, 404, 200, 404, 200],
    "cancel": [LOGIN, 303, 404, 303, 404, 303],
    "assign": [LOGIN, 403, 403, 303, 403, 303],
    "attendance": [LOGIN, 403, 404, 303, 404, 303],
    "roster": [LOGIN, 403, 403, 200, 403, 200],
}


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [(e, r, codes[i]) for e, codes in MATRIX.items() for i, r in enumerate(ROLES)],
)
def test_permission_matrix(client, session, endpoint, role, expected) -> None:
    w = ShiftWorld(session, starts_at=future())
    fresh = make_shift(session, w.task, starts_at=future() + timedelta(days=3))
    booked = make_signup(session, w.shift, w.volunteer)
    past = make_shift(session, w.task, starts_at=started())
    attended = make_signup(session, past, w.volunteer)
    newcomer = make_user(session)
    make_past_volunteer(session, w.programme, newcomer)
    people = {
        "volunteer": w.volunteer,
        "other_volunteer": w.other_volunteer,
        "coordinator": w.coordinator,
        "other_coordinator": w.other_coordinator,
        "lead": w.lead_staff,
    }
    if role != "anonymous":
        login(client, people[role])
    requests = {
        "sign_up": lambda: client.post(f"/shifts/{fresh.id}/signup"),
        "cancel_page": lambda: client.get(f"/signups/{booked.id}/cancel"),
        "cancel": lambda: client.post(f"/signups/{booked.id}/cancel"),
        "assign": lambda: client.post(
            f"/shifts/{w.shift.id}/assign", data={"email": newcomer.email}
        ),
        "attendance": lambda: client.post(
            f"/signups/{attended.id}/attendance", data={"attended": "1"}
        ),
        "roster": lambda: client.get(f"/shifts/{w.shift.id}/roster"),
    }
    resp = requests[endpoint]()
    assert resp.status_code == expected
    if expected == LOGIN:
        assert "/login" in resp.headers["Location"]
    # A refusal changes nothing.
    session.expire_all()
    changed = {
        "cancel": lambda: session.get(Signup, booked.id).status == SignupStatus.CANCELLED,
        "attendance": lambda: session.get(Signup, attended.id).status == SignupStatus.ATTENDED,
        "assign": lambda: (
            session.scalar(
                select(Signup).where(Signup.user_id == newcomer.id, Signup.shift_id == w.shift.id)
            )
            is not None
        ),
        "sign_up": lambda: session.get(Shift, fresh.id).confirmed == 1,
    }
    if endpoint in changed:
        assert changed[endpoint]() == (expected == 303)


def test_the_coordinating_partner_finds_the_roster_from_the_task_page(client, session, w) -> None:
    login(client, w.coordinator)
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert f'href="/shifts/{w.shift.id}/roster"' in page
    login(client, w.other_coordinator)
    page = client.get(f"/tasks/{w.task.id}").get_data(as_text=True)
    assert f'href="/shifts/{w.shift.id}/roster"' not in page


# --- assignments reach only people one may assign -------------------------------------------


def _page_without(resp, typed: str) -> str:
    """The page without the address typed and the form's token (the only parts that differ)."""
    body = resp.get_data(as_text=True).replace(typed, "")
    return re.sub(r'name="csrf_token"[^>]*', "", body)


def test_assigning_a_stranger_by_email_is_answered_as_nobody_and_learns_nothing(
    client, session, w
) -> None:
    stranger = make_user(session, phone="+44 7700 900123")
    login(client, w.coordinator)
    refused = client.post(f"/shifts/{w.shift.id}/assign", data={"email": stranger.email})
    unknown = client.post(f"/shifts/{w.shift.id}/assign", data={"email": "nobody@example.org"})
    assert refused.status_code == unknown.status_code == 422
    # The same page, but for the address typed: nothing tells the account exists.
    assert _page_without(refused, stranger.email) == _page_without(unknown, "nobody@example.org")
    assert session.scalar(select(Signup).where(Signup.user_id == stranger.id)) is None
    queued = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == stranger.email)
    )
    assert queued == 0
    roster = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert stranger.email not in roster and stranger.display_name not in roster


def test_a_roster_hides_the_contact_of_someone_assigned_who_may_not_be(client, session, w) -> None:
    own = make_signup(session, w.shift, w.volunteer)
    harvested = make_user(session, phone="+44 7700 900456")
    make_signup(session, w.shift, harvested, assigned_by_id=w.coordinator.id)
    w.volunteer.phone = "+44 7700 900789"
    session.flush()
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert own.volunteer.email in page and "+44 7700 900789" in page
    assert harvested.display_name in page  # on the roster, so it can be cancelled
    assert harvested.email not in page and "900456" not in page
    assert "Not shared" in page
