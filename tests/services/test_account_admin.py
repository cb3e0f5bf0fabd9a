"""Site admins manage accounts (find, deactivate, reactivate, send a reset link) and decline
an agency's verification; everyone else is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed
from coprod.models import AuditEntry, NotificationKind, OrgKind, OutboxMessage, Role, User
from coprod.services import account_admin, organisations, tokens
from tests.conftest import NOW
from tests.factories import add_role, make_member, make_org, make_user

SECRET = "test-secret"


def audited(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_only_site_admins_list_and_manage_accounts(session) -> None:
    staff = make_member(session, make_org(session, OrgKind.AGENCY), Role.ADMIN)
    target = make_user(session)
    for call in (
        lambda: account_admin.list_accounts(session, staff, None),
        lambda: account_admin.deactivate(session, staff, target, "spam", now=NOW),
        lambda: account_admin.send_password_reset(session, staff, target, secret=SECRET, now=NOW),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert target.is_active


def test_the_accounts_list_searches_names_and_emails_with_memberships(session) -> None:
    admin = make_user(session, is_site_admin=True)
    org = make_org(session, name="Harbour Trust")
    ana = add_role(session, make_user(session, display_name="Ana Zed", email="az@example.org"), org)
    make_user(session, display_name="Bo", email="bo@example.org")
    found = account_admin.list_accounts(session, admin, "ANA z").window
    assert [u.id for u in found.items] == [ana.id]
    assert found.items[0].memberships[0].organisation.name == "Harbour Trust"
    bo = account_admin.list_accounts(session, admin, "bo@").window
    assert [u.email for u in bo.items] == ["bo@example.org"]
    assert account_admin.list_accounts(session, admin, "%").window.items == []


def test_the_accounts_list_is_read_by_windows_and_counted_up_to_a_cap(session) -> None:
    admin = make_user(session, is_site_admin=True, email="zz-admin@example.org")
    made = [make_user(session, email=f"walk{i % 3}-{i}@example.org").id for i in range(7)]
    seen: list[int] = []
    after = None
    while True:
        listed = account_admin.list_accounts(
            session, admin, "walk", after=after, per_page=3, counted=True
        )
        seen += [u.id for u in listed.window.items]
        assert listed.count is not None and (listed.count.n, listed.count.more) == (7, False)
        if listed.window.next is None:
            break
        after = listed.window.next
    emails = {u: session.get(User, u).email for u in made}
    assert seen == sorted(made, key=lambda u: emails[u])
    with pytest.raises(Invalid):
        account_admin.list_accounts(session, admin, None, after="forged")


def test_deactivating_ends_sessions_revokes_tokens_and_is_audited(session) -> None:
    admin = make_user(session, is_site_admin=True)
    user = make_user(session)
    _token, secret = tokens.create_token(session, user, "laptop")
    version = user.session_version
    with pytest.raises(Invalid):
        account_admin.deactivate(session, admin, user, "   ", now=NOW)
    account_admin.deactivate(session, admin, user, "Sent spam to volunteers", now=NOW)
    assert not user.is_active and user.session_version == version + 1
    assert user.deactivated_reason == "Sent spam to volunteers"
    session.expire_all()
    assert tokens.authenticate_token(session, secret, NOW) is None
    [entry] = audited(session, "user.deactivated")
    assert entry.actor_id == admin.id and entry.after["reason"] == "Sent spam to volunteers"
    with pytest.raises(Conflict):
        account_admin.deactivate(session, admin, user, "again", now=NOW)


def test_a_site_admin_cannot_deactivate_themself(session) -> None:
    admin = make_user(session, is_site_admin=True)
    with pytest.raises(Conflict):
        account_admin.deactivate(session, admin, admin, "oops", now=NOW)
    assert admin.is_active


def test_reactivating_lets_the_person_back_and_is_audited(session) -> None:
    admin = make_user(session, is_site_admin=True)
    user = make_user(session, is_active=False)
    account_admin.reactivate(session, admin, user, now=NOW)
    assert user.is_active and audited(session, "user.reactivated")
    with pytest.raises(Conflict):
        account_admin.reactivate(session, admin, user, now=NOW)


def test_a_site_admin_sends_a_reset_link_by_email_only(session) -> None:
    admin = make_user(session, is_site_admin=True)
    user = make_user(session)
    account_admin.send_password_reset(session, admin, user, secret=SECRET, now=NOW)
    [sent] = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.PASSWORD_RESET)
    )
    assert sent.recipient == user.email and "site admin" in sent.body_text
    assert audited(session, "user.password_reset_sent")[0].actor_id == admin.id
    user.is_active = False
    with pytest.raises(Conflict):
        account_admin.send_password_reset(session, admin, user, secret=SECRET, now=NOW)


def test_declining_an_agency_needs_a_reason_tells_its_admins_and_leaves_the_queue(session):
    admin = make_user(session, is_site_admin=True)
    agency = make_org(session, OrgKind.AGENCY, verified=False)
    boss = make_member(session, agency, Role.ADMIN)
    staff = make_member(session, agency, Role.STAFF)
    assert agency in organisations.list_awaiting_verification(session, admin, 1, 20).items
    with pytest.raises(NotAllowed):
        organisations.decline_organisation(session, staff, agency, "no", now=NOW)
    with pytest.raises(Invalid):
        organisations.decline_organisation(session, admin, agency, "", now=NOW)
    organisations.decline_organisation(session, admin, agency, "No proof of status", now=NOW)
    assert agency.declined_at == NOW and not agency.can_post
    assert agency not in organisations.list_awaiting_verification(session, admin, 1, 20).items
    told = list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.ORG_DECLINED)
        )
    )
    assert [m.recipient for m in told] == [boss.email]
    assert "No proof of status" in told[0].body_text
    assert audited(session, "organisation.declined")[0].after["reason"] == "No proof of status"
    with pytest.raises(Conflict):
        organisations.decline_organisation(session, admin, agency, "again", now=NOW)
    organisations.verify_organisation(session, admin, agency, NOW)  # can still be verified
    assert agency.can_post and agency.declined_at is None
