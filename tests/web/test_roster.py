"""The roster on the day, as pages: who sees a phone (page, CSV, print sheet, API), the CSV, the
printable sign-in sheet, mark all attended, and assigning by picking a member."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import OrgKind, Role, Signup, SignupStatus
from coprod.services import localtime
from tests.api.conftest import bearer
from tests.conftest import login
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_member,
    make_org,
    make_shift,
    make_signup,
    make_user,
)

PHONE = "+44 7700 900321"
ROOT = Path(__file__).resolve().parents[2]


def future():
    return utcnow().replace(microsecond=0) + timedelta(days=7)


def started():
    return utcnow().replace(microsecond=0) - timedelta(hours=1)


def reread(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


# --- who sees a phone ---------------------------------------------------------------------

ROLES = [
    "volunteer_on_shift",
    "org_member",
    "partner_member",
    "reviewer",
    "coordinator",
    "lead_staff",
    "site_admin",
    "visitor",
]
SEES_PHONE = {"coordinator", "lead_staff"}
SURFACES = {
    "page": "/shifts/{id}/roster",
    "csv": "/shifts/{id}/roster.csv",
    "print": "/shifts/{id}/roster/print",
    "api": "/api/v1/shifts/{id}/signups",
}


def _person(session, w: ShiftWorld, role: str):
    partner_org = make_org(session, OrgKind.COMMUNITY)
    add_partner(session, w.programme, partner_org)
    return {
        "volunteer_on_shift": w.volunteer,
        "org_member": make_member(session, w.nonprofit, Role.MEMBER),
        "partner_member": make_member(session, partner_org, Role.MEMBER),
        "reviewer": make_member(session, w.agency, Role.REVIEWER),
        "coordinator": w.coordinator,
        "lead_staff": w.lead_staff,
        "site_admin": make_user(session, is_site_admin=True),
        "visitor": None,
    }[role]


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("role", ROLES)
def test_only_the_coordinators_and_lead_staff_see_a_phone(client, session, role, surface) -> None:
    w = ShiftWorld(session, starts_at=future())
    w.volunteer.phone = PHONE
    make_signup(session, w.shift, w.volunteer)
    other = make_user(session, phone="+44 7700 900654")
    make_signup(session, w.shift, other)
    person = _person(session, w, role)
    headers = {}
    if person is not None and surface == "api":
        headers = bearer(session, person)
    elif person is not None:
        login(client, person)
    resp = client.get(SURFACES[surface].format(id=w.shift.id), headers=headers)
    body = resp.get_data(as_text=True)
    if role in SEES_PHONE:
        assert resp.status_code == 200
        assert PHONE in body and "900654" in body
    else:
        assert resp.status_code in (302, 401, 403, 404)
        assert "900321" not in body and "900654" not in body
        assert w.volunteer.email not in body


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_download_is_named_after_the_task_and_its_local_date(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    w.task.title = "River clean-up"
    w.volunteer.phone = "=1+1"
    make_signup(session, w.shift, w.volunteer, status=SignupStatus.ATTENDED)
    make_signup(session, w.shift, w.other_volunteer)
    login(client, w.coordinator)
    resp = client.get(f"/shifts/{w.shift.id}/roster.csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    day = localtime.to_local(w.shift.starts_at, localtime.shift_zone(w.shift)).date()
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="roster-river-clean-up-{day.isoformat()}.csv"'
    )
    assert "no-store" in resp.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Phone", "Status", "Attendance"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[w.volunteer.display_name][2:] == ["'=1+1", "Confirmed", "Attended"]
    assert by_name[w.other_volunteer.display_name][3:] == ["Confirmed", "Not marked"]


def test_the_roster_page_links_to_the_csv_and_the_sheet(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f'href="/shifts/{w.shift.id}/roster.csv"' in page
    assert f'href="/shifts/{w.shift.id}/roster/print"' in page


# --- the printable sign-in sheet -------------------------------------------------------------


def test_the_sign_in_sheet_has_the_shift_and_a_line_to_sign_for_each_person(
    client, session
) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=future())
    w.task.location = "Riverside Hall"
    w.volunteer.phone = PHONE
    make_signup(session, w.shift, w.volunteer)
    waiting = make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.WAITLISTED)
    login(client, w.coordinator)
    resp = client.get(f"/shifts/{w.shift.id}/roster/print")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    for text in (
        f"Sign-in sheet: {w.task.title}",
        localtime.describe_shift(w.shift),
        "Riverside Hall",
        w.nonprofit.name,
        w.volunteer.display_name,
        PHONE,
        ">Signature</th>",
        "data-print",  # the Print button
        "roster-print.js",
        "1 on the waiting list (not listed)",
    ):
        assert text in page, text
    assert waiting.volunteer.display_name not in page


def test_the_sheet_prints_without_the_sites_navigation(client, session) -> None:
    css = (ROOT / "static" / "app.css").read_text()
    block = css[css.index("@media print") :]
    for selector in (".cp-header", ".cp-footer", ".cp-no-print", "button"):
        assert selector in block
    assert "window.print()" in (ROOT / "static" / "roster-print.js").read_text()


def test_an_empty_sheet_still_has_lines_to_write_on(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    login(client, w.lead_staff)
    page = client.get(f"/shifts/{w.shift.id}/roster/print").get_data(as_text=True)
    assert "nobody yet" in page and page.count("Empty line for someone not listed") == 3


# --- mark all attended ------------------------------------------------------------------------


def test_mark_all_asks_first_then_marks_the_confirmed(client, session) -> None:
    w = ShiftWorld(session, capacity=1, starts_at=started())
    one = make_signup(session, w.shift, w.volunteer)
    waiting = make_signup(session, w.shift, w.other_volunteer, status=SignupStatus.WAITLISTED)
    login(client, w.coordinator)
    roster = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f'href="/shifts/{w.shift.id}/attendance"' in roster
    ask = client.get(f"/shifts/{w.shift.id}/attendance")
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Yes, mark 1 as attended" in text
    assert w.volunteer.display_name in text and w.other_volunteer.display_name not in text
    # The page says that marking makes hours, before the click that makes them.
    assert "each of them gets a log of this shift's day and length" in text
    assert reread(session, one).status == SignupStatus.CONFIRMED  # asking changes nothing
    done = client.post(f"/shifts/{w.shift.id}/attendance")
    assert done.status_code == 303 and done.headers["Location"].endswith("/roster")
    assert reread(session, one).status == SignupStatus.ATTENDED
    assert reread(session, waiting).status == SignupStatus.WAITLISTED
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert "1 person is marked as attended." in page
    assert f'href="/shifts/{w.shift.id}/attendance"' not in page  # nothing left to mark


def test_mark_all_before_the_start_is_refused(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    one = make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/attendance").get_data(as_text=True)
    assert "has not started yet" in page and "Yes, mark" not in page
    assert client.post(f"/shifts/{w.shift.id}/attendance").status_code == 409
    assert reread(session, one).status == SignupStatus.CONFIRMED


@pytest.mark.parametrize(("who", "code"), [("volunteer", 403), ("other_coordinator", 403)])
def test_mark_all_is_for_the_roster_keepers(client, session, who, code) -> None:
    w = ShiftWorld(session, starts_at=started())
    one = make_signup(session, w.shift, w.volunteer)
    login(client, getattr(w, who))
    assert client.post(f"/shifts/{w.shift.id}/attendance").status_code == code
    assert client.get(f"/shifts/{w.shift.id}/attendance").status_code == code
    assert reread(session, one).status == SignupStatus.CONFIRMED


def test_per_row_attendance_can_be_changed_after_mark_all(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    one = make_signup(session, w.shift, w.volunteer)
    login(client, w.coordinator)
    client.post(f"/shifts/{w.shift.id}/attendance")
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f"Mark {w.volunteer.display_name} as no-show" in page
    client.post(f"/signups/{one.id}/attendance", data={"attended": "0"})
    assert reread(session, one).status == SignupStatus.NO_SHOW


# --- assigning by picking a member ---------------------------------------------------------------


def test_the_member_list_filters_by_name_and_marks_who_cannot_be_assigned(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_member(session, w.nonprofit, Role.MEMBER, display_name="Quinn Free")
    booked = make_member(session, w.nonprofit, Role.MEMBER, display_name="Quentin Booked")
    make_signup(session, w.shift, booked)
    make_member(session, w.nonprofit, Role.MEMBER, display_name="Zed Other")
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster?q=qu").get_data(as_text=True)
    assert "Quinn Free" in page and "Zed Other" not in page
    assert 'value="qu"' in page
    # Quentin is listed, marked and cannot be chosen.
    assert f'value="{booked.id}" disabled' in page and "Already on this shift" in page
    empty = client.get(f"/shifts/{w.shift.id}/roster?q=nobody-here").get_data(as_text=True)
    assert "No member matches" in empty


def test_picking_a_member_assigns_them(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    member = make_member(session, w.nonprofit, Role.MEMBER)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign-member", data={"user_id": str(member.id)})
    assert resp.status_code == 303
    signup = session.scalar(select(Signup).where(Signup.user_id == member.id))
    assert signup is not None and signup.assigned_by_id == w.coordinator.id


@pytest.mark.parametrize("pick", ["", "abc", "99999999999", "unconfirmed", "stranger"])
def test_a_pick_that_cannot_be_assigned_is_refused_beside_the_list(client, session, pick) -> None:
    w = ShiftWorld(session, starts_at=future())
    make_member(session, w.nonprofit, Role.MEMBER)
    unconfirmed = make_member(session, w.nonprofit, Role.MEMBER, email_confirmed_at=None)
    stranger = make_user(session)
    value = {"unconfirmed": str(unconfirmed.id), "stranger": str(stranger.id)}.get(pick, pick)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign-member", data={"user_id": value})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'id="user_id-error"' in page
    assert stranger.display_name not in page
    assert session.scalar(select(Signup).where(Signup.shift_id == w.shift.id)) is None


def test_picking_is_for_those_who_may_assign(client, session) -> None:
    w = ShiftWorld(session, starts_at=future())
    member = make_member(session, w.nonprofit, Role.MEMBER)
    login(client, member)
    resp = client.post(f"/shifts/{w.shift.id}/assign-member", data={"user_id": str(member.id)})
    assert resp.status_code == 403
    assert session.scalar(select(Signup).where(Signup.user_id == member.id)) is None


def test_a_shift_that_has_started_offers_no_picking(client, session) -> None:
    w = ShiftWorld(session, starts_at=started())
    make_shift(session, w.task)
    login(client, w.coordinator)
    page = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert "Pick a member" not in page


@pytest.mark.parametrize(
    ("q", "code"), [("x" * 101, 422), ("a%00b", 400), ("%0A", 200), ("%25%5F", 200)]
)
def test_a_search_is_never_an_error(client, session, q, code) -> None:
    w = ShiftWorld(session, starts_at=future())
    login(client, w.coordinator)
    resp = client.get(f"/shifts/{w.shift.id}/roster?q={q}")
    assert resp.status_code == code
    if code == 422:
        assert "Search must be 100 characters or fewer." in resp.get_data(as_text=True)
