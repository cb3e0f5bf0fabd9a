"""The decisions job: closes every decision whose closing time has passed (and records its
result once), leaves the others open, survives one bad decision, and does nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod import scheduler
from coprod.jobs import decisions as job
from coprod.models import AuditEntry, DecisionOutcome, NotificationKind, OutboxMessage
from coprod.services.governance import decisions as svc
from coprod.services.governance.decisions import closing
from tests.decision_world import DecisionWorld
from tests.factories import make_decision


@pytest.fixture
def w(session):
    return DecisionWorld(session)


def test_due_decisions_are_closed_with_their_result_and_the_others_stay_open(session, now, w):
    due = make_decision(session, w.programme, closes_at=now - timedelta(minutes=1))
    for org, admin in w.voters()[:3]:
        svc.vote(
            session, admin, due, org, option_id=due.options[1].id, now=now - timedelta(hours=1)
        )
    exact = make_decision(session, w.programme, closes_at=now)
    later = make_decision(session, w.programme, closes_at=now + timedelta(minutes=1))
    assert job.close_due_decisions(session, now=now) == 2
    session.refresh(due), session.refresh(exact), session.refresh(later)
    assert (due.outcome, due.chosen_option_id) == (DecisionOutcome.CARRIED, due.options[1].id)
    assert due.closed_at == now
    assert exact.outcome == DecisionOutcome.NO_VOTES
    assert later.closed_at is None and later.outcome is None


def test_running_twice_closes_nothing_twice(session, now, w):
    make_decision(session, w.programme, closes_at=now - timedelta(hours=1))
    assert job.close_due_decisions(session, now=now) == 1
    emails = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert job.close_due_decisions(session, now=now + timedelta(minutes=5)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == emails
    closed = select(func.count()).select_from(AuditEntry)
    assert session.scalar(closed.where(AuditEntry.action == "decision.closed")) == 1
    kinds = set(session.scalars(select(OutboxMessage.kind)))
    assert kinds == {NotificationKind.DECISION}


def test_one_bad_decision_does_not_stop_the_others(session, now, w, monkeypatch, caplog):
    bad = make_decision(session, w.programme, closes_at=now - timedelta(hours=2))
    good = make_decision(session, w.programme, closes_at=now - timedelta(hours=1))
    real = svc.tally

    def failing(rule, entitled, votes):
        if failing.calls == 0:
            failing.calls += 1
            raise RuntimeError("boom")
        return real(rule, entitled, votes)

    failing.calls = 0
    monkeypatch.setattr(closing, "tally", failing)  # where close_decision looks
    assert job.close_due_decisions(session, now=now) == 1
    session.refresh(bad), session.refresh(good)
    assert bad.closed_at is None and good.outcome == DecisionOutcome.NO_VOTES
    assert f"decision {bad.id} not closed" in caplog.text
    monkeypatch.setattr(closing, "tally", real)
    assert job.close_due_decisions(session, now=now) == 1  # tried again on the next run
    session.refresh(bad)
    assert bad.outcome == DecisionOutcome.NO_VOTES


def test_the_job_runs_every_five_minutes_in_the_schedulers_table():
    spec = next(s for s in scheduler.JOBS if s.id == "governance.decisions")
    assert spec.func is job.close_due_decisions
