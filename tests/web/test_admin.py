from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from coprod.errors import NotAllowed
from coprod.jobs.reports import rebuild_all_reports, sweep_reports
from coprod.models import AuditEntry, LogStatus, Organisation, OrgKind, Role, TaskStatus
from coprod.services.job_status import list_job_states
from tests.conftest import login
from tests.factories import (
    make_log,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)


@pytest.fixture
def site_admin(session):
    return make_user(session, is_site_admin=True, display_name="Site Admin")


@pytest.mark.parametrize("path", ["/admin", "/admin/audit"])
def test_admin_pages_need_a_login(client, session, path) -> None:
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("path", ["/admin", "/admin/audit"])
@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.ADMIN, Role.STAFF])
def test_admin_pages_are_for_site_admins_only(client, session, path, role) -> None:
    org = make_org(session, OrgKind.AGENCY)
    user = make_member(session, org, role) if role else make_user(session)
    assert login(client, user).get(path).status_code == 403


def test_the_admin_page_lists_agencies_awaiting_verification_with_a_verify_button(
    client, session, site_admin
) -> None:
    waiting = make_org(session, OrgKind.AGENCY, verified=False, name="Waiting Agency")
    make_org(session, OrgKind.AGENCY, verified=True, name="Done Agency")
    page = login(client, site_admin).get("/admin")
    assert page.status_code == 200
    assert b"Waiting Agency" in page.data
    assert f'action="/orgs/{waiting.id}/verify"'.encode() in page.data
    assert b"Done Agency" in page.data  # in the list of all organisations
    resp = client.post(f"/orgs/{waiting.id}/verify", data={"next": "/admin"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin")
    session.expire_all()
    assert session.get(Organisation, waiting.id).verified_by_id == site_admin.id


def test_verify_never_redirects_off_site(client, session, site_admin) -> None:
    org = make_org(session, OrgKind.AGENCY, verified=False)
    resp = login(client, site_admin).post(
        f"/orgs/{org.id}/verify", data={"next": "https://evil.example/"}
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/orgs/{org.id}")


def test_verifying_twice_is_refused_with_a_message(client, session, site_admin) -> None:
    org = make_org(session, OrgKind.AGENCY, verified=True)
    resp = login(client, site_admin).post(
        f"/orgs/{org.id}/verify", headers={"Referer": f"http://localhost/orgs/{org.id}"}
    )
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    assert b"already verified" in page.data


def test_the_waiting_filter_lists_only_agencies_awaiting_verification(
    client, session, site_admin
) -> None:
    make_org(session, OrgKind.AGENCY, verified=False, name="Waiting Agency")
    make_org(session, OrgKind.NONPROFIT, verified=True, name="Some Nonprofit")
    page = login(client, site_admin).get("/admin?status=waiting")
    assert page.status_code == 200
    listed = page.data.split(b"<h2>Organisations</h2>")[1]
    assert b"Waiting Agency" in listed
    assert b"Some Nonprofit" not in listed


def test_the_audit_log_shows_actor_action_object_and_values(client, session, site_admin) -> None:
    org = make_org(session, name="Food Bank")
    session.add(
        AuditEntry(
            actor_id=site_admin.id,
            action="organisation.verified",
            object_type="Organisation",
            object_id=org.id,
            before={"verified_at": None},
            after={"verified_at": "2026-06-13T10:00:00+00:00"},
        )
    )
    session.flush()
    page = login(client, site_admin).get("/admin/audit")
    assert page.status_code == 200
    for text in (
        "Site Admin",
        '<h3 class="margin-0 font-sans-md">Verified an organisation</h3>',
        '<code class="font-mono-3xs">organisation.verified</code>',
        f'<a class="usa-link" href="/orgs/{org.id}">Food Bank</a>',
        '<dt class="text-bold">Verified at</dt>',
        '<span class="text-base">Before:</span> <del>—</del>',
        "2026-06-13T10:00:00+00:00</ins>",
    ):
        assert text in page.text


def test_the_audit_log_links_each_entry_to_its_page_when_it_exists_and_may_be_seen(
    client, session, site_admin, now
) -> None:
    """A task, a shift (its task's page: a site admin runs no roster), a log, a programme, an
    account; a deleted object and a draft task (not the admin's to open) get no link."""
    programme = make_programme(session, name="Meals")
    task = make_task(session, programme, title="Deliver meals")
    draft = make_task(session, programme, title="Secret plan", status=TaskStatus.DRAFT)
    shift = make_shift(session, task=task)
    log = make_log(session, task=task, on=date(2026, 6, 2), hours="3")
    person = make_user(session, display_name="Vera Volunteer")
    rows = [
        ("task.created", "Task", task.id),
        ("shift.created", "Shift", shift.id),
        ("log.submitted", "ContributionLog", log.id),
        ("programme.created", "Programme", programme.id),
        ("user.registered", "User", person.id),
        ("shift.deleted", "Shift", 999999),
        ("task.created", "Task", draft.id),
    ]
    for action, kind, oid in rows:
        session.add(
            AuditEntry(actor_id=site_admin.id, action=action, object_type=kind, object_id=oid)
        )
    session.flush()
    page = login(client, site_admin).get("/admin/audit").text
    assert f'href="/tasks/{task.id}">Deliver meals</a>' in page
    assert f'href="/tasks/{task.id}">Deliver meals, ' in page  # the shift, on its task's page
    assert f'href="/logs/{log.id}">Deliver meals</a>' in page
    assert f'href="/programmes/{programme.id}">Meals</a>' in page
    assert f'href="/admin/accounts/{person.id}">Vera Volunteer</a>' in page
    assert 'Shift #999999 <span class="text-base">(no longer exists' in page
    assert f"/tasks/{draft.id}" not in page and "Secret plan" not in page
    assert "Signed up" not in page and "Deleted a shift" in page


def test_the_audit_diff_shows_each_changed_field_only(client, session, site_admin) -> None:
    programme = make_programme(session, name="Meals")
    session.add(
        AuditEntry(
            actor_id=site_admin.id,
            action="programme.updated",
            object_type="Programme",
            object_id=programme.id,
            before={"currency": "GBP", "name": "Meals", "is_pilot": False},
            after={"currency": "EUR", "name": "Meals", "is_pilot": True},
        )
    )
    session.flush()
    page = login(client, site_admin).get("/admin/audit").text
    entry = page.split("Changed a programme</h3>")[1]
    assert '<dt class="text-bold">Currency</dt>' in entry
    assert "<del>GBP</del>" in entry and "EUR</ins>" in entry
    assert "<del>No</del>" in entry and "Yes</ins>" in entry
    assert '<dt class="text-bold">Name</dt>' not in entry  # unchanged


def test_the_audit_log_filters_by_action_and_object_type(client, session, site_admin) -> None:
    for action, kind in (
        ("membership.added", "Organisation"),
        ("programme.created", "Programme"),
        ("metric.added", "Metric"),
    ):
        session.add(AuditEntry(actor_id=site_admin.id, action=action, object_type=kind))
    session.flush()
    login(client, site_admin)
    page = client.get("/admin/audit?action=programme.created")
    assert '<option selected value="programme.created">Created a programme</option>' in page.text
    assert '<option value="Metric">Shared objective</option>' in page.text
    body = page.data.split(b'class="usa-list usa-list--unstyled cp-audit"')[1]
    assert b"programme.created" in body
    assert b"membership.added" not in body
    page = client.get("/admin/audit?object_type=Metric")
    body = page.data.split(b'class="usa-list usa-list--unstyled cp-audit"')[1]
    assert b"metric.added" in body
    assert b"programme.created" not in body
    empty = client.get("/admin/audit?action=nothing.here")
    assert b"No entries match these filters" in empty.data


def test_the_audit_log_is_paginated_in_a_constant_number_of_queries(
    client, session, site_admin, count_queries
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            actor = make_user(session)
            session.add(AuditEntry(actor_id=actor.id, action="user.registered", object_type="User"))
        session.flush()

    add(3)
    login(client, site_admin)
    client.get("/admin/audit")
    count_queries.count = 0
    client.get("/admin/audit")
    few = count_queries.count
    counts = []
    for n in (30, 60):  # full pages: counted; the same statements at 33 and 93 entries
        add(n)
        count_queries.count = 0
        page = client.get("/admin/audit?per_page=10")
        assert b'aria-label="Next page"' in page.data
        counts.append(count_queries.count)
    assert counts[0] == counts[1]
    assert few <= counts[0] <= few + 1  # a list that fits one page needs no COUNT


def test_an_audit_window_past_the_end_says_so_not_that_nothing_was_recorded(
    client, session, site_admin
) -> None:
    for _ in range(3):
        session.add(
            AuditEntry(actor_id=site_admin.id, action="user.registered", object_type="User")
        )
    session.flush()
    login(client, site_admin)
    html = client.get("/admin/audit?action=user.registered&per_page=2").get_data(as_text=True)
    nxt = re.search(r'href="(/admin/audit\?[^"]*after=[^"]*)"', html)
    assert nxt and "action=user.registered" in nxt.group(1)  # the filter is kept
    for entry in session.scalars(select(AuditEntry)):  # purged since the link was made
        session.delete(entry)
    session.flush()
    html = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "No audit entries yet" not in html
    assert "There is nothing more in this list here" in html
    assert 'href="/admin/audit?action=user.registered&amp;per_page=2"' in html


def test_audit_windows_walked_by_next_show_each_entry_once(client, session, site_admin) -> None:
    for i in range(5):
        session.add(AuditEntry(actor_id=site_admin.id, action=f"test.step{i}", object_type="User"))
    session.flush()
    login(client, site_admin)
    url, seen = "/admin/audit?object_type=User&per_page=2", []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"<code[^>]*>(test\.step\d)</code>", html)
        found = re.search(r'href="([^"]*after=[^"]*)" class="[^"]*next-page', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"test.step{i}" for i in reversed(range(5))]


def test_an_old_audit_page_link_shows_the_first_window_and_a_bad_cursor_is_a_4xx(
    client, session, site_admin
) -> None:
    login(client, site_admin)
    assert client.get("/admin/audit?page=0").status_code == 200
    assert client.get("/admin/audit?before=@@").status_code == 422


def test_the_admin_link_is_in_the_navigation_of_site_admins_only(client, session, site_admin):
    staff = make_member(session, make_org(session, OrgKind.AGENCY), Role.ADMIN)
    link = 'href="/admin"'
    assert link in login(client, site_admin).get("/tasks").text
    assert link not in login(client, staff).get("/tasks").text


def test_site_admins_see_the_scheduled_jobs_and_the_periods_they_could_not_build(
    client, session, site_admin, now
) -> None:
    page = login(client, site_admin).get("/admin")
    assert b"Scheduled jobs" in page.data
    assert b"No scheduled job has run yet." in page.data
    task = make_task(session, make_programme(session, name="Riverside Cleanup"))
    sweep_reports(session, now=now)
    page = client.get("/admin").data.decode()
    assert "<code>reports.sweep</code>" in page and "All built" in page
    assert "not built" not in page
    make_log(session, task=task, on=date(1, 1, 1), hours="1", status=LogStatus.APPROVED)
    rebuild_all_reports(session, now=now)
    session.flush()
    page = client.get("/admin").data.decode()
    assert "<code>reports.rebuild_all</code>" in page
    assert "3 periods not built" in page
    assert (
        f'href="/programmes/{task.programme_id}">Riverside Cleanup</a>, month from 0001-01-01'
        in page
    )
    assert "OverflowError: date value out of range" in page
    assert "All built" in page  # the sweep's last run was clean


@pytest.mark.parametrize("role", [None, Role.ADMIN, Role.STAFF])
def test_others_do_not_see_the_scheduled_jobs(client, session, role, now) -> None:
    org = make_org(session, OrgKind.AGENCY)
    user = make_member(session, org, role) if role else make_user(session)
    sweep_reports(session, now=now)
    page = login(client, user).get("/admin")
    assert page.status_code == 403
    assert b"Scheduled jobs" not in page.data and b"reports.sweep" not in page.data
    with pytest.raises(NotAllowed):
        list_job_states(session, user)
