"""What became of accepted proposals: the linked task's approved hours, volunteers and outcomes,
computed in the database by the report jobs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from coprod.jobs.reports import rebuild_all_reports, sweep_reports
from coprod.models import LogStatus, OutcomeQuantity, ProposalStatus, TaskStatus
from coprod.services.engagement import impact
from tests.factories import (
    make_log,
    make_metric,
    make_org,
    make_programme,
    make_proposal,
    make_task,
    make_user,
)

ACCEPTED = ProposalStatus.ACCEPTED


def _outcome(session, log, metric, qty):
    session.add(OutcomeQuantity(log_id=log.id, metric_id=metric.id, quantity=Decimal(qty)))
    session.flush()


@pytest.fixture
def accepted(session):
    """An accepted proposal whose task has: Ana's two approved logs (2.5 h + 1 h, 40 meals),
    Bo's approved 3 h, a nonprofit's approved 4 h logged by its coordinator (10 meals, 2 bags)
    and a second log for the same nonprofit by another coordinator (0.25 h); a submitted and a
    rejected log (never counted) with outcomes of their own."""
    programme = make_programme(session, starts_on=date(2026, 1, 1))
    task = make_task(session, programme, status=TaskStatus.OPEN, title="Clear the towpath")
    meals = make_metric(session, programme, name="Meals", unit="meals")
    bags = make_metric(session, programme, name="Litter collected", unit="bags")
    ana, bo = make_user(session), make_user(session)
    nonprofit = make_org(session)
    ok = LogStatus.APPROVED
    first = make_log(session, user=ana, task=task, hours="2.5", status=ok, on=date(2026, 6, 1))
    _outcome(session, first, meals, "40")
    make_log(session, user=ana, task=task, hours="1", status=ok, on=date(2026, 6, 2))
    make_log(session, user=bo, task=task, hours="3", status=ok, on=date(2026, 6, 3))
    org_log = make_log(session, task=task, hours="4", status=ok, organisation_id=nonprofit.id)
    _outcome(session, org_log, meals, "10")
    _outcome(session, org_log, bags, "2")
    make_log(session, task=task, hours="0.25", status=ok, organisation_id=nonprofit.id)
    for status in (LogStatus.SUBMITTED, LogStatus.REJECTED):
        other = make_log(session, task=task, hours="6", status=status)
        _outcome(session, other, meals, "500")
    proposal = make_proposal(session, programme, status=ACCEPTED, task_id=task.id)
    return proposal, meals, bags


def test_an_accepted_proposal_gets_its_tasks_approved_figures(session, now, accepted) -> None:
    proposal, meals, bags = accepted
    assert impact.refresh_impact(session, now=now) >= 1
    session.refresh(proposal)
    assert proposal.impact == {
        "hours": "10.75",
        # Ana and Bo, and the nonprofit once for its two coordinators' logs.
        "volunteers": 3,
        "people": 2,
        "organisations": 1,
        "outcomes": [
            {"metric_id": meals.id, "name": "Meals", "unit": "meals", "quantity": "50.00"},
            {"metric_id": bags.id, "name": "Litter collected", "unit": "bags", "quantity": "2.00"},
        ],
    }
    assert proposal.impact_built_at == now


def test_a_task_without_approved_work_has_zero_figures(session, now) -> None:
    task = make_task(session, status=TaskStatus.DRAFT)
    make_log(session, task=task, hours="2", status=LogStatus.SUBMITTED)
    proposal = make_proposal(session, task.programme, status=ACCEPTED, task_id=task.id)
    impact.refresh_impact(session, programme_ids=[task.programme_id], now=now)
    session.refresh(proposal)
    assert proposal.impact == {
        "hours": "0.00", "volunteers": 0, "people": 0, "organisations": 0, "outcomes": [],
    }  # fmt: skip


def test_only_accepted_proposals_with_a_task_get_figures(session, now) -> None:
    programme = make_programme(session)
    task = make_task(session, programme)
    make_log(session, task=task, status=LogStatus.APPROVED)
    declined = make_proposal(session, programme, status=ProposalStatus.DECLINED)
    waiting = make_proposal(session, programme)
    no_task = make_proposal(session, programme, status=ACCEPTED)
    impact.refresh_impact(session, now=now)
    for proposal in (declined, waiting, no_task):
        session.refresh(proposal)
        assert proposal.impact is None and proposal.impact_built_at is None


def test_refreshing_twice_gives_the_same_figures(session, now, accepted) -> None:
    proposal, _meals, _bags = accepted
    impact.refresh_impact(session, now=now)
    session.refresh(proposal)
    first = proposal.impact
    impact.refresh_impact(session, now=now + timedelta(hours=1))
    session.refresh(proposal)
    assert proposal.impact == first
    assert proposal.impact_built_at == now + timedelta(hours=1)


def test_a_programme_that_fails_does_not_stop_the_others(session, now, monkeypatch, caplog):
    one, two = make_programme(session), make_programme(session)
    proposals = []
    for programme in (one, two):
        task = make_task(session, programme)
        make_log(session, task=task, hours="2", status=LogStatus.APPROVED)
        proposals.append(make_proposal(session, programme, status=ACCEPTED, task_id=task.id))
    real = impact.refresh_programme

    def broken(session, programme_id, *, now):
        if programme_id == one.id:
            real(session, programme_id, now=now)  # wrote, then failed: rolled back
            raise RuntimeError("disk on fire")
        return real(session, programme_id, now=now)

    monkeypatch.setattr(impact, "refresh_programme", broken)
    assert impact.refresh_impact(session, programme_ids=[one.id, two.id], now=now) == 1
    session.expire_all()
    failed, fine = proposals
    assert failed.impact is None and failed.impact_built_at is None
    assert fine.impact["hours"] == "2.00"
    assert f"programme {one.id} not refreshed" in caplog.text
    assert "disk on fire" in caplog.text


def test_only_the_programmes_asked_for_are_refreshed(session, now, accepted) -> None:
    proposal, _meals, _bags = accepted
    impact.refresh_impact(session, programme_ids=[proposal.programme_id + 10**6], now=now)
    session.refresh(proposal)
    assert proposal.impact is None


def test_the_sweep_and_the_nightly_rebuild_refresh_the_figures(session, now, accepted) -> None:
    proposal, _meals, _bags = accepted
    sweep_reports(session, now=now)  # the first sweep: everything
    session.refresh(proposal)
    assert proposal.impact["hours"] == "10.75"
    # A late approval on the task: the next sweep touches its programme.
    later = now + timedelta(hours=1)
    make_log(session, task=proposal.task, hours="1", status=LogStatus.APPROVED,
             counted_changed_at=later)  # fmt: skip
    sweep_reports(session, now=later + timedelta(minutes=1))
    session.refresh(proposal)
    assert proposal.impact["hours"] == "11.75"
    assert proposal.impact_built_at == later + timedelta(minutes=1)
    # A proposal accepted since the last sweep gets its figures at the next one.
    task = make_task(session)
    make_log(session, task=task, hours="2", status=LogStatus.APPROVED, counted_changed_at=now)
    fresh = make_proposal(session, task.programme, status=ACCEPTED, task_id=task.id)
    sweep_reports(session, now=later + timedelta(minutes=5))
    session.refresh(fresh)
    assert fresh.impact["hours"] == "2.00"
    nightly = later + timedelta(hours=8)
    rebuild_all_reports(session, now=nightly)
    session.refresh(proposal)
    session.refresh(fresh)
    assert proposal.impact_built_at == nightly and fresh.impact_built_at == nightly


def test_the_figures_take_four_statements_per_programme(session, now, count_queries) -> None:
    for n in (1, 5):
        programme = make_programme(session)
        metric = make_metric(session, programme)
        for _ in range(n):
            task = make_task(session, programme)
            for _ in range(n):
                log = make_log(session, task=task, status=LogStatus.APPROVED)
                _outcome(session, log, metric, "3")
            make_proposal(session, programme, status=ACCEPTED, task_id=task.id)
        count_queries.count = 0
        impact.refresh_programme(session, programme.id, now=now)
        assert count_queries.count == 4, n


def test_the_rebuild_command_refreshes_the_figures_unless_told(app, session, accepted) -> None:
    proposal, _meals, _bags = accepted
    session.commit()
    args = ["reports", "rebuild", "--programme", str(proposal.programme_id), "--jobs", "1"]
    skipped = app.test_cli_runner().invoke(args=[*args, "--period", "month", "--no-impact"])
    assert skipped.exit_code == 0, skipped.output
    session.refresh(proposal)
    assert proposal.impact is None
    result = app.test_cli_runner().invoke(args=[*args, "--period", "month"])
    assert result.exit_code == 0, result.output
    assert "Figures of accepted proposals refreshed: 1." in result.output
    session.refresh(proposal)
    assert proposal.impact["hours"] == "10.75"
