"""The retention purge as the scheduler and the operator run it."""

from __future__ import annotations

from datetime import timedelta

from coprod.db import utcnow
from coprod.jobs.privacy import purge_personal_data
from coprod.models import OutboxMessage, OutboxStatus
from tests.factories import make_outbox_message, make_user


def _old_mail(session, days_old: int) -> OutboxMessage:
    when = utcnow() - timedelta(days=days_old)
    return make_outbox_message(session, status=OutboxStatus.SENT, sent_at=when, created_at=when)


def test_the_job_clears_what_is_due_and_counts_it(session, now) -> None:
    message = _old_mail(session, 0)
    message.sent_at = now - timedelta(days=100)
    gone = make_user(session, last_seen_at=now - timedelta(days=5 * 365))
    counts = purge_personal_data(session, now=now)
    assert counts["email_bodies"] == 1 and counts["inactive_accounts"] == 1
    assert counts["failed"] == 0
    assert message.body_text == "" and gone.deleted_at == now


def test_the_dry_run_prints_counts_and_ids_and_changes_nothing(app, session) -> None:
    message = _old_mail(session, 120)
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "purge", "--dry-run", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "email_bodies: " in result.output and "would be cleared" in result.output
    assert str(message.id) in result.output.split("email_bodies")[1].split("audit_details")[0]
    session.expire_all()
    assert session.get(OutboxMessage, message.id).body_text == "Hello"


def test_without_dry_run_the_command_does_it(app, session) -> None:
    message = _old_mail(session, 120)
    session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "were cleared" in result.output
    session.expire_all()
    assert session.get(OutboxMessage, message.id).body_text == ""
