"""Resubmitting a log with the same outcome metric keeps one row per metric (a fix in
coprod.services.contributions.rules.fill_log, found by the API loop test)."""

from __future__ import annotations

from decimal import Decimal

from coprod.models import LogStatus, OutcomeQuantity
from coprod.services import contributions
from tests.factories import make_log, make_metric, make_task, make_user


def test_resubmitting_with_the_same_outcome_metric_updates_its_quantity(session, now):
    metric = make_metric(session)
    task = make_task(session, metric.programme)
    task.metrics = [metric]
    user = make_user(session)
    log = make_log(session, user=user, task=task, status=LogStatus.CHANGES_REQUESTED)
    log.outcomes = [OutcomeQuantity(metric_id=metric.id, quantity=Decimal("3"))]
    session.flush()
    contributions.resubmit_log(
        session, user, log, on=now.date(), hours=Decimal("2"),
        outcomes=[(metric.id, Decimal("5"))], now=now,
    )  # fmt: skip
    session.flush()
    assert [(o.metric_id, o.quantity) for o in log.outcomes] == [(metric.id, Decimal("5"))]
    assert log.status == LogStatus.SUBMITTED
