"""Deleting an account: the person is gone, their hours are not."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import JSON, String, Text, cast, func, select

from coprod.db import Base
from coprod.errors import Conflict, Invalid, NotAllowed
from coprod.models import (
    ApiToken,
    AuditEntry,
    ContributionLog,
    InKindItem,
    LogStatus,
    Membership,
    NotificationKind,
    OrgKind,
    OutboxMessage,
    OutboxStatus,
    OutcomeQuantity,
    PeriodKind,
    Role,
    Signup,
    SignupStatus,
)
from coprod.services import account_deletion, accounts, audit, tokens
from coprod.services.reports import Batch
from coprod.services.reports.building import compute_batch
from tests.factories import (
    PASSWORD,
    add_role,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

JUNE = date(2026, 6, 1)
EMAIL = "ana.person@example.org"


@pytest.fixture
def world(session, now):
    """Ana logged approved hours for a nonprofit and as a citizen (with notes, an outcome and
    an in-kind item), holds the only seat of a future shift with Bo waiting behind her, has an
    API token, an email in the outbox and her address in the audit log."""
    agency = make_org(session, OrgKind.AGENCY, name="City Agency")
    nonprofit = make_org(session, OrgKind.NONPROFIT, name="Riverside Food Bank")
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    task = make_task(session, programme, title="Deliver meals")
    metric = make_metric(session, programme, name="Meals", target=Decimal(100))
    ana = make_user(session, email=EMAIL, display_name="Ana Person", phone="+44 7700 900123")
    ana.pending_email = "ana.new@example.org"
    cy = make_user(session, display_name="Cy")
    done = make_log(
        session,
        user=ana,
        task=task,
        status=LogStatus.APPROVED,
        on=date(2026, 6, 2),
        hours="2",
        organisation_id=nonprofit.id,
        notes=f"Call me on +44 7700 900123 or {EMAIL}",
    )
    session.add(OutcomeQuantity(log_id=done.id, metric_id=metric.id, quantity=Decimal(40)))
    session.add(InKindItem(log_id=done.id, description="My own van", value=Decimal("25.50")))
    make_log(session, user=ana, task=task, status=LogStatus.APPROVED, on=date(2026, 6, 7))
    make_log(session, user=cy, task=task, status=LogStatus.APPROVED, on=date(2026, 6, 3), hours=3)
    shift = make_shift(session, task, capacity=1, starts_at=now + timedelta(days=3))
    held = make_signup(session, shift, ana)
    bo = make_user(session, display_name="Bo")
    waiting = make_signup(session, shift, bo, status=SignupStatus.WAITLISTED)
    past = make_shift(session, task, starts_at=now - timedelta(days=3))
    attended = make_signup(session, past, ana, status=SignupStatus.ATTENDED)
    _token, secret = tokens.create_token(session, ana, "Ana's laptop")
    session.add(
        OutboxMessage(
            user_id=ana.id,
            recipient=EMAIL,
            kind=NotificationKind.SIGNUP,
            subject="You are signed up",
            body_text=f"Hello Ana Person ({EMAIL})",
            body_html=f"<p>Hello Ana Person ({EMAIL})</p>",
            dedupe_key="test:ana",
            status=OutboxStatus.PENDING,
        )
    )
    session.add(
        OutboxMessage(
            user_id=cy.id,
            recipient=cy.email,
            kind=NotificationKind.ROSTER_MESSAGE,
            subject="Roster",
            body_text=f"Ana Person <{EMAIL}> is on your roster",
            body_html=f"Ana Person &lt;{EMAIL}&gt;",
            dedupe_key="test:cy",
            status=OutboxStatus.SENT,
        )
    )
    audit.record(session, ana, "user.registered", ana, after={"email": EMAIL})
    audit.record(session, cy, "log.created", done, after={"notes": done.notes, "hours": "2"})
    session.flush()
    return {
        "programme": programme,
        "ana": ana,
        "bo": bo,
        "held": held,
        "waiting": waiting,
        "attended": attended,
        "secret": secret,
        "done": done,
        "nonprofit": nonprofit,
    }


def _report(session, programme):
    return compute_batch(session, Batch(programme.id, PeriodKind.MONTH, (JUNE,)))[JUNE]


def _columns_holding(session, text: str) -> list[str]:
    """Every string, text or JSON column of every table that holds the text."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            holds = cast(column, String).like(f"%{text}%")
            n = session.scalar(select(func.count()).select_from(table).where(holds))
            if n:
                found.append(f"{table.name}.{column.name}")
    return found


def test_report_totals_and_sector_shares_are_unchanged_by_a_deletion(session, world, now) -> None:
    before = _report(session, world["programme"])
    account_deletion.delete_own_account(session, world["ana"], PASSWORD, now=now)
    session.flush()
    after = _report(session, world["programme"])
    assert after == before
    assert after["hours_total"] == 7.0
    assert after["hours_by_sector"]["nonprofit"] == 2.0


def test_hours_stay_credited_to_a_former_volunteer_with_their_organisation(
    session, world, now
) -> None:
    account_deletion.delete_own_account(session, world["ana"], PASSWORD, now=now)
    log = session.get(ContributionLog, world["done"].id)
    assert log.contributor.display_name == "A former volunteer"
    assert (log.hours, log.organisation_id, log.status) == (
        Decimal("2.00"),
        world["nonprofit"].id,
        LogStatus.APPROVED,
    )
    assert log.notes == ""
    assert [(i.description, i.value) for i in log.in_kind] == [("", Decimal("25.50"))]
    assert [o.quantity for o in log.outcomes] == [Decimal(40)]


def test_the_email_appears_in_no_text_column_of_any_table(session, world, now) -> None:
    assert _columns_holding(session, EMAIL)  # the walk finds it before
    account_deletion.delete_own_account(session, world["ana"], PASSWORD, now=now)
    session.flush()
    assert _columns_holding(session, EMAIL) == []
    for personal in ("Ana Person", "Ana's laptop", "900123", "ana.new@example.org", "My own van"):
        assert _columns_holding(session, personal) == [], personal


def test_the_deleted_person_cannot_sign_in_and_their_token_stops(session, world, now) -> None:
    ana = world["ana"]
    old_version, old_feed = ana.session_version, ana.calendar_token
    account_deletion.delete_own_account(session, ana, PASSWORD, now=now)
    with pytest.raises(Invalid):
        accounts.authenticate(session, email=EMAIL, password=PASSWORD)
    with pytest.raises(Invalid):
        accounts.authenticate(session, email=ana.email, password=PASSWORD)
    assert tokens.authenticate_token(session, world["secret"], now) is None
    assert ana.session_version > old_version
    assert ana.calendar_token != old_feed
    assert ana.deleted_at == now and ana.email == f"deleted-{ana.id}@invalid"
    revoked = session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == ana.id))
    assert list(revoked) == [now]


def test_future_places_are_released_and_the_waitlist_promoted(session, world, now) -> None:
    account_deletion.delete_own_account(session, world["ana"], PASSWORD, now=now)
    assert session.get(Signup, world["held"].id).status == SignupStatus.CANCELLED
    assert session.get(Signup, world["waiting"].id).status == SignupStatus.CONFIRMED
    assert session.get(Signup, world["attended"].id).status == SignupStatus.ATTENDED
    promoted_mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == world["bo"].id,
            OutboxMessage.kind == NotificationKind.PROMOTED,
        )
    ).all()
    assert len(promoted_mail) == 1
    ana_mail = session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == world["ana"].id)
    ).all()
    assert [m.status for m in ana_mail] == [OutboxStatus.FAILED]  # never sent now


def test_a_wrong_password_deletes_nothing(session, world, now) -> None:
    with pytest.raises(Invalid) as err:
        account_deletion.delete_own_account(session, world["ana"], "not it", now=now)
    assert list(err.value.errors) == ["password"]
    assert world["ana"].deleted_at is None
    assert world["ana"].email == EMAIL


def test_the_last_admin_of_an_organisation_must_hand_over_first(session, world, now) -> None:
    ana, org = world["ana"], world["nonprofit"]
    add_role(session, ana, org, Role.ADMIN)
    report = _report(session, world["programme"])
    with pytest.raises(Conflict) as err:
        account_deletion.delete_own_account(session, ana, PASSWORD, now=now)
    assert "Riverside Food Bank" in str(err.value)
    session.expire_all()
    assert ana.deleted_at is None and ana.email == EMAIL
    assert session.get(Signup, world["held"].id).status == SignupStatus.CONFIRMED
    assert session.get(Signup, world["waiting"].id).status == SignupStatus.WAITLISTED
    assert tokens.authenticate_token(session, world["secret"], now) is ana
    assert _report(session, world["programme"]) == report


def test_a_second_admin_lets_the_first_go(session, world, now) -> None:
    ana, org = world["ana"], world["nonprofit"]
    add_role(session, ana, org, Role.ADMIN)
    make_member(session, org, Role.ADMIN)
    account_deletion.delete_own_account(session, ana, PASSWORD, now=now)
    assert ana.deleted_at == now
    held = session.scalars(select(Membership).where(Membership.user_id == ana.id)).all()
    assert held == []


def test_a_site_admin_deletes_on_request_with_a_reason_audited(session, world, now) -> None:
    admin = make_user(session, is_site_admin=True)
    with pytest.raises(Invalid):
        account_deletion.delete_on_request(session, admin, world["ana"], "  ", now=now)
    account_deletion.delete_on_request(session, admin, world["ana"], "Asked by phone", now=now)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.deleted_by_admin")
    ).one()
    assert entry.actor_id == admin.id and entry.after["reason"] == "Asked by phone"
    assert entry.after["places_released"] == 1


def test_only_site_admins_delete_other_peoples_accounts(session, world, now) -> None:
    with pytest.raises(NotAllowed):
        account_deletion.delete_on_request(session, world["bo"], world["ana"], "because", now=now)
    assert world["ana"].deleted_at is None


def test_an_account_is_deleted_once(session, world, now) -> None:
    admin = make_user(session, is_site_admin=True)
    account_deletion.delete_own_account(session, world["ana"], PASSWORD, now=now)
    with pytest.raises(Conflict):
        account_deletion.delete_on_request(session, admin, world["ana"], "again", now=now)
