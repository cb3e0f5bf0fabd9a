"""Money on the contribution pages carries the programme's currency (the report, impact and
programme pages: tests/web/test_reports.py and test_programmes.py)."""

from __future__ import annotations

from decimal import Decimal

from coprod.models import InKindItem
from tests.conftest import login
from tests.factories import make_log, make_programme, make_task, make_user


def test_an_in_kind_value_shows_in_the_programme_currency(client, session) -> None:
    task = make_task(session, make_programme(session, currency="EUR"), title="Soup kitchen")
    volunteer = make_user(session)
    log = make_log(session, user=volunteer, task=task)
    session.add(InKindItem(log=log, description="Van for the day", value=Decimal("1234.5")))
    session.flush()
    login(client, volunteer)
    page = client.get(f"/logs/{log.id}").text
    assert "<td>€1,234.50</td>" in page
    form = client.get(f"/tasks/{task.id}/log").text
    assert "with their value in EUR — Euro (€)" in form
