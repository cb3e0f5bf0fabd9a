"""Notification pages: preferences, the calendar feed and its reset, roster messages, the
outbox for site admins; status codes, errors beside fields and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coprod.db import utcnow
from coprod.models import (
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    SignupStatus,
)
from coprod.services import notifications
from tests.conftest import login
from tests.factories import ShiftWorld, make_shift, make_signup, make_user


def future():
    return utcnow().replace(microsecond=0) + timedelta(days=7)


def reread(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


def failed_message(session, user, n=0):
    msg = OutboxMessage(
        user_id=user.id,
        recipient=user.email,
        kind=NotificationKind.SIGNUP,
        subject=f"Signed up {n}",
        body_text="Hello there",
        body_html="<p>Hello there</p>",
        dedupe_key=f"web-test:{user.id}:{n}",
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    session.add(msg)
    session.flush()
    return msg


def roster_messages(session):
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == NotificationKind.ROSTER_MESSAGE)
    )


# --- preferences --------------------------------------------------------------------------


def test_the_preferences_page_shows_every_kind_on_except_digests(client, session) -> None:
    me = make_user(session)
    login(client, me)
    resp = client.get("/account/notifications")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    choices = set(NotificationKind) - notifications.ACCOUNT_KINDS  # account emails: no choice
    assert page.count('type="checkbox"') == len(choices) + 1  # + the reset confirm
    checked = set(re.findall(r'<input checked[^>]* id="([a-z_]+)"', page))
    assert checked == {k.value for k in choices} - {"report_digest"}
    assert me.calendar_token in page


def test_saving_preferences_keeps_what_was_ticked(client, session) -> None:
    me = make_user(session)
    login(client, me)
    ticked = {k.value: "y" for k in NotificationKind if k != NotificationKind.SIGNUP}
    resp = client.post("/account/notifications", data=ticked)
    assert resp.status_code == 303
    session.expire_all()
    prefs = {
        p.kind: p.enabled
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == me.id)
        )
    }
    assert prefs[NotificationKind.SIGNUP] is False
    assert prefs[NotificationKind.REPORT_DIGEST] is True


def test_the_account_page_links_to_email_and_calendar_settings(client, session) -> None:
    login(client, make_user(session))
    assert "/account/notifications" in client.get("/account").get_data(as_text=True)


# --- calendar -----------------------------------------------------------------------------


def test_the_calendar_feed_is_public_behind_its_secret_link(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    signup = make_signup(session, w.shift, w.volunteer)
    resp = client.get(f"/calendar/{w.volunteer.calendar_token}.ics")
    assert resp.status_code == 200
    assert resp.mimetype == "text/calendar"
    [event] = Calendar.from_ical(resp.data).walk("VEVENT")
    assert str(event["UID"]) == f"signup-{signup.id}@coprod"
    assert f"http://localhost/tasks/{w.task.id}" in str(event["DESCRIPTION"])


def test_an_unknown_calendar_link_is_not_found(client, session) -> None:
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_resetting_the_calendar_link_retires_the_old_one(client, session) -> None:
    me = make_user(session)
    old = me.calendar_token
    login(client, me)
    resp = client.post("/account/calendar/reset", data={"confirm": "y"})
    assert resp.status_code == 303
    new = reread(session, me).calendar_token
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_resetting_without_confirming_shows_the_error_beside_the_box(client, session) -> None:
    me = make_user(session)
    old = me.calendar_token
    login(client, me)
    resp = client.post("/account/calendar/reset", data={})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'id="confirm-error"' in page and "Tick the box" in page
    assert reread(session, me).calendar_token == old


# --- roster messages ----------------------------------------------------------------------


def test_the_roster_page_offers_a_message_form_to_its_coordinator(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f'action="/shifts/{w.shift.id}/message"' in page
    assert 'for="roster-subject"' in page and 'for="roster-body"' in page


def test_a_coordinator_messages_everyone_on_the_roster(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.WAITLISTED)
    login(client, w.coordinator)
    resp = client.post(
        f"/shifts/{w.shift.id}/message", data={"subject": "Gloves", "body": "Bring gloves."}
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/shifts/{w.shift.id}/roster")
    session.expire_all()
    assert roster_messages(session) == 2


def test_an_empty_roster_message_is_shown_again_with_errors_beside_the_fields(
    client, session
) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/message", data={"subject": "", "body": " "})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'id="subject-error"' in page and 'id="body-error"' in page
    assert roster_messages(session) == 0


# --- the outbox ---------------------------------------------------------------------------


def test_a_site_admin_sees_failed_messages_and_retries_one(client, session) -> None:
    admin = make_user(session, is_site_admin=True)
    msg = failed_message(session, make_user(session))
    login(client, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert msg.subject in page and "Connection refused" in page and "Retry" in page
    resp = client.post(f"/admin/outbox/{msg.id}/retry")
    assert resp.status_code == 303
    assert reread(session, msg).status == OutboxStatus.PENDING


def test_in_development_the_admin_reads_the_body_of_a_message(client, session, app) -> None:
    admin = make_user(session, is_site_admin=True)
    msg = failed_message(session, make_user(session))
    login(client, admin)
    assert not app.config.get("MAIL_SERVER")
    page = client.get(f"/admin/outbox/{msg.id}").get_data(as_text=True)
    assert "Hello there" in page


def test_a_bad_outbox_filter_falls_back_and_a_bad_page_is_refused(client, session) -> None:
    login(client, make_user(session, is_site_admin=True))
    assert client.get("/admin/outbox?show=nonsense").status_code == 200
    # Page numbers are gone: an old link shows the first window; a broken cursor is a 422.
    assert client.get("/admin/outbox?page=x").status_code == 200
    assert client.get("/admin/outbox?after=x").status_code == 422


def test_the_outbox_page_issues_the_same_queries_for_3_or_30_messages(
    client, session, count_queries
) -> None:
    login(client, make_user(session, is_site_admin=True))
    counts = []
    for n in (3, 27, 30):  # 3, then 30 and 60 messages (full first pages)
        for i in range(n):
            failed_message(session, make_user(session), i)
        count_queries.count = 0
        assert client.get("/admin/outbox?show=all").status_code == 200
        counts.append(count_queries.count)
    assert counts[1] == counts[2]
    assert counts[0] == counts[1]  # a window never counts the list


# --- who may do what ----------------------------------------------------------------------

ROLES = ["anonymous", "volunteer", "coordinator", "other_coordinator", "lead", "site_admin"]
LOGIN = 302
MATRIX = {
    #                     anon  vol  coord other lead admin
    "preferences_save": [LOGIN, 303, 303, 303, 303, 303],
    "calendar_reset": [LOGIN, 303, 303, 303, 303, 303],
    "message_page": [LOGIN, 403, 200, 403, 200, 403],
    "message_roster": [LOGIN, 403, 303, 403, 303, 403],
    "outbox": [LOGIN, 403, 403, 403, 403, 200],
    "retry": [LOGIN, 403, 403, 403, 403, 303],
}


@pytest.mark.parametrize(
    ("endpoint", "role", "expected"),
    [(e, r, codes[i]) for e, codes in MATRIX.items() for i, r in enumerate(ROLES)],
)
def test_permission_matrix(client, session, endpoint, role, expected) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_signup(session, w.shift, w.volunteer)
    make_shift(session, w.task)
    msg = failed_message(session, w.other_volunteer)
    people = {
        "volunteer": w.volunteer,
        "coordinator": w.coordinator,
        "other_coordinator": w.other_coordinator,
        "lead": w.lead_staff,
        "site_admin": make_user(session, is_site_admin=True),
    }
    if role != "anonymous":
        login(client, people[role])
    requests = {
        "preferences_save": lambda: client.post("/account/notifications", data={}),
        "calendar_reset": lambda: client.post("/account/calendar/reset", data={"confirm": "y"}),
        "message_page": lambda: client.get(f"/shifts/{w.shift.id}/message"),
        "message_roster": lambda: client.post(
            f"/shifts/{w.shift.id}/message", data={"subject": "Hi", "body": "Hello"}
        ),
        "outbox": lambda: client.get("/admin/outbox"),
        "retry": lambda: client.post(f"/admin/outbox/{msg.id}/retry"),
    }
    resp = requests[endpoint]()
    assert resp.status_code == expected
    if expected == LOGIN:
        assert "/login" in resp.headers["Location"]
    session.expire_all()
    changed = {
        "message_roster": lambda: roster_messages(session) == 1,
        "retry": lambda: session.get(OutboxMessage, msg.id).status == OutboxStatus.PENDING,
    }
    if endpoint in changed:
        assert changed[endpoint]() == (expected == 303)


def test_the_account_page_shows_the_private_calendar_link(client, session) -> None:
    me = make_user(session)
    login(client, me)
    assert f"/calendar/{me.calendar_token}.ics" in client.get("/account").get_data(as_text=True)
