"""`flask jobs run JOB_ID`: an operator runs one of the scheduler's jobs once, by hand."""

from __future__ import annotations

from coprod.models import OutboxMessage, OutboxStatus
from tests.factories import make_outbox_message


def test_running_the_outbox_job_sends_what_waits(app, session, now) -> None:
    message = make_outbox_message(session, next_attempt_at=now)
    session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "run", "outbox.deliver"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("outbox.deliver: ")
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == OutboxStatus.SENT


def test_a_second_run_has_nothing_to_do(app, session) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["jobs", "run", "reminders.send"])
    result = runner.invoke(args=["jobs", "run", "reminders.send"])
    assert result.exit_code == 0, result.output
    assert "reminders.send: nothing to do" in result.output


def test_an_unknown_job_is_refused_with_the_list(app) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "run", "reports.everything"])
    assert result.exit_code == 2
    assert "no job 'reports.everything'" in result.output
    assert "outbox.deliver" in result.output and "reports.sweep" in result.output
