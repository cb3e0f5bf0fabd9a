"""Retention with a frozen clock: exactly what the settings say is anonymised, nothing more."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprod.models import (
    AuditEntry,
    LogStatus,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
    PeriodKind,
    Role,
)
from coprod.services import audit, retention
from coprod.services.account_deletion import REMOVED
from coprod.services.reports import Batch
from coprod.services.reports.building import compute_batch
from tests.factories import add_role, make_log, make_org, make_task, make_user

SETTINGS = retention.Settings(email_days=90, audit_detail_days=730, inactive_years=3)


def _mail(session, now, *, days_old: int, status=OutboxStatus.SENT, key: str = ""):
    user = make_user(session)
    message = OutboxMessage(
        user_id=user.id,
        recipient=user.email,
        kind=NotificationKind.SIGNUP,
        subject="Signed up",
        body_text="Hello",
        body_html="<p>Hello</p>",
        dedupe_key=key or f"t:{days_old}:{status}",
        status=status,
        sent_at=now - timedelta(days=days_old) if status == OutboxStatus.SENT else None,
        created_at=now - timedelta(days=days_old),
    )
    session.add(message)
    session.flush()
    return message


def _entry(session, now, *, days_old: int, after: dict):
    user = make_user(session)
    entry = audit.record(
        session, user, "user.profile_changed", user, after=after, at=now - timedelta(days=days_old)
    )
    session.flush()
    return entry


def test_email_bodies_older_than_the_setting_are_cleared_and_younger_kept(session, now) -> None:
    old = _mail(session, now, days_old=91)
    young = _mail(session, now, days_old=89)
    unsent = _mail(session, now, days_old=200, status=OutboxStatus.FAILED)
    done = retention.purge(session, SETTINGS, now=now)
    assert done.done["email_bodies"] == 1
    assert (old.body_text, old.body_html, old.subject, old.recipient) == (
        "",
        "",
        "Signed up",
        old.user.email,
    )
    assert (young.body_text, young.body_html) == ("Hello", "<p>Hello</p>")
    assert unsent.body_text == "Hello"  # not sent: kept for the admin to retry


def test_audit_personal_fields_older_than_the_setting_are_removed(session, now) -> None:
    old = _entry(session, now, days_old=731, after={"phone": "+44 1", "language": "es"})
    young = _entry(session, now, days_old=729, after={"phone": "+44 2", "language": "es"})
    other = _entry(session, now, days_old=900, after={"hours": "3", "status": "approved"})
    retention.purge(session, SETTINGS, now=now)
    session.expire_all()
    assert session.get(AuditEntry, old.id).after == {"phone": REMOVED, "language": "es"}
    assert session.get(AuditEntry, young.id).after == {"phone": "+44 2", "language": "es"}
    assert session.get(AuditEntry, other.id).after == {"hours": "3", "status": "approved"}


def test_accounts_unseen_for_the_setting_are_anonymised_with_hours_kept(session, now) -> None:
    task = make_task(session)
    gone = make_user(session, display_name="Gone Person", last_seen_at=now - timedelta(days=1096))
    recent = make_user(session, display_name="Still Here", last_seen_at=now - timedelta(days=1094))
    make_log(session, user=gone, task=task, status=LogStatus.APPROVED, on=date(2026, 6, 2))
    batch = Batch(task.programme_id, PeriodKind.MONTH, (date(2026, 6, 1),))
    before = compute_batch(session, batch)
    done = retention.purge(session, SETTINGS, now=now)
    assert done.done["inactive_accounts"] == 1
    assert gone.deleted_at == now and gone.email == f"deleted-{gone.id}@invalid"
    assert gone.display_name == "A former volunteer"
    assert recent.deleted_at is None and recent.display_name == "Still Here"
    assert compute_batch(session, batch) == before
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.anonymised_inactive")
    ).one()
    assert entry.object_id == gone.id and entry.actor_id is None


def test_an_inactive_last_admin_is_kept_and_reported(session, now) -> None:
    org = make_org(session, name="Only Admin Org")
    admin = make_user(session, last_seen_at=now - timedelta(days=2000))
    add_role(session, admin, org, Role.ADMIN)
    done = retention.purge(session, SETTINGS, now=now)
    assert done.skipped == [admin.id] and done.done["inactive_accounts"] == 0
    assert admin.deleted_at is None


def test_an_inactive_site_admin_is_kept(session, now) -> None:
    site_admin = make_user(session, is_site_admin=True, last_seen_at=now - timedelta(days=2000))
    done = retention.purge(session, SETTINGS, now=now)
    assert done.done["inactive_accounts"] == 0 and site_admin.deleted_at is None


def test_the_dry_run_plan_changes_nothing(session, now) -> None:
    old = _mail(session, now, days_old=120)
    entry = _entry(session, now, days_old=800, after={"email": "x@example.org"})
    gone = make_user(session, last_seen_at=now - timedelta(days=2000))
    plan = retention.plan(session, SETTINGS, now=now)
    assert plan.ids == {
        "email_bodies": [old.id],
        "audit_details": [entry.id],
        "inactive_accounts": [gone.id],
    }
    session.flush()
    session.expire_all()
    assert session.get(OutboxMessage, old.id).body_text == "Hello"
    assert session.get(AuditEntry, entry.id).after == {"email": "x@example.org"}
    assert gone.deleted_at is None


def test_a_second_purge_finds_nothing_more(session, now) -> None:
    _mail(session, now, days_old=120)
    _entry(session, now, days_old=800, after={"email": "x@example.org"})
    make_user(session, last_seen_at=now - timedelta(days=2000))
    retention.purge(session, SETTINGS, now=now)
    again = retention.plan(session, SETTINGS, now=now)
    assert again.ids == {"email_bodies": [], "audit_details": [], "inactive_accounts": []}


def test_one_bad_item_does_not_stop_the_purge(session, now, monkeypatch) -> None:
    first = _mail(session, now, days_old=100, key="a")
    second = _mail(session, now, days_old=100, key="b")
    real = retention._clear_email

    def clear(session, message_id, now):
        if message_id == first.id:
            raise RuntimeError("boom")
        real(session, message_id, now)

    monkeypatch.setattr(retention, "_clear_email", clear)
    done = retention.purge(session, SETTINGS, now=now)
    assert done.failed["email_bodies"] == [first.id]
    assert done.done["email_bodies"] == 1
    assert second.body_text == ""
    assert first.body_text == "Hello"


@pytest.mark.parametrize("days", [0, 1])
def test_settings_come_from_the_config(app, days) -> None:
    config = dict(app.config) | {"RETENTION_EMAIL_DAYS": days}
    assert retention.Settings.from_config(config).email_days == days
    assert app.config["RETENTION_AUDIT_DETAIL_DAYS"] == 730
    assert app.config["RETENTION_INACTIVE_YEARS"] == 3


def test_signing_in_records_when_the_person_was_last_seen(session, now) -> None:
    from coprod.services import accounts
    from tests.factories import PASSWORD

    user = make_user(session, last_seen_at=now - timedelta(days=2000))
    accounts.authenticate(session, email=user.email, password=PASSWORD)
    assert user.last_seen_at > now - timedelta(days=1)
    assert retention.plan(session, SETTINGS, now=now).ids["inactive_accounts"] == []


def test_a_later_purge_reads_only_the_audit_entries_that_came_of_age_since(session, now) -> None:
    first = _entry(session, now, days_old=800, after={"email": "a@example.org"})
    retention.purge(session, SETTINGS, now=now)
    # Ten days later only the entry that passed the cutoff since is read.
    later = now + timedelta(days=10)
    came_of_age = _entry(session, now, days_old=725, after={"email": "b@example.org"})
    done = retention.purge(session, SETTINGS, now=later)
    assert done.ids["audit_details"] == [came_of_age.id]
    assert session.get(AuditEntry, first.id).after == {"email": REMOVED}
    assert session.get(AuditEntry, came_of_age.id).after == {"email": REMOVED}
